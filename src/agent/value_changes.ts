/**
 * When a change of a notified parameter asks for a session: passive changes
 * wait for the next Inform, an active one asks for a session with
 * `4 VALUE CHANGE`, no sooner than DefaultActiveNotificationThrottle
 * seconds after the last successful session (digest §9.2). A change seen
 * during a session is compared when it ends: the session is not disturbed
 * (§3.2.1), and by then the ACS's own changes have moved the baseline, so
 * they are never taken for the device's.
 *
 * @module
 */
import type { Alarm } from "./alarm.ts";
import type { Clock } from "./clock.ts";
import type { NotificationTracker } from "./notifications.ts";

/** What the watch needs from the agent. */
export interface ValueChangeParts {
  readonly notifications: NotificationTracker;
  readonly clock: Clock;
  /** The wait an active change keeps after the last successful session. */
  readonly throttle: Alarm;
  /** DefaultActiveNotificationThrottle, seconds. */
  readonly throttleSeconds: () => number;
  /** When the last session succeeded (ms), 0 for never. */
  readonly lastSuccessAt: () => number;
  /** Whether a session is running. */
  readonly sessionRunning: () => boolean;
  readonly requestSession: () => void;
}

/**
 * Checks for changes and asks for sessions.
 *
 * @example
 * ```ts
 * import { ValueChangeWatch } from "./value_changes.ts";
 * // const watch = new ValueChangeWatch(parts);
 * // await watch.check(); // a poll
 * // await watch.afterSession(); // what a session held back
 * ```
 */
export class ValueChangeWatch {
  readonly #parts: ValueChangeParts;
  /** Changes to compare once the running session has ended. */
  #held: Set<string> | "all" | undefined;

  /** A watch with nothing held back. */
  constructor(parts: ValueChangeParts) {
    this.#parts = parts;
  }

  /**
   * Compares `paths` (every notified parameter when not given) with their
   * last reported values; `reported` when the device said they changed.
   */
  async check(
    paths?: readonly string[],
    options: { now?: boolean; reported?: boolean } = {},
  ): Promise<void> {
    const parts = this.#parts;
    if (parts.sessionRunning() && !options.now) {
      if (paths === undefined) this.#held = "all";
      else if (this.#held !== "all") {
        this.#held ??= new Set();
        for (const path of paths) this.#held.add(path);
      }
      return;
    }
    const { active } = options.reported && paths
      ? await parts.notifications.reported(paths)
      : await parts.notifications.check(paths);
    if (!active) return;
    const now = parts.clock.now();
    const wait = parts.lastSuccessAt() + parts.throttleSeconds() * 1000 - now;
    if (wait <= 0 || parts.lastSuccessAt() === 0) {
      parts.requestSession();
    } else if (parts.throttle.at === undefined) {
      parts.throttle.set(now + wait, parts.requestSession);
    }
  }

  /** Compares what was held back during the session that just ended. */
  async afterSession(): Promise<void> {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    await this.check(held === "all" ? undefined : [...held], { now: true });
  }
}
