/** The agent's event queue and its ScheduleInforms, over a real store. */
import assert from "node:assert/strict";
import { EventQueue } from "../../src/agent/queue.ts";
import {
  fireScheduledInforms,
  ScheduledInforms,
} from "../../src/agent/scheduled.ts";
import { AgentState } from "../../src/state/agent_state.ts";
import { EVENT_QUEUE_KEY } from "../../src/state/event_queue.ts";
import type { StateProblem } from "../../src/state/state_document.ts";
import { FileStateStore, MemoryStateStore } from "../../src/state/store.ts";

Deno.test("the queue survives a restart, and a stored field that does not check out is repaired and reported", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FileStateStore(dir);
    const first = new EventQueue(store);
    await first.load();
    await first.add([{ eventCode: "1 BOOT", commandKey: "" }]);
    await first.update((q) => ({ ...q, retryCount: 3 }));
    const again = new EventQueue(new FileStateStore(dir));
    await again.load();
    assert.deepStrictEqual(again.current.events, [
      { eventCode: "1 BOOT", commandKey: "" },
    ]);
    assert.equal(again.current.retryCount, 3);
    await store.write(EVENT_QUEUE_KEY, { events: [], retryCount: -7 });
    const problems: StateProblem[] = [];
    const repaired = new EventQueue(new FileStateStore(dir));
    await repaired.load((p) => problems.push(p));
    assert.equal(repaired.current.retryCount, 0);
    assert.equal(problems[0]?.field, "retryCount");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an event raised while the Inform carrying the same one is out is queued again, not merged", async () => {
  const queue = new EventQueue(new MemoryStateStore());
  await queue.load();
  await queue.add([{ eventCode: "2 PERIODIC", commandKey: "" }]);
  await queue.add([{ eventCode: "2 PERIODIC", commandKey: "" }]);
  assert.equal(queue.current.events.length, 1, "merged when none is out");
  const inFlight = new Set(queue.current.events);
  await queue.add([{ eventCode: "2 PERIODIC", commandKey: "" }], inFlight);
  assert.equal(queue.current.events.length, 2);
});

Deno.test("ScheduleInforms due within a second fire as one session; later ones wait; one batch at a time", async () => {
  const state = await AgentState.load(new MemoryStateStore());
  const t0 = Date.UTC(2026, 0, 1);
  await state.update((s) => ({
    ...s,
    scheduledInforms: [
      { dueAt: new Date(t0).toISOString(), commandKey: "a" },
      { dueAt: new Date(t0 + 800).toISOString(), commandKey: "b" },
      { dueAt: new Date(t0 + 5000).toISOString(), commandKey: "c" },
    ],
  }));
  const fired: string[][] = [];
  const n = await fireScheduledInforms(state, t0, (events) => {
    fired.push(events.map((e) => `${e.eventCode}(${e.commandKey})`));
    return Promise.resolve();
  });
  assert.equal(n, 2);
  assert.deepStrictEqual(fired, [[
    "3 SCHEDULED()",
    "M ScheduleInform(a)",
    "M ScheduleInform(b)",
  ]]);
  assert.deepStrictEqual(
    state.current.scheduledInforms.map((s) => s.commandKey),
    ["c"],
  );
  let rearmed = 0;
  let release = () => {};
  const scheduled = new ScheduledInforms(
    state,
    () => t0 + 5000,
    () => new Promise<void>((resolve) => release = resolve),
    () => rearmed++,
  );
  const firing = scheduled.fire();
  assert.equal(scheduled.firing, true);
  await scheduled.fire();
  // Give the first call its turn to reach the trigger.
  await new Promise((resolve) => setTimeout(resolve, 0));
  release();
  await firing;
  assert.equal(scheduled.firing, false);
  assert.equal(rearmed, 1, "the timers are re-armed once, after the batch");
  assert.deepStrictEqual(state.current.scheduledInforms, []);
});
