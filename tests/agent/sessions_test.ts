/**
 * Session rules of TR-069 the agent must keep, over real sockets with
 * timers on a fake clock: retries after an acknowledged Inform, BOOTSTRAP
 * for a new ACS, the periodic phase, reboots that must happen, boots that
 * are real, events raised during a session.
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { FileStateStore } from "../../mod.ts";
import { retryWindow } from "../../src/session/retry.ts";
import { informOf, nextTimer, rig } from "../_helpers/agent.ts";
import { gpv, reboot, scheduleInform, spv } from "../_helpers/requests.ts";

const codes = (acs: FixtureAcs, i: number) =>
  informOf(acs, i).event.map((e) =>
    e.commandKey ? `${e.eventCode}(${e.commandKey})` : e.eventCode
  );

Deno.test("a session that fails after its InformResponse is retried on the schedule; the retry carries only undelivered events", async () => {
  const r = await rig({
    acs: {
      sessions: [
        // First contact: the ACS provisions, then breaks off with HTTP 500.
        {
          requests: [
            spv([["Device.Time.NTPServer1", "a.example"]]),
            gpv("Device.DeviceInfo."),
          ],
          failAfterInform: { post: 3, failure: "http500" },
        },
        // The retry: the ACS picks provisioning up again.
        { requests: [gpv("Device.DeviceInfo.SoftwareVersion")] },
      ],
    },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 1);
    assert.deepStrictEqual(r.acs.sessions[0].events, ["0 BOOTSTRAP", "1 BOOT"]);
    assert.equal(r.agent.status.retryCount, 1);
    assert.deepStrictEqual(
      r.agent.status.events,
      [],
      "the events were delivered",
    );
    const due = Date.parse(r.agent.status.nextSession!) - r.clock.now();
    const { min, max } = retryWindow(1);
    assert.ok(due >= min * 1000 && due <= max * 1000, `retry in ${due} ms`);
    assert.equal(await nextTimer(r), r.clock.now());
    assert.equal(r.acs.sessions.length, 2, "the retry ran");
    // Delivered events are not sent again; an empty EventStruct list is valid.
    assert.deepStrictEqual(informOf(r.acs, 1).event, []);
    assert.equal(informOf(r.acs, 1).retryCount, 1);
    assert.equal(r.acs.sessions[1].ended, true);
    assert.equal(r.agent.status.retryCount, 0);
    assert.equal(r.agent.status.nextSession, undefined);
  } finally {
    await r.stop();
  }
});

Deno.test("a dropped connection after the InformResponse is retried too, and the retry's RetryCount counts it", async () => {
  const r = await rig({
    acs: {
      sessions: [
        {
          requests: [gpv("Device.DeviceInfo.")],
          failAfterInform: { post: 1, failure: "drop" },
        },
        {
          requests: [gpv("Device.DeviceInfo.")],
          failAfterInform: { post: 2, failure: "http500" },
        },
      ],
    },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    await nextTimer(r);
    await nextTimer(r);
    assert.equal(r.acs.sessions.length, 3);
    assert.deepStrictEqual(
      [0, 1, 2].map((i) => informOf(r.acs, i).retryCount),
      [0, 1, 2],
    );
    assert.equal(r.acs.sessions[2].ended, true);
  } finally {
    await r.stop();
  }
});

Deno.test("a new ACS URL set by SetParameterValues gets 0 BOOTSTRAP at once; the old ACS's ScheduleInforms are dropped", async () => {
  const production = new FixtureAcs();
  await production.start();
  const r = await rig({
    acs: {
      sessions: [{
        requests: [
          scheduleInform(600, "old-acs"),
          spv([["Device.ManagementServer.URL", production.url]]),
        ],
      }],
    },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 1);
    assert.equal(
      production.sessions.length,
      1,
      "the new ACS is contacted in the same process",
    );
    assert.deepStrictEqual(production.sessions[0].events, ["0 BOOTSTRAP"]);
    assert.deepStrictEqual(r.context.state.current.scheduledInforms, []);
    assert.equal(r.agent.status.bootstrappedUrl, production.url);
    await r.clock.advance(700_000);
    await r.agent.idle();
    assert.ok(
      !production.sessions.some((s) => s.events.includes("3 SCHEDULED")),
      "the old ACS's ScheduleInform never fires",
    );
  } finally {
    await r.stop();
    await production.stop();
  }
});

Deno.test("the periodic phase is chosen once: a connection request every 500 s never suppresses 2 PERIODIC at a 600 s interval", async () => {
  const r = await rig({ defaults: { PeriodicInformInterval: "600" } });
  try {
    const t0 = r.clock.now();
    await r.agent.start();
    await r.agent.idle();
    for (let t = 500; t <= 3000; t += 500) {
      await r.clock.advance(t0 + t * 1000 - r.clock.now());
      await r.agent.idle();
      await r.agent.trigger([{
        eventCode: "6 CONNECTION REQUEST",
        commandKey: "",
      }]);
      await r.agent.idle();
    }
    await r.clock.advance(t0 + 3100_000 - r.clock.now());
    await r.agent.idle();
    const periodic = r.acs.sessions.filter((s) =>
      s.events.includes("2 PERIODIC")
    );
    assert.equal(
      periodic.length,
      5,
      r.acs.sessions.map((s) => s.events.join("+")).join(" | "),
    );
    for (const session of periodic) {
      const at = Date.parse(
        (session.messages[0].decoded!.body as { args: { currentTime: string } })
          .args
          .currentTime,
      );
      assert.equal(
        (at - t0) % 600_000,
        0,
        `periodic at +${(at - t0) / 1000} s`,
      );
    }
  } finally {
    await r.stop();
  }
});

Deno.test("changing PeriodicInformInterval chooses a new phase from the moment of the change", async () => {
  const r = await rig({
    acs: {
      sessions: [{}, {
        requests: [
          spv([["Device.ManagementServer.PeriodicInformInterval", "300"]]),
        ],
      }],
    },
    defaults: { PeriodicInformInterval: "1000" },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    await r.clock.advance(100_000);
    await r.agent.trigger([{
      eventCode: "6 CONNECTION REQUEST",
      commandKey: "",
    }]);
    await r.agent.idle();
    const changedAt = r.clock.now();
    assert.equal(await nextTimer(r), changedAt + 300_000);
    assert.deepStrictEqual(r.acs.sessions.at(-1)!.events, ["2 PERIODIC"]);
  } finally {
    await r.stop();
  }
});

Deno.test("two ScheduleInforms due at the same moment make one session with both CommandKeys", async () => {
  const r = await rig({
    acs: {
      sessions: [{
        requests: [
          scheduleInform(60, "a"),
          scheduleInform(60, "b"),
        ],
      }],
    },
    defaults: { PeriodicInformEnable: "false" },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    await r.clock.advance(61_000);
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 2);
    assert.deepStrictEqual(codes(r.acs, 1), [
      "3 SCHEDULED",
      "M ScheduleInform(a)",
      "M ScheduleInform(b)",
    ]);
  } finally {
    await r.stop();
  }
});

Deno.test("a ScheduleInform raised while an Inform carrying 3 SCHEDULED is out keeps its own 3 SCHEDULED for the next Inform", async () => {
  // Armed once the first session is over.
  let raised = true;
  const r = await rig({
    agent: {
      onMessage: (entry) => {
        // Between this session's Inform and its InformResponse.
        if (!raised && entry.summary === "InformResponse") {
          raised = true;
          void r.agent.trigger([
            { eventCode: "3 SCHEDULED", commandKey: "" },
            { eventCode: "M ScheduleInform", commandKey: "late" },
          ]);
        }
      },
    },
    defaults: { PeriodicInformEnable: "false" },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    raised = false;
    await r.agent.trigger([
      { eventCode: "3 SCHEDULED", commandKey: "" },
      { eventCode: "M ScheduleInform", commandKey: "early" },
    ]);
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 3);
    assert.deepStrictEqual(codes(r.acs, 1), [
      "3 SCHEDULED",
      "M ScheduleInform(early)",
    ]);
    assert.deepStrictEqual(codes(r.acs, 2), [
      "3 SCHEDULED",
      "M ScheduleInform(late)",
    ]);
  } finally {
    await r.stop();
  }
});

Deno.test("a Reboot the CPE answered is carried out although the session fails afterwards, and M Reboot follows that reboot", async () => {
  const r = await rig({
    acs: {
      sessions: [{
        requests: [reboot("rb")],
        failAfterInform: { post: 2, failure: "http500" },
      }],
    },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    assert.equal(
      r.device.counters.reboots,
      1,
      "rebooted after the failed session",
    );
    assert.equal(r.acs.sessions.length, 2, "the boot starts a session at once");
    assert.deepStrictEqual(codes(r.acs, 1), ["1 BOOT", "M Reboot(rb)"]);
    assert.equal(
      informOf(r.acs, 1).retryCount,
      1,
      "RetryCount still counts the failure",
    );
    assert.deepStrictEqual(r.context.state.current.pendingActions, []);
  } finally {
    await r.stop();
  }
});

Deno.test("several Reboots in one session make one reboot, each CommandKey reported", async () => {
  const r = await rig({
    acs: { sessions: [{ requests: [reboot("a"), reboot("b"), reboot("c")] }] },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    assert.equal(r.device.counters.reboots, 1);
    assert.deepStrictEqual(codes(r.acs, 1), [
      "1 BOOT",
      "M Reboot(a)",
      "M Reboot(b)",
      "M Reboot(c)",
    ]);
  } finally {
    await r.stop();
  }
});

Deno.test("past 64 Reboots in one session the rest get 9004: one reboot, 64 CommandKeys owed", async () => {
  const keys = Array.from({ length: 70 }, (_, i) => `k${i}`);
  const r = await rig({
    acs: { sessions: [{ requests: keys.map((k) => reboot(k)) }] },
  });
  try {
    await r.agent.start();
    await r.agent.idle();
    assert.equal(r.device.counters.reboots, 1);
    const faults = r.acs.sessions[0].messages.filter((m) =>
      m.direction === "CPE→ACS" && m.decoded?.body.kind === "fault"
    ).map((m) => m.decoded?.body.kind === "fault" && m.decoded.body.faultCode);
    assert.deepStrictEqual(faults, [9004, 9004, 9004, 9004, 9004, 9004]);
    // An Inform carries 64 events: BOOT and 63 keys; the 64th waits.
    const first = codes(r.acs, 1);
    assert.equal(first.length, 64);
    assert.equal(first[0], "1 BOOT");
    const reported = [
      ...first,
      ...r.agent.status.events.map((e) => `${e.eventCode}(${e.commandKey})`),
      ...r.acs.sessions.slice(2).flatMap((_, i) => codes(r.acs, i + 2)),
    ].filter((c) => c.startsWith("M Reboot"));
    assert.deepStrictEqual(
      [...new Set(reported)].sort(),
      keys.slice(0, 64).map((k) => `M Reboot(${k})`).sort(),
    );
  } finally {
    await r.stop();
  }
});

Deno.test("a reboot that fails withdraws its M Reboot: a later unrelated boot does not report it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FileStateStore(dir);
    const first = await rig({
      store,
      restore: true,
      acs: {
        sessions: [{
          requests: [reboot("rb")],
        }],
      },
    });
    first.device.reboot = () => Promise.reject(new Error("flash busy"));
    await first.agent.start();
    await first.agent.idle();
    await first.agent.stop();
    assert.equal(first.acs.sessions.length, 1);
    assert.ok(
      first.logs.some((l) => l.level === "error" && /failed/.test(l.msg)),
    );
    assert.deepStrictEqual(first.context.state.current.bootEvents, []);
    // Much later the device loses power and boots.
    await first.device.powerCycle();
    const second = await rig({
      store,
      restore: true,
      existingAcs: first.acs,
      clock: first.clock,
    });
    await second.agent.start();
    await second.agent.idle();
    await second.agent.stop();
    assert.deepStrictEqual(codes(first.acs, 1), ["1 BOOT"]);
    await first.acs.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a Reboot answered just before a crash is carried out at the next start, then reported with 1 BOOT", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FileStateStore(dir);
    const first = await rig({ store, restore: true });
    await first.agent.start();
    await first.agent.idle();
    await first.agent.stop();
    // The RPC was answered and recorded; the process died before rebooting.
    const { handleRequest } = await import("../../src/rpc/handlers.ts");
    await handleRequest(reboot("crash"), first.context);
    const second = await rig({
      store,
      restore: true,
      existingAcs: first.acs,
      clock: first.clock,
    });
    await second.agent.start();
    await second.agent.idle();
    await second.agent.stop();
    assert.equal(second.device.counters.reboots, 1);
    assert.deepStrictEqual(codes(first.acs, 1), ["1 BOOT", "M Reboot(crash)"]);
    await first.acs.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("boots are real: restarting the agent within one boot raises no 1 BOOT; a power cycle does, and the retry wait starts from the first window", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FileStateStore(dir);
    const failing = Array.from(
      { length: 4 },
      () => ({ failure: "http500" as const }),
    );
    const first = await rig({
      store,
      restore: true,
      acs: { sessions: [{}, ...failing] },
    });
    await first.agent.start();
    await first.agent.idle();
    await first.agent.stop();
    assert.deepStrictEqual(first.acs.sessions[0].events, [
      "0 BOOTSTRAP",
      "1 BOOT",
    ]);

    // A restart of the agent alone: nothing to report, no session.
    const restart = await rig({
      store,
      restore: true,
      existingAcs: first.acs,
      clock: first.clock,
    });
    await restart.agent.start();
    await restart.agent.idle();
    assert.equal(
      first.acs.sessions.length,
      1,
      "no session after a mere restart",
    );
    // Three failed sessions in this boot widen the retry window.
    await restart.agent.trigger([{
      eventCode: "6 CONNECTION REQUEST",
      commandKey: "",
    }]);
    await restart.agent.idle();
    await nextTimer(restart);
    await nextTimer(restart);
    await restart.agent.stop();
    assert.equal(first.acs.sessions.length, 4);
    assert.deepStrictEqual(first.acs.sessions[1].events, [
      "6 CONNECTION REQUEST",
    ]);
    assert.equal(restart.agent.status.retryCount, 3);

    await restart.device.powerCycle();
    const booted = await rig({
      store,
      restore: true,
      existingAcs: first.acs,
      clock: first.clock,
    });
    await booted.agent.start();
    await booted.agent.idle();
    assert.deepStrictEqual(first.acs.sessions[4].events, ["1 BOOT"]);
    assert.equal(
      informOf(first.acs, 4).retryCount,
      3,
      "RetryCount is not reset by a boot",
    );
    const wait = Date.parse(booted.agent.status.nextSession!) -
      booted.clock.now();
    const { min, max } = retryWindow(1);
    assert.ok(
      wait >= min * 1000 && wait <= max * 1000,
      `first window after a boot, got ${wait} ms`,
    );
    await booted.agent.stop();
    await first.acs.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
