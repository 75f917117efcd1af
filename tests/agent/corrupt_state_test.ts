/** State files are not trusted when read back: checked, repaired, kept aside, reported. */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { runAgent } from "../_helpers/cli.ts";
import { startAgent } from "../_helpers/agent_process.ts";
import {
  AttributeStore,
  FileStateStore,
  type StateProblem,
} from "../../mod.ts";
import { createRpcContext } from "../../src/rpc/context.ts";
import { SimulatedDevice } from "../../src/device/simulated.ts";
import { DEFAULT } from "../_helpers/device.ts";

async function corruptCopies(dir: string, key: string): Promise<string[]> {
  const out = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(`${key}.json.corrupt-`)) out.push(entry.name);
  }
  return out;
}

Deno.test("stored ManagementServer values are checked like SetParameterValues: a bad one takes its factory value, reported by file and field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/agent-parameters.json`,
      JSON.stringify({
        values: {
          "Device.ManagementServer.CWMPRetryMinimumWaitInterval": "-7",
          "Device.ManagementServer.PeriodicInformInterval": "banana",
          "Device.ManagementServer.PeriodicInformEnable": "false",
          "Device.ManagementServer.Username": 42,
        },
      }),
    );
    const problems: StateProblem[] = [];
    const context = await createRpcContext(
      SimulatedDevice.fromSnapshot(DEFAULT, {
        store: new FileStateStore(dir),
      }),
      { onStateProblem: (p) => problems.push(p) },
    );
    const ms = (name: string) => context.device.managementServer(name);
    assert.equal(ms("CWMPRetryMinimumWaitInterval"), "5");
    assert.equal(ms("PeriodicInformInterval"), "86400");
    assert.equal(ms("PeriodicInformEnable"), "false", "valid values stay");
    assert.equal(ms("Username"), "");
    assert.deepStrictEqual(
      problems.map((p) => `${p.key} ${p.field}`),
      [
        "agent-parameters values.Device.ManagementServer.CWMPRetryMinimumWaitInterval",
        "agent-parameters values.Device.ManagementServer.PeriodicInformInterval",
        "agent-parameters values.Device.ManagementServer.Username",
      ],
    );
    assert.equal((await corruptCopies(dir, "agent-parameters")).length, 1);
    // The repaired file holds what was valid.
    const repaired = JSON.parse(
      await Deno.readTextFile(`${dir}/agent-parameters.json`),
    );
    assert.deepStrictEqual(repaired.values, {
      "Device.ManagementServer.PeriodicInformEnable": "false",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unreadable state file is kept aside and reported, never silently replaced", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const key of ["agent-parameters", "agent-state", "attributes"]) {
      await Deno.writeTextFile(`${dir}/${key}.json`, '{"values": {"trunc');
    }
    const problems: StateProblem[] = [];
    const context = await createRpcContext(
      SimulatedDevice.fromSnapshot(DEFAULT, {
        store: new FileStateStore(dir),
      }),
      { onStateProblem: (p) => problems.push(p) },
    );
    assert.equal(
      context.device.managementServer("PeriodicInformEnable"),
      "true",
    );
    assert.deepStrictEqual(
      problems.map((p) => p.key).sort(),
      ["agent-parameters", "agent-state", "attributes"],
    );
    for (const p of problems) assert.match(p.problem, /not valid JSON/);
    for (const key of ["agent-parameters", "agent-state", "attributes"]) {
      const [copy] = await corruptCopies(dir, key);
      assert.equal(
        await Deno.readTextFile(`${dir}/${copy}`),
        '{"values": {"trunc',
        "kept as found",
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("attributes, queued schedules and instance counters that the RPCs could not have stored are dropped one by one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/attributes.json`,
      JSON.stringify({
        "Device.Time.Enable": { notification: 1, accessList: [] },
        "Device.Time.NTPServer1": { notification: 9, accessList: [] },
        "Device.Time.NTPServer2": { notification: 2, accessList: "all" },
      }),
    );
    await Deno.writeTextFile(
      `${dir}/agent-state.json`,
      JSON.stringify({
        bootEvents: [{ eventCode: "M Reboot", commandKey: "k" }, { x: 1 }],
        scheduledInforms: [
          { dueAt: "2026-01-01T00:00:00.000Z", commandKey: "ok" },
          { dueAt: "tomorrow-ish", commandKey: "bad" },
        ],
        nextInstance: { "Device.IP.Interface.": -3 },
        pendingActions: "reboot please",
      }),
    );
    const problems: StateProblem[] = [];
    const store = new FileStateStore(dir);
    const attributes = await AttributeStore.load(store, {
      onProblem: (p) => problems.push(p),
    });
    assert.deepStrictEqual(attributes.paths(), ["Device.Time.Enable"]);
    const context = await createRpcContext(
      SimulatedDevice.fromSnapshot(DEFAULT, { store }),
      { onStateProblem: (p) => problems.push(p) },
    );
    const state = context.state.current;
    assert.deepStrictEqual(state.bootEvents, [{
      eventCode: "M Reboot",
      commandKey: "k",
    }]);
    assert.deepStrictEqual(state.scheduledInforms.map((s) => s.commandKey), [
      "ok",
    ]);
    assert.deepStrictEqual(state.nextInstance, {});
    assert.deepStrictEqual(state.pendingActions, []);
    const fields = problems.map((p) => `${p.key}:${p.field}`);
    for (
      const expected of [
        "attributes:Device.Time.NTPServer1",
        "attributes:Device.Time.NTPServer2",
        "agent-state:bootEvents[1]",
        "agent-state:scheduledInforms[1]",
        "agent-state:nextInstance",
        "agent-state:pendingActions",
      ]
    ) assert.ok(fields.includes(expected), `${expected} in ${fields}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agent status and agent run on a malformed queue: a report, not a stack trace; the agent repairs it and keeps a sane retry", async () => {
  const acs = new FixtureAcs({ sessions: [{ failure: "http500" }] });
  await acs.start();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/event-queue.json`,
      JSON.stringify({ events: 5, retryCount: "many" }),
    );
    await Deno.writeTextFile(
      `${dir}/agent-parameters.json`,
      JSON.stringify({
        values: {
          "Device.ManagementServer.CWMPRetryMinimumWaitInterval": "-7",
          "Device.ManagementServer.URL": acs.url,
        },
      }),
    );
    const status = await runAgent(["status", "--state-dir", dir, "--json"]);
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout);
    assert.deepStrictEqual(
      report.stateProblems.map((p: StateProblem) => p.field),
      ["events", "retryCount"],
    );
    const human = await runAgent(["status", "--state-dir", dir]);
    assert.match(human.stdout, /state problem: +event-queue\.json events/);

    const agent = startAgent([
      "--state-dir",
      dir,
      "--acs-url",
      acs.url,
      "--cr-port",
      "0",
    ]);
    try {
      await agent.waitFor((l) => l.msg === "session");
      // A retry minimum of -7 would retry at once, again and again.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal(acs.sessions.length, 1, "the first retry waits 5–10 s");
      const repaired = agent.lines.filter((l) =>
        l.msg === "state file repaired"
      );
      assert.ok(
        repaired.some((l) =>
          l.key === "agent-parameters" &&
          String(l.field).endsWith("CWMPRetryMinimumWaitInterval")
        ),
        JSON.stringify(agent.lines),
      );
      assert.ok(repaired.some((l) => l.key === "event-queue"));
    } finally {
      assert.equal(await agent.stop(), 0);
    }
    assert.equal((await corruptCopies(dir, "event-queue")).length, 1);
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
