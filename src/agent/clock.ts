/**
 * Time, injected: the agent never calls Date.now or setTimeout directly, so
 * tests run timers on a fake clock instead of sleeping.
 *
 * @module
 */

/** A clock with timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` after `ms`; returns a handle for {@linkcode Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): number;
  /** Cancels a timer. */
  clearTimeout(handle: number): void;
}

/**
 * The real clock.
 *
 * @example
 * ```ts
 * import { systemClock } from "./clock.ts";
 * console.log(systemClock.now() > 0); // true
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  // Timers are unref'd so a pending periodic inform does not keep a finished process alive.
  setTimeout: (fn, ms) => {
    // Deno's timers are numbers; the cast only silences Node's type declarations.
    const id = setTimeout(
      fn,
      Math.max(0, Math.min(ms, 2 ** 31 - 1)),
    ) as unknown as number;
    Deno.unrefTimer(id);
    return id;
  },
  clearTimeout: (handle) => clearTimeout(handle),
};

/**
 * A clock that moves only when told; timers fire in time order.
 *
 * @example
 * ```ts
 * import { FakeClock } from "./clock.ts";
 * const clock = new FakeClock(0);
 * let fired = false;
 * clock.setTimeout(() => fired = true, 5000);
 * await clock.advance(5000);
 * console.log(fired); // true
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #next = 1;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  /** A clock starting at `start` ms since the epoch. */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: number): void {
    this.#timers.delete(handle);
  }

  /** When the next timer is due, or undefined. */
  get nextTimer(): number | undefined {
    let best: number | undefined;
    for (const t of this.#timers.values()) {
      if (best === undefined || t.at < best) best = t.at;
    }
    return best;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting the
   * promises they start settle between them.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      let id: number | undefined;
      let due: { at: number; fn: () => void } | undefined;
      for (const [k, t] of this.#timers) {
        if (t.at <= end && (!due || t.at < due.at)) {
          id = k;
          due = t;
        }
      }
      if (!due) break;
      this.#timers.delete(id!);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
