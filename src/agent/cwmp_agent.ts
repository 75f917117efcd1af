/**
 * The agent, the runtime's composition root: sessions one at a time (boot,
 * periodic, scheduled, value change, connection request, retry) and what
 * they leave for afterwards, assembled from the parts beside this file.
 *
 * @module
 */
import type { CwmpNamespaceName } from "../cwmp/namespaces.ts";
import type { RpcContext } from "../rpc/context.ts";
import type { EventRecord } from "../state/agent_state.ts";
import type { EventQueueDocument } from "../state/event_queue.ts";
import { AgentSessions } from "./agent_session.ts";
import {
  bootAtStart,
  type BootParts,
  bootstrap,
  rebootAfterSession,
  rebootAsAsked,
} from "./boot.ts";
import { type Clock, systemClock } from "./clock.ts";
import { ConnectionRequestListener } from "./cr_listener.ts";
import { NotificationTracker } from "./notifications.ts";
import { EventQueue } from "./queue.ts";
import { ScheduledInforms } from "./scheduled.ts";
import { SettingsChanges } from "./settings_changes.ts";
import { AgentTimers, timerSettingsOf } from "./timers.ts";
import type { CwmpAgentOptions, LogRecord } from "./options.ts";
import { SessionLoop } from "./session_loop.ts";
import { AgentTransfers, whenSettled } from "./transfers.ts";
import { ValueChangeWatch } from "./value_changes.ts";

/**
 * The CWMP agent.
 *
 * @example
 * ```ts
 * import { CwmpAgent } from "./cwmp_agent.ts";
 * // const agent = new CwmpAgent({ context });
 * // await agent.start(); … await agent.stop();
 * ```
 */
