/** The agent's timers: armed from the settings, idempotent, each firing its handler. */
import assert from "node:assert/strict";
import { AgentTimers, timerSettingsOf } from "../../src/agent/timers.ts";
import { FakeClock } from "../../src/agent/clock.ts";

const UNKNOWN = "0001-01-01T00:00:00Z";

function rig() {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  const timers = new AgentTimers(clock, {
    periodic: () => fired.push("periodic"),
    scheduled: () => fired.push("scheduled"),
    reboot: (reason) => fired.push(`reboot ${reason}`),
    poll: () => fired.push("poll"),
  });
  return { clock, fired, timers };
}
const settings = {
  periodic: { enable: true, intervalSeconds: 60, time: UNKNOWN },
  scheduledDue: [] as number[],
  scheduleRebootAt: NaN,
  delayRebootAt: NaN,
  pollMs: 0,
};

Deno.test("re-arming with the same settings keeps the periodic phase", async () => {
  const { clock, fired, timers } = rig();
  timers.arm(settings);
  await clock.advance(40_000);
  timers.arm(settings);
  await clock.advance(20_000);
  assert.deepStrictEqual(fired, ["periodic"]);
  timers.cancelAll();
});

Deno.test("ScheduleInforms, ScheduleReboot, DelayReboot and polling fire at their times; a passed ScheduleReboot does not", async () => {
  const { clock, fired, timers } = rig();
  await clock.advance(1000);
  timers.arm({
    ...settings,
    periodic: { ...settings.periodic, enable: false },
    scheduledDue: [5000, 3000],
    scheduleRebootAt: 500,
    delayRebootAt: 4000,
    pollMs: 10_000,
  });
  await clock.advance(12_000);
  assert.deepStrictEqual(fired, [
    "scheduled",
    "reboot ManagementServer.DelayReboot",
    "poll",
  ]);
  timers.cancelAll();
});

Deno.test("while ScheduleInforms fire their timer is left alone; cancelAll stops everything", async () => {
  const { clock, fired, timers } = rig();
  timers.arm({ ...settings, scheduledDue: [1000] });
  timers.arm({ ...settings, scheduledDue: undefined });
  await clock.advance(1000);
  assert.deepStrictEqual(fired, ["scheduled"]);
  timers.arm({ ...settings, scheduledDue: [5000], pollMs: 100 });
  timers.retry.set(2000, () => fired.push("retry"));
  timers.cancelAll();
  await clock.advance(100_000);
  assert.deepStrictEqual(fired, ["scheduled"]);
});

Deno.test("timerSettingsOf reads ManagementServer and the agent state", () => {
  const values: Record<string, string> = {
    EnableCWMP: "true",
    PeriodicInformEnable: "true",
    PeriodicInformInterval: "banana",
    PeriodicInformTime: UNKNOWN,
    ScheduleReboot: "2026-01-01T00:00:00Z",
  };
  const state = {
    scheduledInforms: [{ dueAt: "2026-01-01T00:01:00Z" }],
    delayRebootAt: "2026-01-01T00:02:00Z",
  };
  const out = timerSettingsOf((n) => values[n] ?? "", state, {
    firing: false,
    pollMs: 30_000,
  });
  assert.deepStrictEqual(out, {
    periodic: { enable: true, intervalSeconds: 86400, time: UNKNOWN },
    scheduledDue: [Date.UTC(2026, 0, 1, 0, 1)],
    scheduleRebootAt: Date.UTC(2026, 0, 1),
    delayRebootAt: Date.UTC(2026, 0, 1, 0, 2),
    pollMs: 30_000,
  });
  values.EnableCWMP = "false";
  const off = timerSettingsOf((n) => values[n] ?? "", state, {
    firing: true,
    pollMs: 0,
  });
  assert.equal(off.periodic.enable, false, "no periodic inform without CWMP");
  assert.equal(off.scheduledDue, undefined, "left alone while firing");
});
