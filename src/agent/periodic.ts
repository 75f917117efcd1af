/**
 * When periodic informs are due (digest §10.1): at PeriodicInformTime + n ×
 * PeriodicInformInterval. With PeriodicInformTime at the Unknown Time the
 * agent picks the phase itself, once — when it starts or when the interval
 * or the time changes — and keeps it, so sessions for other reasons (a
 * connection request every 500 s against a 600 s interval, say) never push
 * `2 PERIODIC` away.
 *
 * @module
 */
import { UNKNOWN_TIME } from "../datamodel/types.ts";

/**
 * When the next periodic inform is due: the first instant after `now` of
 * the form PeriodicInformTime + n × interval (digest §10.1). `phase` is the
 * PeriodicInformTime, or the instant (ms) the agent chose as the phase when
 * it is the Unknown Time; the Unknown Time alone means "from now".
 *
 * @example
 * ```ts
 * import { nextPeriodicInform } from "./periodic.ts";
 * const midnight = Date.UTC(2026, 0, 1);
 * console.log(new Date(nextPeriodicInform(midnight + 1000, 86400, "2020-06-01T00:00:00Z")).toISOString());
 * // "2026-01-02T00:00:00.000Z"
 * ```
 */
export function nextPeriodicInform(
  now: number,
  intervalSeconds: number,
  phase: string | number,
): number {
  const interval = Math.max(1, intervalSeconds) * 1000;
  const parsed = typeof phase === "number"
    ? phase
    : phase === UNKNOWN_TIME
    ? NaN
    : Date.parse(phase);
  const t0 = Number.isNaN(parsed) ? now : parsed;
  const k = Math.floor((now - t0) / interval) + 1;
  return t0 + k * interval;
}

/** The settings the phase depends on. */
export interface PeriodicSettings {
  /** PeriodicInformEnable. */
  readonly enable: boolean;
  /** PeriodicInformInterval, seconds. */
  readonly intervalSeconds: number;
  /** PeriodicInformTime (xsd:dateTime; the Unknown Time when not set). */
  readonly time: string;
}

/**
 * The periodic-inform phase, chosen once per setting.
 *
 * @example
 * ```ts
 * import { PeriodicSchedule } from "./periodic.ts";
 * const schedule = new PeriodicSchedule();
 * const settings = { enable: true, intervalSeconds: 600, time: "0001-01-01T00:00:00Z" };
 * console.log(schedule.next(0, settings)); // 600000
 * console.log(schedule.next(500_000, settings)); // 600000: another session does not move it
 * ```
 */
export class PeriodicSchedule {
  #settings: PeriodicSettings | undefined;
  #phase = 0;

  /**
   * When the next periodic inform is due, or undefined when they are off.
   * The phase is re-chosen (as `now`) only when the settings differ from the
   * previous call's.
   */
  next(now: number, settings: PeriodicSettings): number | undefined {
    const previous = this.#settings;
    if (
      !previous || previous.enable !== settings.enable ||
      previous.intervalSeconds !== settings.intervalSeconds ||
      previous.time !== settings.time
    ) {
      this.#settings = settings;
      this.#phase = now;
    }
    if (!settings.enable) return undefined;
    const fixed = settings.time !== UNKNOWN_TIME &&
      !Number.isNaN(Date.parse(settings.time));
    return nextPeriodicInform(
      now,
      settings.intervalSeconds,
      fixed ? settings.time : this.#phase,
    );
  }
}