export class CwmpAgent {
  readonly #options: CwmpAgentOptions;
  readonly #context: RpcContext;
  readonly #clock: Clock;
  readonly #queue: EventQueue;
  readonly #notifications: NotificationTracker;
  readonly #timers: AgentTimers;
  readonly #listener: ConnectionRequestListener;
  readonly #changes: ValueChangeWatch;
  readonly #settings: SettingsChanges;
  readonly #loop: SessionLoop;
  readonly #sessions: AgentSessions;
  readonly #scheduled: ScheduledInforms;
  readonly #transfers: AgentTransfers;
  readonly #unsubscribe: (() => void)[] = [];
  readonly #parts: BootParts;
  readonly #log = (
    level: LogRecord["level"],
    msg: string,
    fields: Record<string, unknown> = {},
  ) => this.#options.log?.({ level, msg, ...fields });

  /** An agent; nothing runs until {@linkcode CwmpAgent.start}. */
  constructor(options: CwmpAgentOptions) {
    this.#options = options;
    const context = this.#context = options.context;
    const clock = this.#clock = options.clock ?? systemClock;
    this.#queue = new EventQueue(context.device.store);
    this.#loop = new SessionLoop({
      session: () => this.#session(),
      reboot: (reason) => this.#rebootNow(reason),
      cancelRetry: () => this.#timers.retry.cancel(),
      logError: (msg, error) => this.#log("error", msg, { error }),
    });
    this.#notifications = new NotificationTracker(context);
    this.#parts = {
      context,
      queue: this.#queue,
      notifications: this.#notifications,
      onBoot: () => this.#transfers.worker.settleBoot({ booted: true }),
    };
    this.#transfers = new AgentTransfers(context, options.transfers, {
      clock,
      log: this.#log,
      completed: () => this.requestSession(),
      reboot: (reason) => this.#loop.rebootWhenIdle(reason),
    });
    this.#scheduled = new ScheduledInforms(
      context.state,
      () => clock.now(),
      (events) => this.trigger(events),
      () => this.#armTimers(),
    );
    this.#sessions = new AgentSessions(options, {
      ...this.#parts,
      transfers: this.#transfers,
      clock,
      random: options.random ?? Math.random,
      log: this.#log,
    });
    const raise = (eventCode: string) =>
      this.trigger([{ eventCode, commandKey: "" }]);
    this.#timers = new AgentTimers(clock, {
      periodic: () =>
        this.#loop.inBackground(
          raise("2 PERIODIC").finally(() => this.#armTimers()),
        ),
      scheduled: () => this.#loop.inBackground(this.#scheduled.fire()),
      reboot: (reason) => this.#loop.rebootWhenIdle(reason),
      poll: () =>
        this.#loop.inBackground(
          this.checkNotifications().finally(() => this.#armTimers()),
        ),
    });
    this.#listener = new ConnectionRequestListener(
      options.connectionRequest ?? {},
      {
        device: context.device,
        clock,
        log: this.#log,
        onRequest: () => this.#loop.inBackground(raise("6 CONNECTION REQUEST")),
        onUrl: (path, url) => this.#notifications.settle(path, url),
        udp: options.udpConnectionRequest,
        onPublished: (paths) => this.#watched(paths),
      },
    );
    this.#settings = new SettingsChanges({
      context,
      clock,
      bootstrap: () => bootstrap(this.#parts, this.#sessions.inFlight),
      requestSession: () => this.requestSession(),
      listener: async (wanted) => {
        if (!this.#loop.stopping) await this.#listener.apply(wanted);
      },
      armTimers: () => this.#armTimers(),
      log: (msg) => this.#log("info", msg),
    });
    this.#changes = new ValueChangeWatch({
      notifications: this.#notifications,
      clock,
      throttle: this.#timers.throttle,
      throttleSeconds: () =>
        Number(this.#ms("DefaultActiveNotificationThrottle")),
      lastSuccessAt: () => this.#sessions.lastSuccessAt,
      sessionRunning: () => this.#loop.running,
      requestSession: () => this.requestSession(),
    });
  }

  /** Connection requests and connections the listener refused, by reason. */
  get connectionRequestRefusals(): Readonly<Record<string, number>> {
    return this.#listener.refusals;
  }

  /** The persisted queue: events, retry count, last and next session. */
  get status(): EventQueueDocument {
    return this.#queue.current;
  }

  /** How many sessions ran. */
  get sessionCount(): number {
    return this.#sessions.count;
  }

  /** The published ConnectionRequestURL, when the listener runs. */
  get connectionRequestUrl(): string | undefined {
    return this.#listener.url;
  }

  /**
   * Starts: carries out a Reboot or FactoryReset answered before a crash,
   * raises `1 BOOT` (with the events recorded for it) when the device has
   * booted since the last start, `0 BOOTSTRAP` for an ACS URL not
   * bootstrapped yet, starts the listener and the timers, and opens the
   * first session — or waits for a retry that was already scheduled.
   */
  async start(): Promise<void> {
    await this.#queue.load((problem) =>
      this.#log("error", "state file repaired", { ...problem })
    );
    const device = this.#context.device;
    const booted = await bootAtStart(this.#parts, this.#log);
    await this.#transfers.start({ booted });
    const queue = this.#queue.current;
    await this.#notifications.reset();
    await this.#settings.applyListener();
    // From here on, changes act as they happen (start itself changed some).
    this.#unsubscribe.push(
      device.onManagementServerChange((names) => this.#onSettings(names)),
      device.watch((paths) => this.#watched(paths)),
    );
    this.#armTimers();
    const next = queue.nextSession ? Date.parse(queue.nextSession) : NaN;
    if (!booted && queue.retryCount > 0 && next > this.#clock.now()) {
      // A retry wait was running when the agent stopped: it goes on.
      this.#timers.retry.set(next, () => this.requestSession());
    } else this.requestSession();
  }

  /** Stops timers and the listener, waiting for a running session to end. */
  async stop(): Promise<void> {
    this.#loop.stop();
    this.#timers.cancelAll();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    await Promise.all([this.#loop.idle(), this.#transfers.stop()]);
    await this.#listener.stop();
  }

  /**
   * Adds events and asks for a session. An event raised while a session
   * runs is kept for the next Inform, never merged into the current one.
   */
  async trigger(events: readonly EventRecord[]): Promise<void> {
    await this.#queue.add(events, this.#sessions.inFlight);
    this.requestSession();
  }

  /**
   * Asks for a session: now, or right after the running one (one follow-up
   * however many requests arrive meanwhile). A new event during a retry wait
   * starts the session at once (digest §3.4).
   */
  requestSession(): void {
    this.#loop.request();
  }

  /** Resolves when no session, settings change or transfer is running. */
  async idle(): Promise<void> {
    await whenSettled(this.#loop, this.#transfers.worker);
  }

  /**
   * Compares notified parameters with their last reported values: passive
   * changes wait for the next Inform, an active one asks for a session with
   * `4 VALUE CHANGE`, no sooner than DefaultActiveNotificationThrottle
   * seconds after the last successful session.
   */
  async checkNotifications(): Promise<void> {
    await this.#changes.check();
  }

  /** Values that changed outside the ACS (the device, the agent's findings). */
  #watched(paths: readonly string[]): void {
    this.#loop.inBackground(this.#changes.check(paths, { reported: true }));
  }

  /** The namespace sessions start in (CWMP 1.4 negotiation starts in cwmp-1-2). */
  static readonly namespace: CwmpNamespaceName = "1-2";

  #ms(name: string): string {
    return this.#context.device.managementServer(name);
  }

  async #session(): Promise<void> {
    this.#timers.retry.cancel();
    const ran = await this.#sessions.run();
    if (!ran) return;
    // What the CPE answered for is owed whatever the outcome.
    if (await rebootAfterSession(this.#parts, this.#log)) this.#loop.followUp();
    this.#transfers.afterSession();
    await this.#settings.apply();
    await this.#changes.afterSession();
    this.#armTimers();
    const retry = ran.retryDelayMs;
    const enabled = this.#ms("EnableCWMP") === "true";
    if (retry !== undefined && !this.#loop.stopping && enabled) {
      this.#timers.retry.set(
        this.#clock.now() + retry,
        () => this.requestSession(),
      );
    }
    this.#options.onSession?.(ran.result);
  }

  /** A ManagementServer parameter changed, by whoever: acts now, or when the session ends. */
  #onSettings(names: readonly string[]): void {
    this.#settings.note(names);
    if (this.#loop.running || this.#loop.stopping) return;
    this.#loop.inBackground(this.#settings.apply());
  }

  /** (Re)arms every timer from the current settings and state. */
  #armTimers(): void {
    if (this.#loop.stopping) return;
    this.#timers.arm(
      timerSettingsOf((name) => this.#ms(name), this.#context.state.current, {
        firing: this.#scheduled.firing,
        pollMs: this.#options.notificationPollMs ?? 30_000,
      }),
    );
  }

  /** A reboot the data model asked for (ScheduleReboot, DelayReboot), before the next session. */
  async #rebootNow(reason: string): Promise<void> {
    await rebootAsAsked(this.#parts, reason, this.#log);
    this.#armTimers();
  }
}
