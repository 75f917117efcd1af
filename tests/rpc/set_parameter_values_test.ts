import assert from "node:assert/strict";
import { createRpcContext } from "../../mod.ts";
import {
  call,
  fault,
  ok,
  simContext,
  testTableAdapter,
} from "../_helpers/device.ts";

type Values = { parameterList: { name: string; value: string }[] };

const value = async (
  context: Awaited<ReturnType<typeof simContext>>,
  name: string,
) =>
  (await ok<Values>(context, "GetParameterValues", { parameterNames: [name] }))
    .parameterList[0].value;

Deno.test("SetParameterValues applies the whole list, returns Status 0 and records the ParameterKey", async () => {
  const context = await simContext();
  const result = await ok(context, "SetParameterValues", {
    parameterList: [
      {
        name: "Device.Time.NTPServer1",
        value: "ntp.example.net",
        type: "string",
      },
      { name: "Device.WiFi.Radio.1.Channel", value: "11", type: "unsignedInt" },
      {
        name: "Device.WiFi.Radio.1.AutoChannelEnable",
        value: "0",
        type: "boolean",
      },
      { name: "Device.ManagementServer.PeriodicInformInterval", value: "600" },
    ],
    parameterKey: "spv-1",
  });
  assert.deepStrictEqual(result, { status: 0 });
  assert.equal(
    await value(context, "Device.Time.NTPServer1"),
    "ntp.example.net",
  );
  assert.equal(await value(context, "Device.WiFi.Radio.1.Channel"), "11");
  assert.equal(
    await value(context, "Device.WiFi.Radio.1.AutoChannelEnable"),
    "false",
  );
  assert.equal(
    await value(context, "Device.ManagementServer.PeriodicInformInterval"),
    "600",
  );
  assert.equal(
    await value(context, "Device.ManagementServer.ParameterKey"),
    "spv-1",
  );
});

Deno.test("SetParameterValues reports every failing parameter with 9005, 9006, 9007 and 9008 under 9003", async () => {
  const context = await simContext();
  const f = await fault(context, "SetParameterValues", {
    parameterList: [
      { name: "Device.Time.NTPServer1", value: "fine.example.net" },
      { name: "Device.Nope", value: "1" },
      { name: "Device.Time.", value: "1" },
      { name: "Device.WiFi.Radio.1.Enable", value: "maybe", type: "boolean" },
      { name: "Device.WiFi.Radio.1.Channel", value: "7", type: "boolean" },
      { name: "Device.WiFi.Radio.1.Channel", value: "300" },
      { name: "Device.WiFi.Radio.1.OperatingChannelBandwidth", value: "10MHz" },
      { name: "Device.DeviceInfo.SerialNumber", value: "X" },
      { name: "Device.ManagementServer.ParameterKey", value: "X" },
    ].filter((_p, i) => i !== 5),
    parameterKey: "never",
  });
  assert.equal(f.faultCode, 9003);
  assert.deepStrictEqual(
    f.parameterFaults.map((p) => [p.parameterName, p.faultCode]),
    [
      ["Device.Nope", 9005],
      ["Device.Time.", 9005],
      ["Device.WiFi.Radio.1.Enable", 9006],
      ["Device.WiFi.Radio.1.Channel", 9006],
      ["Device.WiFi.Radio.1.OperatingChannelBandwidth", 9007],
      ["Device.DeviceInfo.SerialNumber", 9008],
      ["Device.ManagementServer.ParameterKey", 9008],
    ],
  );
  // Nothing was applied, not even the valid entry, and the ParameterKey is unchanged.
  assert.equal(
    await value(context, "Device.Time.NTPServer1"),
    "0.pool.ntp.org",
  );
  assert.equal(
    await value(context, "Device.ManagementServer.ParameterKey"),
    "",
  );
});

