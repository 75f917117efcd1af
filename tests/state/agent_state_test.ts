/** The agent's durable state: updates that overlap in time all land, in order, on disk. */
import assert from "node:assert/strict";
import { AgentState } from "../../src/state/agent_state.ts";
import { FileStateStore } from "../../src/state/store.ts";

Deno.test("overlapping AgentState updates each see the one before: none is lost, in memory or on disk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const state = await AgentState.load(new FileStateStore(dir));
    await Promise.all(
      ["a", "b", "c", "d"].map((commandKey) =>
        state.update((s) => ({
          ...s,
          scheduledInforms: [...s.scheduledInforms, {
            dueAt: "2026-11-26T12:00:00.000Z",
            commandKey,
          }],
        }))
      ),
    );
    const keys = (s: AgentState) =>
      s.current.scheduledInforms.map((x) => x.commandKey);
    assert.deepStrictEqual(keys(state), ["a", "b", "c", "d"]);
    const reloaded = await AgentState.load(new FileStateStore(dir));
    assert.deepStrictEqual(keys(reloaded), ["a", "b", "c", "d"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failing AgentState update rejects alone; the next one still runs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const state = await AgentState.load(new FileStateStore(dir));
    const failing = state.update(() => {
      throw new Error("broken change");
    });
    const next = state.update((s) => ({
      ...s,
      nextInstance: { "Device.IP.Interface.": 7 },
    }));
    await assert.rejects(failing, /broken change/);
    await next;
    assert.deepStrictEqual(state.current.nextInstance, {
      "Device.IP.Interface.": 7,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
