/** What one ACS request may cost the CPE is bounded. */
import assert from "node:assert/strict";
import {
  FileStateStore,
  ResponseBudget,
  RPC_LIMITS,
  SimulatedDevice,
} from "../../mod.ts";
import { createRpcContext } from "../../src/rpc/context.ts";
import { DEFAULT, fault, ok, simContext } from "../_helpers/device.ts";

Deno.test("GetParameterValues naming Device. a hundred thousand times is one walk, each parameter once", async () => {
  const context = await simContext();
  const start = performance.now();
  const { parameterList } = await ok<{ parameterList: { name: string }[] }>(
    context,
    "GetParameterValues",
    { parameterNames: Array(100_000).fill("Device.") },
  );
  const ms = performance.now() - start;
  assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
  const names = parameterList.map((p) => p.name);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.length > 400);
});

Deno.test("SetParameterValues of thirty thousand unknown names gets a bounded fault", async () => {
  const context = await simContext();
  const f = await fault(context, "SetParameterValues", {
    parameterList: Array.from({ length: 30_000 }, (_, i) => ({
      name: `Device.Nope.P${i}`,
      value: "x",
    })),
    parameterKey: "",
  });
  assert.equal(f.faultCode, 9003);
  assert.equal(f.parameterFaults.length, RPC_LIMITS.maxParameterFaults);
  assert.match(f.faultString, /30000 parameters, the first 256 listed/);
});

Deno.test("an answer past the response limits is 9004, found before it is built", async () => {
  const budget = new ResponseBudget("GetParameterValues");
  assert.throws(() => {
    for (let i = 0; i <= RPC_LIMITS.maxResponseEntries; i++) budget.add(10);
  }, /more than 100000 entries/);
  // Two values of 9 MiB each: past the 16 MiB the answer may carry.
  const big = "x".repeat(9 * 1024 * 1024);
  const device = SimulatedDevice.fromSnapshot({
    "Device.DeviceInfo.SerialNumber": { value: "1" },
    "Device.X.A": { value: big },
    "Device.X.B": { value: big },
  });
  const context = await createRpcContext(device);
  const f = await fault(context, "GetParameterValues", {
    parameterNames: ["Device.X."],
  });
  assert.equal(f.faultCode, 9004);
  assert.match(f.faultString, /larger than 16777216 bytes/);
});

Deno.test("pending ScheduleInforms are capped: the 65th is 9004", async () => {
  const context = await simContext();
  for (let i = 0; i < RPC_LIMITS.maxScheduledInforms; i++) {
    await ok(context, "ScheduleInform", {
      delaySeconds: 60 + i,
      commandKey: `k${i}`,
    });
  }
  const f = await fault(context, "ScheduleInform", {
    delaySeconds: 60,
    commandKey: "one too many",
  });
  assert.equal(f.faultCode, 9004);
  assert.equal(context.state.current.scheduledInforms.length, 64);
});

Deno.test("AddObject costs the same at the 1,500th instance as at the first (state on disk), and a table without MaxEntries still has a bound", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const context = await createRpcContext(
      await SimulatedDevice.restore(DEFAULT, {
        store: new FileStateStore(dir),
      }),
    );
    const table = "Device.IP.Interface.1.IPv6Address.";
    // Batches of 250; the last one starts past 1,250 instances.
    const batch = async () => {
      const start = performance.now();
      for (let i = 0; i < 250; i++) {
        await ok(context, "AddObject", { objectName: table, parameterKey: "" });
      }
      return performance.now() - start;
    };
    const first = await batch();
    for (let i = 0; i < 4; i++) await batch();
    const last = await batch();
    assert.ok(
      last < first * 2.5,
      `first 250: ${first.toFixed(0)} ms, last 250: ${last.toFixed(0)} ms`,
    );
    // Restored from disk, every instance is there.
    const again = await createRpcContext(
      await SimulatedDevice.restore(DEFAULT, {
        store: new FileStateStore(dir),
      }),
    );
    assert.equal((await again.model.view().instances(table)).length, 1501);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const context = await simContext();
  for (let i = 1; i < RPC_LIMITS.maxInstancesPerTable; i++) {
    await ok(context, "AddObject", {
      objectName: "Device.IP.Interface.2.IPv6Address.",
      parameterKey: "",
    });
  }
  const f = await fault(context, "AddObject", {
    objectName: "Device.IP.Interface.2.IPv6Address.",
    parameterKey: "",
  });
  assert.equal(f.faultCode, 9004);
});
