/** One session at a time, one follow-up, reboots before sessions, failures logged. */
import assert from "node:assert/strict";
import { SessionLoop } from "../../src/agent/session_loop.ts";

function rig(session: () => Promise<void> = async () => {}) {
  const order: string[] = [];
  const errors: string[] = [];
  let retries = 0;
  const loop = new SessionLoop({
    session: async () => {
      order.push("session");
      await session();
    },
    reboot: (reason) => {
      order.push(`reboot ${reason}`);
      return Promise.resolve();
    },
    cancelRetry: () => retries++,
    logError: (msg, detail) => errors.push(`${msg}: ${detail.split("\n")[0]}`),
  });
  return { loop, order, errors, retries: () => retries };
}

Deno.test("requests during a session make one follow-up; a request when idle cancels the retry wait", async () => {
  const { loop, order, retries } = rig(() =>
    new Promise((resolve) => setTimeout(resolve, 5))
  );
  loop.request();
  assert.equal(loop.running, true);
  loop.request();
  loop.request();
  loop.request();
  await loop.idle();
  assert.deepStrictEqual(order, ["session", "session"]);
  assert.equal(retries(), 1);
  assert.equal(loop.running, false);
});

Deno.test("a reboot waits for the running session, then runs before the next", async () => {
  const { loop, order } = rig(() =>
    new Promise((resolve) => setTimeout(resolve, 5))
  );
  loop.request();
  loop.rebootWhenIdle("ManagementServer.ScheduleReboot");
  await loop.idle();
  assert.deepStrictEqual(order, [
    "session",
    "reboot ManagementServer.ScheduleReboot",
    "session",
  ]);
});

Deno.test("a crashed session and failed background work are logged; after stop nothing starts", async () => {
  const { loop, order, errors } = rig(() => Promise.reject(new Error("boom")));
  loop.request();
  loop.inBackground(Promise.reject(new Error("flash busy")));
  await loop.idle();
  assert.deepStrictEqual(errors.sort(), [
    "applying a change failed: flash busy",
    "session crashed: Error: boom",
  ]);
  loop.stop();
  loop.request();
  loop.rebootWhenIdle("x");
  await loop.idle();
  assert.deepStrictEqual(order, ["session"]);
});
