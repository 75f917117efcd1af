/**
 * What the agent exposes in ManagementServer acts: ScheduleReboot,
 * DelayReboot, HTTPConnectionRequestEnable, EnableCWMP; and notified values
 * are never lost.
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { MemoryStateStore } from "../../mod.ts";
import { createRpcContext } from "../../src/rpc/context.ts";
import { CwmpAgent } from "../../src/agent/cwmp_agent.ts";
import { FakeClock } from "../../src/agent/clock.ts";
import { informOf, nextTimer, rig } from "../_helpers/agent.ts";
import { testTableAdapter } from "../_helpers/device.ts";
import { spa, spv } from "../_helpers/requests.ts";

const MS = "Device.ManagementServer.";

Deno.test("ManagementServer.ScheduleReboot reboots the device at that time (after a running session), once", async () => {
  const start = Date.UTC(2026, 10, 26, 10);
  const at = new Date(start + 120_000).toISOString().replace(".000Z", "Z");
  const r = await rig({
    acs: { sessions: [{ requests: [spv([[`${MS}ScheduleReboot`, at]])] }] },
    defaults: { PeriodicInformEnable: "false" },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    assert.equal(r.device.counters.reboots, 0);
    assert.equal(await nextTimer(r), start + 120_000);
    assert.equal(r.device.counters.reboots, 1);
    assert.deepStrictEqual(r.acs.sessions.at(-1)!.events, ["1 BOOT"]);
    // The time has passed now: nothing more happens.
    await r.clock.advance(86_400_000);
    await r.agent.idle();
    assert.equal(r.device.counters.reboots, 1);
  } finally {
    await r.stop();
  }
});

Deno.test("ManagementServer.DelayReboot reboots the device that many seconds after the session ends, then reads -1", async () => {
  const r = await rig({
    acs: { sessions: [{ requests: [spv([[`${MS}DelayReboot`, "30"]])] }] },
    defaults: { PeriodicInformEnable: "false" },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    const ended = r.clock.now();
    assert.equal(r.context.device.managementServer("DelayReboot"), "30");
    assert.equal(await nextTimer(r), ended + 30_000);
    assert.equal(r.device.counters.reboots, 1);
    assert.equal(r.context.device.managementServer("DelayReboot"), "-1");
    assert.equal(r.context.state.current.delayRebootAt, undefined);
    assert.deepStrictEqual(r.acs.sessions.at(-1)!.events, ["1 BOOT"]);
  } finally {
    await r.stop();
  }
});

Deno.test("HTTPConnectionRequestEnable=false closes the listener and stops publishing its URL; true reopens it", async () => {
  const r = await rig({
    acs: {
      sessions: [
        {},
        { requests: [spv([[`${MS}HTTPConnectionRequestEnable`, "false"]])] },
      ],
    },
    agent: { connectionRequest: { port: 0 } },
    defaults: { PeriodicInformEnable: "false" },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    const url = r.agent.connectionRequestUrl!;
    assert.equal(
      r.context.device.managementServer("ConnectionRequestURL"),
      url,
    );
    assert.equal(
      await FixtureAcs.connectionRequest(url, "acs", "cr-secret"),
      200,
    );
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 2);
    assert.equal(r.agent.connectionRequestUrl, undefined);
    assert.equal(r.context.device.managementServer("ConnectionRequestURL"), "");
    await assert.rejects(fetch(url), "nothing listens any more");
    // A LAN-side change (the configuration, the local interface) turns it back on.
    await r.context.device.setManagementServer({
      HTTPConnectionRequestEnable: "true",
    });
    await r.agent.idle();
    const again = r.agent.connectionRequestUrl!;
    assert.ok(again);
    assert.equal(
      r.context.device.managementServer("ConnectionRequestURL"),
      again,
    );
    assert.equal(
      await FixtureAcs.connectionRequest(again, "acs", "cr-secret"),
      200,
    );
    await r.agent.idle();
    assert.deepStrictEqual(r.acs.sessions.at(-1)!.events, [
      "6 CONNECTION REQUEST",
    ]);
  } finally {
    await r.stop();
  }
});

Deno.test("EnableCWMP=false stops sessions and connection requests until it is true again", async () => {
  const r = await rig({
    acs: { sessions: [{ requests: [spv([[`${MS}EnableCWMP`, "false"]])] }] },
    agent: { connectionRequest: { port: 0 } },
    defaults: { PeriodicInformInterval: "60" },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 1);
    assert.equal(r.agent.connectionRequestUrl, undefined, "listener closed");
    await r.agent.trigger([{ eventCode: "X 00D09E Poke", commandKey: "" }]);
    await r.clock.advance(600_000);
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 1, "no Inform while CWMP is disabled");
    await r.context.device.setManagementServer({ EnableCWMP: "true" });
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 2);
    assert.ok(r.acs.sessions[1].events.includes("X 00D09E Poke"));
    assert.ok(r.agent.connectionRequestUrl);
  } finally {
    await r.stop();
  }
});

Deno.test("the baseline is taken when notification is turned on: a change right after SetParameterAttributes is reported", async () => {
  // A device that cannot report changes itself: only polling finds them.
  let ssid = "home";
  const adapter = testTableAdapter({
    "Device.X_00D09E_Portal.Name": {
      type: { base: "string" },
      writable: true,
      get: () => Promise.resolve(ssid),
      set: (_path, value) => {
        ssid = value;
        return Promise.resolve();
      },
    },
  });
  const acs = new FixtureAcs({
    sessions: [{ requests: [spa("Device.X_00D09E_Portal.Name", 2)] }],
  });
  await acs.start();
  const clock = new FakeClock();
  const context = await createRpcContext(adapter, {
    defaults: { URL: acs.url, PeriodicInformEnable: "false" },
  });
  const agent = new CwmpAgent({
    context,
    clock,
    connectionRequest: false,
    notificationPollMs: 0,
  });
  try {
    await agent.start();
    await agent.idle();
    ssid = "changed before any poll";
    await agent.checkNotifications();
    await agent.idle();
    assert.equal(acs.sessions.length, 2);
    assert.deepStrictEqual(acs.sessions[1].events, ["4 VALUE CHANGE"]);
    const values = informOf(acs, 1).parameterList.map((p) => [p.name, p.value]);
    assert.ok(
      values.some(([n, v]) =>
        n === "Device.X_00D09E_Portal.Name" && v === "changed before any poll"
      ),
    );
  } finally {
    await agent.stop();
    await acs.stop();
  }
});

Deno.test("a change the device reports itself starts the session at once, and a passive one is never dropped, even if the value goes back", async () => {
  const r = await rig({
    acs: {
      sessions: [{
        requests: [
          spa("Device.WiFi.SSID.1.SSID", 2),
          spa("Device.Time.NTPServer1", 1),
        ],
      }],
    },
    agent: { notificationPollMs: 3_600_000 },
    defaults: { PeriodicInformEnable: "false" },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    // Passive: changes, then changes back, between two polls.
    const before =
      (await r.context.model.view().values(["Device.Time.NTPServer1"]))
        .get("Device.Time.NTPServer1")!;
    await r.device.setLocally([{
      path: "Device.Time.NTPServer1",
      value: "elsewhere",
    }]);
    await r.device.setLocally([{
      path: "Device.Time.NTPServer1",
      value: before,
    }]);
    await r.agent.idle();
    assert.equal(
      r.acs.sessions.length,
      1,
      "passive changes wait for the next Inform",
    );
    // Active: reported by the device, no poll needed.
    await r.device.setLocally([{
      path: "Device.WiFi.SSID.1.SSID",
      value: "by-user",
    }]);
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 2);
    assert.deepStrictEqual(r.acs.sessions[1].events, ["4 VALUE CHANGE"]);
    const names = informOf(r.acs, 1).parameterList.map((p) => p.name);
    assert.ok(names.includes("Device.WiFi.SSID.1.SSID"));
    assert.ok(
      names.includes("Device.Time.NTPServer1"),
      "the passive change rides along",
    );
  } finally {
    await r.stop();
  }
});

Deno.test("timers longer than JavaScript's 24.8-day limit fire on time, not at once", async () => {
  // A clock that clamps like setTimeout does.
  class ClampingClock extends FakeClock {
    override setTimeout(fn: () => void, ms: number): number {
      return super.setTimeout(fn, Math.min(ms, 2 ** 31 - 1));
    }
  }
  const clock = new ClampingClock(Date.UTC(2026, 10, 26, 10));
  const store = new MemoryStateStore();
  const r = await rig({
    clock,
    store,
    defaults: { PeriodicInformInterval: String(40 * 86_400) },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    const started = clock.now();
    await clock.advance(30 * 86_400_000);
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 1, "nothing after 30 days");
    await clock.advance(10 * 86_400_000);
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 2);
    assert.deepStrictEqual(r.acs.sessions[1].events, ["2 PERIODIC"]);
    assert.equal(
      Date.parse(informOf(r.acs, 1).currentTime) - started,
      40 * 86_400_000,
    );
  } finally {
    await r.stop();
  }
});

Deno.test("ManagementServer.HTTPCompression set by the ACS compresses the next session's messages; Disabled stops it", async () => {
  const r = await rig({
    acs: {
      sessions: [{ requests: [spv([[`${MS}HTTPCompression`, "GZIP"]])] }],
    },
    defaults: { PeriodicInformEnable: "false" },
  });
  try {
    assert.equal(
      r.context.device.managementServer("HTTPCompressionSupported"),
      "GZIP,Deflate",
    );
    assert.equal(
      r.context.device.managementServer("HTTPCompression"),
      "Disabled",
    );
    await r.agent.start();
    await r.acs.waitForSessions(1);
    await r.agent.idle();
    assert.ok(
      r.acs.postCodings.every((c) => c === ""),
      "the first session was plain",
    );
    const plain = r.acs.postCodings.length;
    r.acs.script(1, {
      requests: [spv([[`${MS}HTTPCompression`, "Disabled"]])],
    });
    await r.agent.trigger([{
      eventCode: "6 CONNECTION REQUEST",
      commandKey: "",
    }]);
    await r.acs.waitForSessions(2);
    await r.agent.idle();
    assert.deepStrictEqual(
      r.acs.postCodings.slice(plain),
      ["gzip", "", "gzip"],
      "Inform and SetParameterValuesResponse compressed",
    );
    const before = r.acs.postCodings.length;
    await r.agent.trigger([{
      eventCode: "6 CONNECTION REQUEST",
      commandKey: "",
    }]);
    await r.acs.waitForSessions(3);
    await r.agent.idle();
    assert.ok(r.acs.postCodings.slice(before).every((c) => c === ""));
  } finally {
    await r.stop();
  }
});
