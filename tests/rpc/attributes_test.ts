import assert from "node:assert/strict";
import { AttributeStore, FileStateStore } from "../../mod.ts";
import { fault, ok, simContext } from "../_helpers/device.ts";

type Attributes = {
  parameterList: { name: string; notification: number; accessList: string[] }[];
};

const spa = (name: string, notification: number, accessList?: string[]) => ({
  name,
  notificationChange: true,
  notification,
  accessListChange: accessList !== undefined,
  accessList: accessList ?? [],
});

Deno.test("GetParameterAttributes reports defaults from the data model", async () => {
  const context = await simContext();
  const { parameterList } = await ok<Attributes>(
    context,
    "GetParameterAttributes",
    {
      parameterNames: [
        "Device.DeviceInfo.SoftwareVersion",
        "Device.ManagementServer.ConnectionRequestURL",
        "Device.Time.Enable",
      ],
    },
  );
  assert.deepStrictEqual(parameterList.map((p) => [p.name, p.notification]), [
    ["Device.DeviceInfo.SoftwareVersion", 2],
    ["Device.ManagementServer.ConnectionRequestURL", 2],
    ["Device.Time.Enable", 0],
  ]);
  assert.deepStrictEqual(parameterList[0].accessList, []);
});

Deno.test("SetParameterAttributes on a partial path changes every parameter below it", async () => {
  const context = await simContext();
  await ok(context, "SetParameterAttributes", {
    parameterList: [spa("Device.Time.", 1, ["Subscriber"])],
  });
  const { parameterList } = await ok<Attributes>(
    context,
    "GetParameterAttributes",
    { parameterNames: ["Device.Time."] },
  );
  assert.ok(parameterList.length >= 5);
  for (const p of parameterList) {
    assert.deepStrictEqual(
      [p.notification, p.accessList],
      [1, ["Subscriber"]],
      p.name,
    );
  }
});

Deno.test("NotificationChange false leaves the notification and only changes the access list", async () => {
  const context = await simContext();
  await ok(context, "SetParameterAttributes", {
    parameterList: [spa("Device.Time.Enable", 2)],
  });
  await ok(context, "SetParameterAttributes", {
    parameterList: [{
      name: "Device.Time.Enable",
      notificationChange: false,
      notification: 0,
      accessListChange: true,
      accessList: ["Subscriber"],
    }],
  });
  const { parameterList } = await ok<Attributes>(
    context,
    "GetParameterAttributes",
    { parameterNames: ["Device.Time.Enable"] },
  );
  assert.deepStrictEqual([
    parameterList[0].notification,
    parameterList[0].accessList,
  ], [2, ["Subscriber"]]);
});

Deno.test("active notification of a canDeny parameter is 9009 and nothing changes", async () => {
  const context = await simContext();
  const f = await fault(context, "SetParameterAttributes", {
    parameterList: [
      spa("Device.Time.Enable", 1),
      spa("Device.ManagementServer.ParameterKey", 2),
    ],
  });
  assert.equal(f.faultCode, 9009);
  const { parameterList } = await ok<Attributes>(
    context,
    "GetParameterAttributes",
    { parameterNames: ["Device.Time.Enable"] },
  );
  assert.equal(
    parameterList[0].notification,
    0,
    "the request is all or nothing",
  );
  assert.equal(
    (await fault(context, "SetParameterAttributes", {
      parameterList: [spa("Device.DeviceInfo.UpTime", 2)],
    })).faultCode,
    9009,
  );
});

Deno.test("lightweight notification values are 9009; forceEnabled parameters stay active", async () => {
  const context = await simContext();
  assert.equal(
    (await fault(context, "SetParameterAttributes", {
      parameterList: [spa("Device.Time.Enable", 5)],
    })).faultCode,
    9009,
  );
  assert.equal(
    (await fault(context, "SetParameterAttributes", {
      parameterList: [spa("Device.DeviceInfo.SoftwareVersion", 0)],
    })).faultCode,
    9009,
  );
  await ok(context, "SetParameterAttributes", {
    parameterList: [spa("Device.DeviceInfo.", 0)],
  });
  const { parameterList } = await ok<Attributes>(
    context,
    "GetParameterAttributes",
    {
      parameterNames: ["Device.DeviceInfo.SoftwareVersion"],
    },
  );
  assert.equal(parameterList[0].notification, 2);
});

Deno.test("unknown names are 9005 and unknown access-list entities 9003", async () => {
  const context = await simContext();
  assert.equal(
    (await fault(context, "SetParameterAttributes", {
      parameterList: [spa("Device.Nope", 1)],
    })).faultCode,
    9005,
  );
  assert.equal(
    (await fault(context, "GetParameterAttributes", {
      parameterNames: ["Device.Nope."],
    })).faultCode,
    9005,
  );
  assert.equal(
    (await fault(context, "SetParameterAttributes", {
      parameterList: [spa("Device.Time.Enable", 1, ["Neighbour"])],
    })).faultCode,
    9003,
  );
});

Deno.test("attributes survive a restart of the agent on the same state directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await simContext({ store: new FileStateStore(dir) });
    await ok(first, "SetParameterAttributes", {
      parameterList: [spa("Device.Time.Enable", 2, ["Subscriber"])],
    });
    const reloaded = await AttributeStore.load(new FileStateStore(dir));
    assert.deepStrictEqual(reloaded.stored("Device.Time.Enable"), {
      notification: 2,
      accessList: ["Subscriber"],
    });
    const second = await simContext({ store: new FileStateStore(dir) });
    const { parameterList } = await ok<Attributes>(
      second,
      "GetParameterAttributes",
      { parameterNames: ["Device.Time.Enable"] },
    );
    assert.equal(parameterList[0].notification, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("active notification on a partial path skips the parameters below it that deny it, and sets the rest", async () => {
  const context = await simContext();
  await ok(context, "SetParameterAttributes", {
    parameterList: [spa("Device.DeviceInfo.UpTime", 1)],
  });
  await ok(context, "SetParameterAttributes", {
    parameterList: [spa("Device.DeviceInfo.", 2)],
  });
  const { parameterList } = await ok<Attributes>(
    context,
    "GetParameterAttributes",
    {
      parameterNames: [
        "Device.DeviceInfo.UpTime",
        "Device.DeviceInfo.Description",
      ],
    },
  );
  assert.deepStrictEqual(parameterList.map((p) => p.notification), [1, 2]);
  // Named explicitly, it is still refused.
  const f = await fault(context, "SetParameterAttributes", {
    parameterList: [spa("Device.DeviceInfo.UpTime", 2)],
  });
  assert.equal(f.faultCode, 9009);
});
