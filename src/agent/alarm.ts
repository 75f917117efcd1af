/**
 * A timer for an absolute time that fires on time however far away it is:
 * JavaScript timers take at most 2^31−1 ms (about 24.8 days) and fire at
 * once past that, so a longer PeriodicInformInterval or ScheduleInform
 * DelaySeconds is reached in steps.
 *
 * @module
 */
import type { Clock } from "./clock.ts";

/** The longest single wait; setTimeout's limit. */
export const MAX_TIMER_STEP_MS = 2 ** 31 - 1;

/**
 * One pending wake-up at a time; {@linkcode Alarm.set} replaces it.
 *
 * @example
 * ```ts
 * import { Alarm } from "./alarm.ts";
 * import { FakeClock } from "./clock.ts";
 * const clock = new FakeClock(0);
 * const alarm = new Alarm(clock);
 * let fired = 0;
 * alarm.set(40 * 86_400_000, () => fired++);
 * await clock.advance(30 * 86_400_000);
 * console.log(fired); // 0
 * await clock.advance(10 * 86_400_000);
 * console.log(fired); // 1
 * ```
 */
export class Alarm {
  readonly #clock: Clock;
  #handle: number | undefined;
  #at: number | undefined;

  /** An alarm on `clock`, not set. */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** When it is set for, if it is. */
  get at(): number | undefined {
    return this.#at;
  }

  /** Calls `fn` once, at `at` (ms since the epoch) or at once if that has passed. */
  set(at: number, fn: () => void): void {
    this.cancel();
    this.#at = at;
    const step = () => {
      const left = at - this.#clock.now();
      if (left > 0) {
        this.#handle = this.#clock.setTimeout(
          step,
          Math.min(left, MAX_TIMER_STEP_MS),
        );
        return;
      }
      this.#handle = undefined;
      this.#at = undefined;
      fn();
    };
    const left = at - this.#clock.now();
    this.#handle = this.#clock.setTimeout(
      step,
      Math.max(0, Math.min(left, MAX_TIMER_STEP_MS)),
    );
  }

  /** Cancels the pending wake-up, if any. */
  cancel(): void {
    if (this.#handle !== undefined) this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#at = undefined;
  }
}
