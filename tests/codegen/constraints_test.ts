/**
 * The engine enforces generated constraints: out-of-range, too long, not in
 * the enumeration, not matching the pattern → 9007; wrong type → 9006.
 * And `agent run --device sim:tr181` serves the whole model.
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { definitions } from "../../src/device/models/tr181.ts";
import {
  createRpcContext,
  MemoryStateStore,
  SimulatedDevice,
} from "../../mod.ts";
import { spawnAgentRun } from "../_helpers/cli.ts";
import { fault, ok } from "../_helpers/device.ts";

async function tr181() {
  return await createRpcContext(
    await SimulatedDevice.fromDefinitions(definitions, {
      store: new MemoryStateStore(),
    }),
  );
}

async function refusal(name: string, value: string, type?: string) {
  const f = await fault(await tr181(), "SetParameterValues", {
    parameterList: [{ name, value, type }],
    parameterKey: "",
  });
  assert.equal(f.faultCode, 9003);
  return f.parameterFaults[0];
}

Deno.test("a value outside a generated range is 9007", async () => {
  const name =
    "Device.DeviceInfo.MemoryStatus.MemoryMonitor.CriticalRiseThreshold";
  assert.equal((await refusal(name, "101")).faultCode, 9007);
  assert.deepStrictEqual(
    await ok(await tr181(), "SetParameterValues", {
      parameterList: [{ name, value: "100" }],
      parameterKey: "",
    }),
    { status: 0 },
  );
});

Deno.test("a string over the generated length is 9007", async () => {
  const f = await refusal("Device.Time.LocalTimeZone", "x".repeat(257));
  assert.equal(f.faultCode, 9007);
  assert.match(f.faultString, /longer than 256/);
});

Deno.test("a value outside a generated enumeration is 9007", async () => {
  assert.equal(
    (await refusal("Device.Firewall.Config", "Paranoid")).faultCode,
    9007,
  );
  await ok(await tr181(), "SetParameterValues", {
    parameterList: [{ name: "Device.Firewall.Config", value: "Policy" }],
    parameterKey: "",
  });
});

Deno.test("a value that matches no generated pattern is 9007", async () => {
  const f = await refusal("Device.Ethernet.WoL.MACAddress", "00:11:22:33:44");
  assert.equal(f.faultCode, 9007);
  assert.match(f.faultString, /pattern/);
  await ok(await tr181(), "SetParameterValues", {
    parameterList: [{
      name: "Device.Ethernet.WoL.MACAddress",
      value: "00:11:22:33:44:55",
    }],
    parameterKey: "",
  });
});

Deno.test("a value of the wrong type is 9006", async () => {
  assert.equal(
    (await refusal(
      "Device.DeviceInfo.MemoryStatus.MemoryMonitor.CriticalRiseThreshold",
      "high",
    )).faultCode,
    9006,
  );
  assert.equal(
    (await refusal("Device.Firewall.Config", "1", "boolean")).faultCode,
    9006,
  );
});

Deno.test("agent run --device sim:tr181 answers GetParameterNames on Device. with the full model", async () => {
  const acs = new FixtureAcs({
    sessions: [{
      requests: [{
        kind: "request",
        method: "GetParameterNames",
        args: { parameterPath: "Device.", nextLevel: false },
      }],
    }],
  });
  await acs.start();
  const dir = await Deno.makeTempDir();
  try {
    const child = spawnAgentRun([
      "--device",
      "sim:tr181",
      "--state-dir",
      dir,
      "--acs-url",
      acs.url,
      "--cr-port",
      "0",
    ]);
    await acs.waitForSessions(1);
    child.kill("SIGTERM");
    const { code, stderr } = await child.output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const response = acs.sessions[0].messages.find((m) =>
      m.decoded?.body.kind === "response"
    )?.decoded?.body;
    if (
      response?.kind !== "response" || response.method !== "GetParameterNames"
    ) throw new Error("no GetParameterNamesResponse");
    const names = new Set(response.args.parameterList.map((p) => p.name));
    // Every parameter outside a table, and every table, of the model is listed
    // (ManagementServer is the agent's own, with only what it implements).
    for (const d of definitions.parameters) {
      if (
        !d.path.includes("{i}") &&
        !d.path.startsWith("Device.ManagementServer.")
      ) assert.ok(names.has(d.path), d.path);
    }
    for (const o of definitions.objects) {
      const table = o.path.slice(0, o.path.indexOf("{i}"));
      // Tables that are not inside another table's instances.
      if (
        o.path.indexOf("{i}") === o.path.length - 4 &&
        !table.startsWith("Device.ManagementServer.")
      ) {
        assert.ok(names.has(table), table);
      }
    }
    assert.ok(names.size > 1200, `${names.size} names`);
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
