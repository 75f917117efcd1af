/** When a changed notified parameter asks for a session. */
import assert from "node:assert/strict";
import { ValueChangeWatch } from "../../src/agent/value_changes.ts";
import { Alarm } from "../../src/agent/alarm.ts";
import { FakeClock } from "../../src/agent/clock.ts";
import type { NotificationTracker } from "../../src/agent/notifications.ts";

function rig(active: boolean) {
  const clock = new FakeClock(100_000);
  const checked: (readonly string[] | undefined)[] = [];
  let sessions = 0;
  let running = false;
  let lastSuccessAt = 0;
  const notifications = {
    check: (paths?: readonly string[]) => {
      checked.push(paths);
      return Promise.resolve({ changed: [], active });
    },
    reported: (paths: readonly string[]) => {
      checked.push(paths);
      return Promise.resolve({ changed: [...paths], active });
    },
  } as unknown as NotificationTracker;
  const throttle = new Alarm(clock);
  const watch = new ValueChangeWatch({
    notifications,
    clock,
    throttle,
    throttleSeconds: () => 60,
    lastSuccessAt: () => lastSuccessAt,
    sessionRunning: () => running,
    requestSession: () => sessions++,
  });
  return {
    clock,
    watch,
    checked,
    throttle,
    sessions: () => sessions,
    setRunning: (r: boolean) => running = r,
    setLastSuccess: (t: number) => lastSuccessAt = t,
  };
}

Deno.test("an active change asks for a session at once when no session succeeded yet, else after the throttle", async () => {
  const r = rig(true);
  await r.watch.check();
  assert.equal(r.sessions(), 1);
  r.setLastSuccess(r.clock.now() - 10_000);
  await r.watch.check();
  await r.watch.check();
  assert.equal(r.sessions(), 1, "within the throttle: one wait, no session");
  assert.equal(r.throttle.at, r.clock.now() + 50_000);
  await r.clock.advance(50_000);
  assert.equal(r.sessions(), 2);
});

Deno.test("a passive change asks for nothing", async () => {
  const r = rig(false);
  await r.watch.check(["Device.X"], { reported: true });
  assert.equal(r.sessions(), 0);
  assert.deepStrictEqual(r.checked, [["Device.X"]]);
});

Deno.test("changes seen during a session are compared once it ends, together", async () => {
  const r = rig(true);
  r.setRunning(true);
  await r.watch.check(["Device.A"], { reported: true });
  await r.watch.check(["Device.B"], { reported: true });
  assert.deepStrictEqual(r.checked, [], "nothing compared during the session");
  r.setRunning(false);
  await r.watch.afterSession();
  assert.deepStrictEqual(r.checked, [["Device.A", "Device.B"]]);
  assert.equal(r.sessions(), 1);
  await r.watch.afterSession();
  assert.equal(r.checked.length, 1, "held changes are compared once");
  r.setRunning(true);
  await r.watch.check(["Device.C"]);
  await r.watch.check();
  r.setRunning(false);
  await r.watch.afterSession();
  assert.deepStrictEqual(r.checked.at(-1), undefined, "a full poll covers all");
});
