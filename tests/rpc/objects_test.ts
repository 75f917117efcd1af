import assert from "node:assert/strict";
import { FileStateStore, SimulatedDevice } from "../../mod.ts";
import { createRpcContext } from "../../src/rpc/context.ts";
import {
  DEFAULT,
  fault,
  ok,
  simContext,
  testTableAdapter,
} from "../_helpers/device.ts";

type Values = { parameterList: { name: string; value: string }[] };

Deno.test("AddObject creates the next instance with default values and records the ParameterKey", async () => {
  const context = await simContext();
  const result = await ok(context, "AddObject", {
    objectName: "Device.DNS.Client.Server.",
    parameterKey: "add-1",
  });
  assert.deepStrictEqual(result, { instanceNumber: 3, status: 0 });
  const { parameterList } = await ok<Values>(context, "GetParameterValues", {
    parameterNames: ["Device.DNS.Client.Server.3."],
  });
  const byName = Object.fromEntries(
    parameterList.map((
      p,
    ) => [p.name.slice("Device.DNS.Client.Server.3.".length), p.value]),
  );
  assert.equal(byName.Enable, "false");
  assert.equal(byName.DNSServer, "");
  assert.equal(context.device.parameterKey, "add-1");
});

Deno.test("instance numbers are never reused, also across a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const open = async () =>
      await createRpcContext(
        SimulatedDevice.fromSnapshot(DEFAULT, {
          store: new FileStateStore(dir),
        }),
      );
    const first = await open();
    const a = await ok<{ instanceNumber: number }>(first, "AddObject", {
      objectName: "Device.Users.User.",
      parameterKey: "",
    });
    assert.equal(a.instanceNumber, 2);
    await ok(first, "DeleteObject", {
      objectName: "Device.Users.User.2.",
      parameterKey: "",
    });
    const b = await ok<{ instanceNumber: number }>(first, "AddObject", {
      objectName: "Device.Users.User.",
      parameterKey: "",
    });
    assert.equal(b.instanceNumber, 3);
    const second = await open();
    const c = await ok<{ instanceNumber: number }>(second, "AddObject", {
      objectName: "Device.Users.User.",
      parameterKey: "",
    });
    assert.equal(c.instanceNumber, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AddObject past MaxEntries is 9004", async () => {
  const context = await simContext();
  for (let i = 0; i < 2; i++) {
    await ok(context, "AddObject", {
      objectName: "Device.DNS.Client.Server.",
      parameterKey: "",
    });
  }
  const f = await fault(context, "AddObject", {
    objectName: "Device.DNS.Client.Server.",
    parameterKey: "k",
  });
  assert.equal(f.faultCode, 9004);
  assert.equal(context.device.parameterKey, "");
});

Deno.test("AddObject on something that is not a writable table is 9005", async () => {
  const context = await simContext();
  for (
    const objectName of [
      "Device.DeviceInfo.",
      "Device.Ethernet.Interface.",
      "Device.IP.Interface.1.",
      "Device.Nope.",
      "Device.IP.Interface",
      "Device..X.",
    ]
  ) {
    assert.equal(
      (await fault(context, "AddObject", { objectName, parameterKey: "" }))
        .faultCode,
      9005,
      objectName,
    );
  }
});

Deno.test("DeleteObject removes the instance and its subtree; NumberOfEntries follows", async () => {
  const context = await simContext();
  assert.deepStrictEqual(
    await ok(context, "DeleteObject", {
      objectName: "Device.IP.Interface.2.",
      parameterKey: "del",
    }),
    { status: 0 },
  );
  assert.equal(context.device.parameterKey, "del");
  assert.equal(
    (await fault(context, "GetParameterValues", {
      parameterNames: ["Device.IP.Interface.2.IPv4Address.1.IPAddress"],
    })).faultCode,
    9005,
  );
  const { parameterList } = await ok<Values>(context, "GetParameterValues", {
    parameterNames: ["Device.IP.InterfaceNumberOfEntries"],
  });
  assert.equal(parameterList[0].value, "1");
});

Deno.test("DeleteObject of a missing instance, a table, a parameter or a read-only table is 9005", async () => {
  const context = await simContext();
  for (
    const objectName of [
      "Device.IP.Interface.9.",
      "Device.IP.Interface.",
      "Device.IP.Interface.1.Enable",
      "Device.Ethernet.Interface.1.",
      "Device.DeviceInfo.",
    ]
  ) {
    assert.equal(
      (await fault(context, "DeleteObject", { objectName, parameterKey: "" }))
        .faultCode,
      9005,
      objectName,
    );
  }
});

Deno.test("a device that fails to add or delete an instance gives 9002 and keeps the ParameterKey", async () => {
  const adapter = testTableAdapter({
    "Device.T.{i}.Name": { type: { base: "string" }, get: () => "n" },
  }, {
    objects: {
      "Device.T.{i}.": {
        writable: true,
        instances: () => [1],
        add: () => Promise.reject(new Error("no space in flash")),
        delete: () => Promise.reject(new Error("busy")),
      },
    },
  });
  const context = await createRpcContext(adapter);
  const add = await fault(context, "AddObject", {
    objectName: "Device.T.",
    parameterKey: "a",
  });
  assert.equal(add.faultCode, 9002);
  assert.match(add.faultString, /no space in flash/);
  const del = await fault(context, "DeleteObject", {
    objectName: "Device.T.1.",
    parameterKey: "d",
  });
  assert.equal(del.faultCode, 9002);
  assert.equal(context.device.parameterKey, "");
});

Deno.test("deleting the highest instance a device came with never hands its number out again, in this process or a later one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const open = async () =>
      await createRpcContext(
        await SimulatedDevice.restore(DEFAULT, {
          store: new FileStateStore(dir),
        }),
      );
    const first = await open();
    assert.deepStrictEqual(
      await first.model.view().instances("Device.IP.Interface."),
      [1, 2],
    );
    await ok(first, "DeleteObject", {
      objectName: "Device.IP.Interface.2.",
      parameterKey: "",
    });
    const again = await ok<{ instanceNumber: number }>(first, "AddObject", {
      objectName: "Device.IP.Interface.",
      parameterKey: "",
    });
    assert.equal(again.instanceNumber, 3);
    await ok(first, "DeleteObject", {
      objectName: "Device.IP.Interface.3.",
      parameterKey: "",
    });
    const later = await open();
    const next = await ok<{ instanceNumber: number }>(later, "AddObject", {
      objectName: "Device.IP.Interface.",
      parameterKey: "",
    });
    assert.equal(next.instanceNumber, 4);
    // Counters of tables inside a deleted instance are forgotten.
    assert.ok(
      !Object.keys(later.state.current.nextInstance).some((t) =>
        t.startsWith("Device.IP.Interface.3.")
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
