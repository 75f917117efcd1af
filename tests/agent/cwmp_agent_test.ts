/** The agent over real sockets, with timers on a fake clock. */
import assert from "node:assert/strict";
import { FixtureAcs, type FixtureAcsOptions } from "../../src/acs/fixture.ts";
import {
  CwmpAgent,
  type CwmpAgentOptions,
  nextPeriodicInform,
} from "../../src/agent/mod.ts";
import {
  FileStateStore,
  MemoryStateStore,
  SimulatedDevice,
  type StateStore,
} from "../../mod.ts";
import { createRpcContext } from "../../src/rpc/context.ts";
import { retryWindow } from "../../src/session/retry.ts";
import { DEFAULT } from "../_helpers/device.ts";
import { rig as makeRig } from "../_helpers/agent.ts";

/** The shared rig, called the way these tests always have. */
const rig = (
  acs: FixtureAcsOptions = {},
  agent: Partial<CwmpAgentOptions> = {},
  store: StateStore = new MemoryStateStore(),
  defaults: Record<string, string> = {},
) => makeRig({ acs, agent, store, defaults });

const informRetryCount = (acs: FixtureAcs, i: number) => {
  const body = acs.sessions[i].messages[0].decoded!.body;
  return body.kind === "request" && body.method === "Inform"
    ? body.args.retryCount
    : -1;
};

Deno.test("first boot sends 0 BOOTSTRAP + 1 BOOT; the next start only 1 BOOT; a new ACS URL bootstraps again", async () => {
  const store = new MemoryStateStore();
  const first = await rig({}, {}, store);
  await first.agent.start();
  await first.agent.idle();
  assert.deepStrictEqual(first.acs.sessions.map((s) => s.events), [[
    "0 BOOTSTRAP",
    "1 BOOT",
  ]]);
  await first.stop();

  const second = await rig({}, {}, store);
  await second.agent.start();
  await second.agent.idle();
  // Another fixture means another URL: a new ACS gets a BOOTSTRAP.
  assert.deepStrictEqual(second.acs.sessions.map((s) => s.events), [[
    "0 BOOTSTRAP",
    "1 BOOT",
  ]]);
  await second.stop();

  const acs = new FixtureAcs({ port: Number(new URL(second.acs.url).port) });
  await acs.start();
  const context = await createRpcContext(
    SimulatedDevice.fromSnapshot(DEFAULT, { store }),
    { defaults: { URL: acs.url } },
  );
  const third = new CwmpAgent({
    context,
    connectionRequest: false,
    notificationPollMs: 0,
  });
  await third.start();
  await third.idle();
  await third.stop();
  await acs.stop();
  assert.deepStrictEqual(
    acs.sessions.map((s) => s.events),
    [["1 BOOT"]],
    "same URL as before: no BOOTSTRAP",
  );
});

Deno.test("failed sessions are retried on the spec's schedule with RetryCount, which resets on success", async () => {
  const failing = Array.from(
    { length: 4 },
    () => ({ failure: "http500" as const }),
  );
  const r = await rig({ sessions: failing });
  try {
    await r.agent.start();
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 1);
    for (let retry = 1; retry <= 4; retry++) {
      const { min, max } = retryWindow(retry);
      const due = r.clock.nextTimer! - r.clock.now();
      assert.ok(
        due >= min * 1000 && due <= max * 1000,
        `retry ${retry}: ${due} ms not in [${min}, ${max}] s`,
      );
      assert.equal(due, (min + (max - min) * 0.5) * 1000);
      await r.clock.advance(due);
      await r.agent.idle();
      assert.equal(r.acs.sessions.length, retry + 1);
      assert.equal(informRetryCount(r.acs, retry), retry);
      // The events of the failed sessions are still offered.
      assert.deepStrictEqual(r.acs.sessions[retry].events, [
        "0 BOOTSTRAP",
        "1 BOOT",
      ]);
    }
    assert.equal(r.acs.sessions[4].ended, true);
    assert.equal(r.agent.status.retryCount, 0);
    assert.deepStrictEqual(r.agent.status.events, []);
  } finally {
    await r.stop();
  }
});

Deno.test("an ACS that drops the connection, hangs or answers 8005 loses no event", async () => {
  const r = await rig({
    sessions: [{ failure: "drop" }, { failure: "hang" }, { informFault: 8005 }],
  }, { client: { timeoutMs: 200 } });
  try {
    await r.agent.start();
    for (let i = 0; i < 3; i++) {
      await r.agent.idle();
      await r.clock.advance(r.clock.nextTimer! - r.clock.now());
    }
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 4);
    assert.deepStrictEqual(r.acs.sessions[3].events, ["0 BOOTSTRAP", "1 BOOT"]);
    assert.deepStrictEqual(
      [0, 1, 2, 3].map((i) => informRetryCount(r.acs, i)),
      [0, 1, 2, 3],
    );
    assert.equal(r.acs.sessions[3].ended, true);
  } finally {
    await r.stop();
  }
});