Deno.test("SetParameterValues: out of range, too long and not in the enumeration are 9007", async () => {
  const context = await simContext();
  const cases = [
    ["Device.WiFi.Radio.1.Channel", "300"],
    ["Device.WiFi.SSID.1.SSID", "x".repeat(33)],
    ["Device.Firewall.Config", "Paranoid"],
    ["Device.ManagementServer.CWMPRetryMinimumWaitInterval", "0"],
    ["Device.ManagementServer.CWMPRetryIntervalMultiplier", "999"],
  ];
  for (const [name, v] of cases) {
    const f = await fault(context, "SetParameterValues", {
      parameterList: [{ name, value: v }],
      parameterKey: "",
    });
    assert.deepStrictEqual([f.faultCode, f.parameterFaults[0]?.faultCode], [
      9003,
      9007,
    ], name);
  }
});

Deno.test("the same parameter twice in one SetParameterValues is 9003", async () => {
  const context = await simContext();
  const f = await fault(context, "SetParameterValues", {
    parameterList: [{ name: "Device.Time.NTPServer1", value: "a" }, {
      name: "Device.Time.NTPServer1",
      value: "b",
    }],
    parameterKey: "k",
  });
  assert.equal(f.faultCode, 9003);
  assert.equal(f.parameterFaults.length, 0);
});

Deno.test("write-only parameters can be set and still read as empty", async () => {
  const context = await simContext();
  await ok(context, "SetParameterValues", {
    parameterList: [{
      name: "Device.ManagementServer.ConnectionRequestPassword",
      value: "s3cret",
    }],
    parameterKey: "",
  });
  assert.equal(
    await value(context, "Device.ManagementServer.ConnectionRequestPassword"),
    "",
  );
  assert.equal(
    context.device.managementServer("ConnectionRequestPassword"),
    "s3cret",
  );
});

Deno.test("an adapter that fails in the middle of a commit leaves no parameter changed (fault 9002)", async () => {
  const values: Record<string, string> = { A: "a0", B: "b0", C: "c0" };
  const adapter = testTableAdapter(Object.fromEntries(
    ["A", "B", "C"].map((n) => [`Device.X.${n}`, {
      type: { base: "string" as const },
      writable: true,
      get: () => values[n],
      set: (_p: string, v: string) => {
        if (n === "C" && v === "boom") throw new Error("flash write failed");
        values[n] = v;
      },
    }]),
  ));
  const context = await createRpcContext(adapter);
  const f = await fault(context, "SetParameterValues", {
    parameterList: [
      { name: "Device.X.A", value: "a1" },
      { name: "Device.ManagementServer.PeriodicInformInterval", value: "77" },
      { name: "Device.X.B", value: "b1" },
      { name: "Device.X.C", value: "boom" },
    ],
    parameterKey: "k",
  });
  assert.equal(f.faultCode, 9002);
  assert.match(f.faultString, /flash write failed/);
  assert.deepStrictEqual(values, { A: "a0", B: "b0", C: "c0" });
  assert.equal(
    context.device.managementServer("PeriodicInformInterval"),
    "86400",
  );
  assert.equal(context.device.parameterKey, "");
  const again = await call(context, "SetParameterValues", {
    parameterList: [{ name: "Device.X.A", value: "a2" }, {
      name: "Device.X.C",
      value: "c2",
    }],
    parameterKey: "k2",
  });
  assert.equal(again.kind, "response");
  assert.deepStrictEqual(values, { A: "a2", B: "b0", C: "c2" });
});

Deno.test("Status 1 when the device applies the values later", async () => {
  let stored = "x";
  const adapter = testTableAdapter({
    "Device.X.Mode": {
      type: { base: "string" },
      writable: true,
      get: () => stored,
      set: (_p, v) => void (stored = v),
    },
  }, { commit: () => Promise.resolve({ applied: false }) });
  const context = await createRpcContext(adapter);
  assert.deepStrictEqual(
    await ok(context, "SetParameterValues", {
      parameterList: [{ name: "Device.X.Mode", value: "y" }],
      parameterKey: "k",
    }),
    { status: 1 },
  );
  assert.equal(context.device.parameterKey, "k");
});
