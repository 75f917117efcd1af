/**
 * The agent's timers, one per reason a session or a reboot comes due:
 * periodic informs, ScheduleInforms, ManagementServer.ScheduleReboot and
 * DelayReboot, notification polling, and the retry and active-notification
 * waits. Arming is idempotent: {@linkcode AgentTimers.arm} sets each from
 * the current settings, leaving one that is already right alone (so that a
 * periodic phase is not moved by re-arming).
 *
 * @module
 */
import { Alarm } from "./alarm.ts";
import type { Clock } from "./clock.ts";
import { PeriodicSchedule, type PeriodicSettings } from "./periodic.ts";

/** What the timers are armed from. */
export interface TimerSettings {
  /** PeriodicInformEnable (and EnableCWMP), Interval and Time. */
  readonly periodic: PeriodicSettings;
  /** Due times of pending ScheduleInforms; undefined while they are being fired. */
  readonly scheduledDue: readonly number[] | undefined;
  /** ManagementServer.ScheduleReboot (ms), NaN for none. */
  readonly scheduleRebootAt: number;
  /** When DelayReboot comes due (ms), NaN for none. */
  readonly delayRebootAt: number;
  /** How often notified parameters are polled; 0 for never. */
  readonly pollMs: number;
}

/** What each timer calls when it fires. */
export interface TimerHandlers {
  readonly periodic: () => void;
  readonly scheduled: () => void;
  readonly reboot: (reason: string) => void;
  readonly poll: () => void;
}

/**
 * The timers of one agent.
 *
 * @example
 * ```ts
 * import { AgentTimers } from "./timers.ts";
 * import { FakeClock } from "./clock.ts";
 * const clock = new FakeClock(0);
 * let periodic = 0;
 * const timers = new AgentTimers(clock, {
 *   periodic: () => periodic++, scheduled: () => {}, reboot: () => {}, poll: () => {},
 * });
 * timers.arm({
 *   periodic: { enable: true, intervalSeconds: 60, time: "0001-01-01T00:00:00Z" },
 *   scheduledDue: [], scheduleRebootAt: NaN, delayRebootAt: NaN, pollMs: 0,
 * });
 * await clock.advance(60_000);
 * console.log(periodic); // 1
 * timers.cancelAll();
 * ```
 */
export class AgentTimers {
  /** The wait before retrying a failed session. */
  readonly retry: Alarm;
  /** The wait an active notification keeps after the last session. */
  readonly throttle: Alarm;
  readonly #clock: Clock;
  readonly #handlers: TimerHandlers;
  readonly #periodic: Alarm;
  readonly #scheduled: Alarm;
  readonly #poll: Alarm;
  readonly #scheduleReboot: Alarm;
  readonly #delayReboot: Alarm;
  readonly #phase = new PeriodicSchedule();

  /** Timers on `clock`, none set. */
  constructor(clock: Clock, handlers: TimerHandlers) {
    this.#clock = clock;
    this.#handlers = handlers;
    this.retry = new Alarm(clock);
    this.throttle = new Alarm(clock);
    this.#periodic = new Alarm(clock);
    this.#scheduled = new Alarm(clock);
    this.#poll = new Alarm(clock);
    this.#scheduleReboot = new Alarm(clock);
    this.#delayReboot = new Alarm(clock);
  }

  /** Sets every timer from `settings`. */
  arm(settings: TimerSettings): void {
    const now = this.#clock.now();
    const periodicAt = this.#phase.next(now, settings.periodic);
    if (periodicAt === undefined) this.#periodic.cancel();
    else if (this.#periodic.at !== periodicAt) {
      this.#periodic.set(periodicAt, this.#handlers.periodic);
    }
    const due = settings.scheduledDue?.filter((t) => !Number.isNaN(t));
    if (due !== undefined) {
      if (due.length === 0) this.#scheduled.cancel();
      else this.#scheduled.set(Math.min(...due), this.#handlers.scheduled);
    }
    // A ScheduleReboot time that has passed asks for nothing (the data model).
    if (settings.scheduleRebootAt > now) {
      this.#scheduleReboot.set(
        settings.scheduleRebootAt,
        () => this.#handlers.reboot("ManagementServer.ScheduleReboot"),
      );
    } else this.#scheduleReboot.cancel();
    if (!Number.isNaN(settings.delayRebootAt)) {
      this.#delayReboot.set(
        settings.delayRebootAt,
        () => this.#handlers.reboot("ManagementServer.DelayReboot"),
      );
    } else this.#delayReboot.cancel();
    if (settings.pollMs > 0 && this.#poll.at === undefined) {
      this.#poll.set(now + settings.pollMs, this.#handlers.poll);
    }
  }

  /** Cancels every timer. */
  cancelAll(): void {
    for (
      const alarm of [
        this.retry,
        this.throttle,
        this.#periodic,
        this.#scheduled,
        this.#poll,
        this.#scheduleReboot,
        this.#delayReboot,
      ]
    ) alarm.cancel();
  }
}

/**
 * The timer settings from the ManagementServer parameters and the agent
 * state: periodic informs only with EnableCWMP too, pending ScheduleInforms
 * left alone while `firing` them.
 */
export function timerSettingsOf(
  ms: (name: string) => string,
  state: {
    readonly scheduledInforms: readonly { readonly dueAt: string }[];
    readonly delayRebootAt?: string;
  },
  options: { readonly firing: boolean; readonly pollMs: number },
): TimerSettings {
  const due = state.scheduledInforms.map((s) => Date.parse(s.dueAt));
  return {
    periodic: {
      enable: ms("EnableCWMP") === "true" &&
        ms("PeriodicInformEnable") === "true",
      intervalSeconds: Number(ms("PeriodicInformInterval")) || 86400,
      time: ms("PeriodicInformTime"),
    },
    scheduledDue: options.firing && due.length > 0 ? undefined : due,
    scheduleRebootAt: Date.parse(ms("ScheduleReboot")),
    delayRebootAt: Date.parse(state.delayRebootAt ?? ""),
    pollMs: options.pollMs,
  };
}