Deno.test("a connection request is not retried after a failed session, M Reboot is", async () => {
  const r = await rig({
    sessions: [
      {
        requests: [{
          kind: "request",
          method: "Reboot",
          args: { commandKey: "rb" },
        }],
      },
      { failure: "http500" },
      { failure: "http500" },
    ],
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    assert.equal(
      r.acs.sessions.length,
      2,
      "the reboot starts a second session at once",
    );
    assert.deepStrictEqual(r.acs.sessions[1].events, ["1 BOOT", "M Reboot"]);
    assert.equal(r.device.counters.reboots, 1);
    // A new event during the retry wait starts a session at once (digest §3.4).
    await r.agent.trigger([{
      eventCode: "6 CONNECTION REQUEST",
      commandKey: "",
    }]);
    await r.agent.idle();
    assert.deepStrictEqual(r.acs.sessions[2].events, [
      "1 BOOT",
      "M Reboot",
      "6 CONNECTION REQUEST",
    ]);
    assert.equal(informRetryCount(r.acs, 2), 1);
    await r.clock.advance(r.clock.nextTimer! - r.clock.now());
    await r.agent.idle();
    assert.deepStrictEqual(r.acs.sessions[3].events, ["1 BOOT", "M Reboot"]);
    assert.equal(r.acs.sessions[3].ended, true);
  } finally {
    await r.stop();
  }
});

Deno.test("periodic informs follow PeriodicInformTime + n × interval", async () => {
  assert.equal(
    nextPeriodicInform(
      Date.UTC(2026, 0, 1, 0, 0, 1),
      86400,
      "2020-06-01T00:00:00Z",
    ),
    Date.UTC(2026, 0, 2),
  );
  assert.equal(
    nextPeriodicInform(Date.UTC(2026, 0, 1), 60, "2030-01-01T00:00:30Z"),
    Date.UTC(2026, 0, 1, 0, 0, 30),
  );
  assert.equal(nextPeriodicInform(1000, 60, "0001-01-01T00:00:00Z"), 61_000);
  const r = await rig({}, {}, new MemoryStateStore(), {
    PeriodicInformInterval: "300",
    PeriodicInformTime: "2026-11-26T10:02:00Z",
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    assert.equal(r.clock.nextTimer, Date.UTC(2026, 10, 26, 10, 2));
    await r.clock.advance(120_000);
    await r.agent.idle();
    assert.deepStrictEqual(r.acs.sessions[1].events, ["2 PERIODIC"]);
    assert.equal(r.clock.nextTimer, Date.UTC(2026, 10, 26, 10, 7));
  } finally {
    await r.stop();
  }
});

Deno.test("ScheduleInform fires 3 SCHEDULED + M ScheduleInform at its time, also after a restart", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStateStore(dir);
  const r = await rig(
    {
      sessions: [{
        requests: [{
          kind: "request",
          method: "ScheduleInform",
          args: { delaySeconds: 90, commandKey: "later" },
        }],
      }],
    },
    {},
    store,
    { PeriodicInformEnable: "false" },
  );
  try {
    await r.agent.start();
    await r.agent.idle();
    await r.stop();
    // A new agent on the same state (a restart) still fires it.
    const acs = new FixtureAcs({ port: Number(new URL(r.acs.url).port) });
    await acs.start();
    const context = await createRpcContext(
      SimulatedDevice.fromSnapshot(DEFAULT, { store }),
      {
        now: () => new Date(r.clock.now()),
        defaults: { URL: acs.url, PeriodicInformEnable: "false" },
      },
    );
    const agent = new CwmpAgent({
      context,
      clock: r.clock,
      connectionRequest: false,
      notificationPollMs: 0,
    });
    await agent.start();
    await agent.idle();
    await r.clock.advance(90_000);
    await agent.idle();
    await agent.stop();
    await acs.stop();
    assert.deepStrictEqual(acs.sessions.at(-1)!.events, [
      "3 SCHEDULED",
      "M ScheduleInform",
    ]);
    const inform = acs.sessions.at(-1)!.messages[0].decoded!.body;
    assert.deepStrictEqual(
      inform.kind === "request" && inform.method === "Inform" &&
        inform.args.event.map((e) => e.commandKey),
      ["", "later"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("value changes: active starts a session with 4 VALUE CHANGE, passive waits, ACS changes never notify", async () => {
  const spa = (name: string, notification: number) => ({
    name,
    notificationChange: true,
    notification,
    accessListChange: false,
    accessList: [],
  });
  const r = await rig({
    sessions: [{
      requests: [
        {
          kind: "request",
          method: "SetParameterAttributes",
          args: {
            parameterList: [
              spa("Device.WiFi.SSID.1.SSID", 2),
              spa("Device.Time.NTPServer1", 1),
            ],
          },
        },
        {
          kind: "request",
          method: "SetParameterValues",
          args: {
            parameterList: [{
              name: "Device.WiFi.SSID.1.SSID",
              value: "by-acs",
            }],
            parameterKey: "",
          },
        },
      ],
    }],
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    await r.agent.checkNotifications();
    await r.agent.idle();
    assert.equal(
      r.acs.sessions.length,
      1,
      "the ACS's own change does not notify",
    );
    await r.device.setValues([{
      path: "Device.Time.NTPServer1",
      value: "local.ntp",
    }]);
    await r.agent.checkNotifications();
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 1, "a passive change waits");
    await r.device.setValues([{
      path: "Device.WiFi.SSID.1.SSID",
      value: "by-user",
    }]);
    await r.agent.checkNotifications();
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 2);
    assert.deepStrictEqual(r.acs.sessions[1].events, ["4 VALUE CHANGE"]);
    const body = r.acs.sessions[1].messages[0].decoded!.body;
    const values = body.kind === "request" && body.method === "Inform"
      ? Object.fromEntries(
        body.args.parameterList.map((p) => [p.name, p.value]),
      )
      : {};
    assert.equal(values["Device.WiFi.SSID.1.SSID"], "by-user");
    assert.equal(values["Device.Time.NTPServer1"], "local.ntp");
  } finally {
    await r.stop();
  }
});

Deno.test("a connection request starts a session at once; several during a session queue exactly one more", async () => {
  const r = await rig({
    sessions: [{}, {
      requests: [{
        kind: "request",
        method: "GetParameterValues",
        args: { parameterNames: ["Device.DeviceInfo."] },
      }],
    }],
  }, { connectionRequest: { port: 0 } });
  try {
    await r.agent.start();
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 1);
    const start = performance.now();
    assert.equal(
      await FixtureAcs.connectionRequest(
        r.agent.connectionRequestUrl!,
        "acs",
        "cr-secret",
      ),
      200,
    );
    // Three more arrive while that session runs.
    await Promise.all(
      [1, 2, 3].map(() =>
        FixtureAcs.connectionRequest(
          r.agent.connectionRequestUrl!,
          "acs",
          "cr-secret",
        )
      ),
    );
    await r.acs.waitForSessions(2);
    assert.ok(performance.now() - start < 1000, "session within 1 s");
    await r.agent.idle();
    assert.ok(r.acs.sessions.length <= 3, `${r.acs.sessions.length} sessions`);
    assert.deepStrictEqual(r.acs.sessions[1].events, ["6 CONNECTION REQUEST"]);
    assert.equal(
      await FixtureAcs.connectionRequest(
        r.agent.connectionRequestUrl!,
        "acs",
        "nope",
      ),
      401,
    );
    await r.agent.idle();
    assert.ok(r.acs.sessions.length <= 3);
  } finally {
    await r.stop();
  }
});

Deno.test("events triggered at the same moment are all kept, in memory and in the queue on disk", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStateStore(dir);
  // CWMP off: nothing is delivered, so the queue shows exactly what was kept.
  const r = await rig({}, {}, store, {
    EnableCWMP: "false",
    PeriodicInformEnable: "false",
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    await Promise.all(
      ["one", "two", "three"].map((commandKey) =>
        r.agent.trigger([{ eventCode: "M ScheduleInform", commandKey }])
      ),
    );
    await r.agent.idle();
    const keys = (
      events: readonly { eventCode: string; commandKey: string }[],
    ) =>
      events.filter((e) => e.eventCode === "M ScheduleInform").map((e) =>
        e.commandKey
      );
    assert.deepStrictEqual(keys(r.agent.status.events), [
      "one",
      "two",
      "three",
    ]);
    const onDisk = await store.read("event-queue") as {
      events: { eventCode: string; commandKey: string }[];
    };
    assert.deepStrictEqual(keys(onDisk.events), ["one", "two", "three"]);
  } finally {
    await r.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
