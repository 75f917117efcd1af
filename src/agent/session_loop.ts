/**
 * One session at a time: a request for a session while one runs becomes
 * one follow-up however many arrive; a reboot the data model asks for waits
 * for the running session; work started in the background (timers,
 * settings) is tracked so that the agent can wait for all of it.
 *
 * @module
 */

/** What the loop runs. */
export interface LoopWork {
  /** One session (it decides itself whether there is a reason for one). */
  readonly session: () => Promise<void>;
  /** A reboot asked for by `reason`, run before the next session. */
  readonly reboot: (reason: string) => Promise<void>;
  /** Cancels a pending retry wait: a session asked for now replaces it. */
  readonly cancelRetry: () => void;
  /** Logs a failure (a message for background work, a stack for a crashed session). */
  readonly logError: (msg: string, detail: string) => void;
}

/**
 * The loop.
 *
 * @example
 * ```ts
 * import { SessionLoop } from "./session_loop.ts";
 * let sessions = 0;
 * const loop = new SessionLoop({
 *   session: async () => { sessions++; },
 *   reboot: async () => {},
 *   cancelRetry: () => {},
 *   logError: () => {},
 * });
 * loop.request();
 * loop.request(); // during the first: one follow-up
 * await loop.idle();
 * console.log(sessions); // 2
 * ```
 */
export class SessionLoop {
  readonly #work: LoopWork;
  #running: Promise<void> | undefined;
  #followUp = false;
  #stopping = false;
  #rebootWaiting: string | undefined;
  readonly #background = new Set<Promise<unknown>>();

  /** A loop with nothing running. */
  constructor(work: LoopWork) {
    this.#work = work;
  }

  /** Whether a session (or a reboot before one) is running. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /** Whether {@linkcode SessionLoop.stop} was called. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Asks for a session: now, or right after the running one. A new event
   * during a retry wait starts the session at once (digest §3.4).
   */
  request(): void {
    if (this.#stopping) return;
    if (this.#running) {
      this.#followUp = true;
      return;
    }
    this.#work.cancelRetry();
    this.#start();
  }

  /** After the running session, another one (the device rebooted during it, say). */
  followUp(): void {
    this.#followUp = true;
  }

  /** A reboot the data model asks for: after the running session, if any (TR-181 ScheduleReboot). */
  rebootWhenIdle(reason: string): void {
    if (this.#stopping) return;
    this.#rebootWaiting = reason;
    if (this.#running) this.#followUp = true;
    else this.#start();
  }

  /** Tracks background work; a failure is logged, never thrown. */
  inBackground(work: Promise<unknown>): void {
    const tracked = work.catch((error) =>
      this.#work.logError(
        "applying a change failed",
        String((error as Error)?.message ?? error),
      )
    ).finally(() => this.#background.delete(tracked));
    this.#background.add(tracked);
  }

  /** Resolves when no session runs and no background work is left. */
  async idle(): Promise<void> {
    while (this.#running || this.#background.size > 0) {
      await this.#running;
      await Promise.all([...this.#background]);
    }
  }

  /** No new session starts from now on. */
  stop(): void {
    this.#stopping = true;
  }

  #start(): void {
    this.#running = this.#loop().finally(() => this.#running = undefined);
  }

  async #loop(): Promise<void> {
    do {
      this.#followUp = false;
      try {
        const reboot = this.#rebootWaiting;
        if (reboot !== undefined) {
          this.#rebootWaiting = undefined;
          await this.#work.reboot(reboot);
        }
        await this.#work.session();
      } catch (error) {
        this.#work.logError(
          "session crashed",
          String((error as Error)?.stack ?? error),
        );
      }
    } while (this.#followUp && !this.#stopping);
  }
}
