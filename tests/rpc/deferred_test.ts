import assert from "node:assert/strict";
import {
  FileStateStore,
  runDeferredAction,
  SimulatedDevice,
} from "../../mod.ts";
import { createRpcContext } from "../../src/rpc/context.ts";
import {
  DEFAULT,
  fault,
  ok,
  simContext,
  testTableAdapter,
} from "../_helpers/device.ts";
import { handleRequest } from "../../src/rpc/handlers.ts";

Deno.test("Reboot records M Reboot with its CommandKey for the next boot and defers the reboot", async () => {
  const context = await simContext();
  const handled = await handleRequest({
    kind: "request",
    method: "Reboot",
    args: { commandKey: "rb-1" },
  }, context);
  assert.equal(handled.body.kind, "response");
  assert.deepStrictEqual(handled.after, [{
    kind: "reboot",
    commandKey: "rb-1",
  }]);
  const device = context.device.device as SimulatedDevice;
  // Tagged with the boot it was answered in: a later boot raises it.
  const bootId = await device.bootId();
  assert.deepStrictEqual(context.state.current.bootEvents, [{
    eventCode: "M Reboot",
    commandKey: "rb-1",
    bootId,
  }]);
  assert.deepStrictEqual(context.state.current.pendingActions, [{
    kind: "reboot",
    commandKey: "rb-1",
    bootId,
  }]);
  assert.equal(
    device.counters.reboots,
    0,
    "nothing happens before the session ends",
  );
  await runDeferredAction(handled.after[0], context);
  assert.equal(device.counters.reboots, 1);
  assert.notEqual(await device.bootId(), bootId, "a reboot is a new boot");
});

Deno.test("FactoryReset records 0 BOOTSTRAP, and the reset clears attributes, schedules and agent parameters", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const context = await createRpcContext(
      SimulatedDevice.fromSnapshot(DEFAULT, { store: new FileStateStore(dir) }),
    );
    await ok(context, "SetParameterValues", {
      parameterList: [{
        name: "Device.ManagementServer.PeriodicInformInterval",
        value: "60",
      }, { name: "Device.Time.NTPServer1", value: "x" }],
      parameterKey: "before",
    });
    await ok(context, "ScheduleInform", { delaySeconds: 30, commandKey: "s" });
    const handled = await handleRequest({
      kind: "request",
      method: "FactoryReset",
      args: {},
    }, context);
    assert.deepStrictEqual(handled.after, [{ kind: "factoryReset" }]);
    const bootId = await context.device.currentBootId();
    assert.deepStrictEqual(context.state.current.bootEvents, [{
      eventCode: "0 BOOTSTRAP",
      commandKey: "",
      bootId,
    }]);
    await runDeferredAction(handled.after[0], context);
    const after = await createRpcContext(
      SimulatedDevice.fromSnapshot(DEFAULT, { store: new FileStateStore(dir) }),
    );
    assert.deepStrictEqual(after.state.current.bootEvents, [{
      eventCode: "0 BOOTSTRAP",
      commandKey: "",
      bootId,
    }]);
    assert.deepStrictEqual(after.state.current.pendingActions, []);
    assert.deepStrictEqual(after.state.current.scheduledInforms, []);
    assert.equal(
      after.device.managementServer("PeriodicInformInterval"),
      "86400",
    );
    assert.equal(after.device.parameterKey, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ScheduleInform records a durable schedule due DelaySeconds from now", async () => {
  const now = new Date("2026-11-26T10:00:00Z");
  const context = await simContext({ now: () => now });
  await ok(context, "ScheduleInform", { delaySeconds: 90, commandKey: "a" });
  await ok(context, "ScheduleInform", { delaySeconds: 30, commandKey: "b" });
  assert.deepStrictEqual(context.state.current.scheduledInforms, [
    { dueAt: "2026-11-26T10:01:30.000Z", commandKey: "a" },
    { dueAt: "2026-11-26T10:00:30.000Z", commandKey: "b" },
  ]);
});

Deno.test("ScheduleInform with DelaySeconds 0 is 9003", async () => {
  const context = await simContext();
  assert.equal(
    (await fault(context, "ScheduleInform", {
      delaySeconds: 0,
      commandKey: "",
    })).faultCode,
    9003,
  );
  assert.deepStrictEqual(context.state.current.scheduledInforms, []);
});

Deno.test("GetRPCMethods lists exactly the implemented methods; others are 9000", async () => {
  const context = await simContext();
  const { methodList } = await ok<{ methodList: string[] }>(
    context,
    "GetRPCMethods",
    {},
  );
  assert.deepStrictEqual(methodList, [
    "GetRPCMethods",
    "SetParameterValues",
    "GetParameterValues",
    "GetParameterNames",
    "SetParameterAttributes",
    "GetParameterAttributes",
    "AddObject",
    "DeleteObject",
    "Reboot",
    "FactoryReset",
    "ScheduleInform",
    "Download",
    "Upload",
    "GetQueuedTransfers",
    "GetAllQueuedTransfers",
    "ScheduleDownload",
    "CancelTransfer",
  ]);
  for (const method of ["ChangeDUState", "SetVouchers", "X_ACME_Thing"]) {
    assert.equal((await fault(context, method, {})).faultCode, 9000, method);
  }
});

Deno.test("a device error outside CwmpFault becomes 9002 Internal error", async () => {
  const adapter = testTableAdapter({
    "Device.X.Flaky": {
      type: { base: "string" },
      get: () => Promise.reject(new Error("bus error")),
    },
  });
  const context = await createRpcContext(adapter);
  const handled = await handleRequest({
    kind: "request",
    method: "GetParameterValues",
    args: { parameterNames: ["Device.X.Flaky"] },
  }, context);
  assert.equal(handled.body.kind === "fault" && handled.body.faultCode, 9002);
  assert.match(String((handled.fault?.cause as Error).message), /bus error/);
});
