/**
 * Firing ScheduleInforms: every one due now — those due within a second of
 * each other make one session (DelaySeconds has 1 s steps) — queueing the
 * events before forgetting the schedules, so that a crash in between fires
 * them again (at least once) rather than losing them.
 *
 * @module
 */
import type { AgentState, EventRecord } from "../state/agent_state.ts";

/** ScheduleInforms due this close together fire as one session. */
export const SCHEDULE_COALESCE_MS = 1000;

/**
 * Fires what is due at `now`; returns how many fired.
 *
 * @example
 * ```ts
 * import { fireScheduledInforms } from "./scheduled.ts";
 * // await fireScheduledInforms(context.state, clock.now(), (events) => agent.trigger(events));
 * ```
 */
export async function fireScheduledInforms(
  state: AgentState,
  now: number,
  trigger: (events: readonly EventRecord[]) => Promise<void>,
): Promise<number> {
  const limit = now + SCHEDULE_COALESCE_MS;
  const due = state.current.scheduledInforms.filter((s) =>
    Date.parse(s.dueAt) <= limit
  );
  if (due.length === 0) return 0;
  await trigger([
    { eventCode: "3 SCHEDULED", commandKey: "" },
    ...due.map((s) => ({
      eventCode: "M ScheduleInform",
      commandKey: s.commandKey,
    })),
  ]);
  await state.update((s) => ({
    ...s,
    scheduledInforms: s.scheduledInforms.filter((x) =>
      !due.some((d) => d.dueAt === x.dueAt && d.commandKey === x.commandKey)
    ),
  }));
  return due.length;
}

/**
 * The ScheduleInforms of one agent: fired one batch at a time, with the
 * timers re-armed after each.
 *
 * @example
 * ```ts
 * import { ScheduledInforms } from "./scheduled.ts";
 * // const scheduled = new ScheduledInforms(state, clock, trigger, armTimers);
 * // await scheduled.fire();
 * ```
 */
export class ScheduledInforms {
  readonly #state: AgentState;
  readonly #now: () => number;
  readonly #trigger: (events: readonly EventRecord[]) => Promise<void>;
  readonly #afterwards: () => void;
  #firing = false;

  /** Nothing firing. */
  constructor(
    state: AgentState,
    now: () => number,
    trigger: (events: readonly EventRecord[]) => Promise<void>,
    afterwards: () => void,
  ) {
    this.#state = state;
    this.#now = now;
    this.#trigger = trigger;
    this.#afterwards = afterwards;
  }

  /** Whether a batch is being fired (its timer is left alone meanwhile). */
  get firing(): boolean {
    return this.#firing;
  }

  /** Fires what is due. */
  async fire(): Promise<void> {
    if (this.#firing) return;
    this.#firing = true;
    try {
      await fireScheduledInforms(this.#state, this.#now(), this.#trigger);
    } finally {
      this.#firing = false;
      this.#afterwards();
    }
  }
}
