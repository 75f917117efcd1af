/**
 * The agent: keeps the event queue, decides when sessions run (boot,
 * periodic, scheduled, value change, connection request, retry), runs them
 * one at a time, and carries out what they leave for afterwards.
 *
 * @module
 */
import { Serial } from "../state/serial.ts";
import type { CwmpNamespaceName } from "../cwmp/namespaces.ts";
import type {
  ConnectionRequestOptions,
  ConnectionRequestServer,
} from "../connreq/server.ts";
import { startConnectionRequestServer } from "../connreq/server.ts";
import { RefusalLog } from "../connreq/refusals.ts";
import type { RpcContext } from "../rpc/context.ts";
import {
  addEvents,
  afterBoot,
  coveredEntries,
  eventPolicy,
  informEvents,
} from "../session/events.ts";
import { buildInform } from "../session/inform.ts";
import { retryDelayMs } from "../session/retry.ts";
import {
  runSession,
  type SessionResult,
  type TranscriptEntry,
} from "../session/runner.ts";
import type { AcsClientOptions } from "../transport/acs_client.ts";
import type { EventRecord } from "../state/agent_state.ts";
import { Alarm } from "./alarm.ts";
import {
  EVENT_QUEUE_KEY,
  EVENT_QUEUE_SPEC,
  type EventQueueDocument,
} from "../state/event_queue.ts";
import { loadStateDocument } from "../state/state_document.ts";
import { type Clock, systemClock } from "./clock.ts";
import { NotificationTracker } from "./notifications.ts";
import { carryOutPendingActions } from "./pending.ts";
import { PeriodicSchedule } from "./periodic.ts";

export { nextPeriodicInform } from "./periodic.ts";

export {
  EVENT_QUEUE_KEY,
  type EventQueueDocument,
} from "../state/event_queue.ts";

/** A structured log line. */
export type LogRecord = {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly msg: string;
} & Record<string, unknown>;

/** Options for {@linkcode CwmpAgent}. */
export interface CwmpAgentOptions {
  /** Device, handlers and stored state. */
  readonly context: RpcContext;
  /** The clock (fake in tests). */
  readonly clock?: Clock;
  /** Randomness for retry waits. */
  readonly random?: () => number;
  /** Where log records go; never receives a secret. */
  readonly log?: (record: LogRecord) => void;
  /** TLS and limits for the HTTP client (credentials come from ManagementServer). */
  readonly client?: Omit<AcsClientOptions, "username" | "password" | "now">;
  /** The connection-request listener, or false for none. */
  readonly connectionRequest?:
    | {
      readonly hostname?: string;
      readonly port?: number;
      readonly path?: string;
      /** Connection requests accepted at once (default 10). */
      readonly rateLimit?: number;
      /** After that burst, one more per this many ms (default 3000). */
      readonly rateIntervalMs?: number;
      /** Deprecated: see {@linkcode ConnectionRequestOptions.rateWindowMs}. */
      readonly rateWindowMs?: number;
      /** Counts and logs refusals across restarts of the listener. */
      readonly refusals?: RefusalLog;
      /** Serve HTTPS (and optionally require the ACS's client certificate). */
      readonly tls?: {
        readonly cert: string;
        readonly key: string;
        readonly clientCa?: readonly string[];
      };
    }
    | false;
  /** How often notified parameters are polled for changes (ms); 0 turns polling off. */
  readonly notificationPollMs?: number;
  /** Every message of every session, for transcripts. */
  readonly onMessage?: (entry: TranscriptEntry) => void;
  /** Called after each session. */
  readonly onSession?: (result: SessionResult) => void;
  /** Seconds announced in cwmp:SessionTimeout. */
  readonly sessionTimeout?: number;
  /** Bounds on one session: ACS requests and duration (defaults far above any real ACS). */
  readonly sessionLimits?: {
    readonly maxRequests?: number;
    readonly maxDurationMs?: number;
  };
  /**
   * Allow an http ACS URL (the lab TLS profile). When false (the default), a
   * session to an http URL fails without sending anything.
   */
  readonly allowPlainHttp?: boolean;
}

/** ScheduleInforms due this close together fire as one session (DelaySeconds has 1 s steps). */
const SCHEDULE_COALESCE_MS = 1000;

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
  readonly #random: () => number;
  #queue: EventQueueDocument = { events: [], retryCount: 0 };
  #running: Promise<void> | undefined;
  #followUp = false;
  #stopping = false;
  readonly #queueUpdates = new Serial();
  readonly #settingsUpdates = new Serial();
  /** Queue entries the running session's Inform carries. */
  #inFlight: ReadonlySet<EventRecord> | undefined;
  readonly #retryAlarm: Alarm;
  readonly #periodicAlarm: Alarm;
  readonly #scheduleAlarm: Alarm;
  readonly #pollAlarm: Alarm;
  readonly #throttleAlarm: Alarm;
  readonly #scheduleRebootAlarm: Alarm;
  readonly #delayRebootAlarm: Alarm;
  readonly #periodic = new PeriodicSchedule();
  readonly #notifications: NotificationTracker;
  #connectionRequest: ConnectionRequestServer | undefined;
  /** Kept across restarts of the listener, so that its totals are the agent's. */
  readonly #crRefusals: RefusalLog;
  #lastSuccessAt = 0;
  #sessions = 0;
  #firingScheduled = false;
  /** Work that waits for no session to be running. */
  #rebootWaiting: string | undefined;
  /** Changes to compare once the running session has ended. */
  #checkAfterSession: Set<string> | "all" | undefined;
  #settingsChanged = new Set<string>();
  #disabledLogged = false;
  readonly #background = new Set<Promise<unknown>>();
  readonly #unsubscribe: (() => void)[] = [];

  /** An agent; nothing runs until {@linkcode CwmpAgent.start}. */
  constructor(options: CwmpAgentOptions) {
    this.#options = options;
    this.#context = options.context;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#notifications = new NotificationTracker(options.context);
    this.#retryAlarm = new Alarm(this.#clock);
    this.#periodicAlarm = new Alarm(this.#clock);
    this.#scheduleAlarm = new Alarm(this.#clock);
    this.#pollAlarm = new Alarm(this.#clock);
    this.#throttleAlarm = new Alarm(this.#clock);
    this.#scheduleRebootAlarm = new Alarm(this.#clock);
    this.#delayRebootAlarm = new Alarm(this.#clock);
    this.#crRefusals = (options.connectionRequest || {}).refusals ??
      new RefusalLog({
        log: (msg, details) => this.#log("warn", msg, details),
        now: () => this.#clock.now(),
      });
  }

  /** Connection requests and connections the listener refused, by reason. */
  get connectionRequestRefusals(): Readonly<Record<string, number>> {
    return this.#crRefusals.totals();
  }

  #log(
    level: LogRecord["level"],
    msg: string,
    fields: Record<string, unknown> = {},
  ): void {
    this.#options.log?.({ level, msg, ...fields });
  }

  /** The persisted queue: events, retry count, last and next session. */
  get status(): EventQueueDocument {
    return this.#queue;
  }

  /** How many sessions ran. */
  get sessionCount(): number {
    return this.#sessions;
  }

  /** The published ConnectionRequestURL, when the listener runs. */
  get connectionRequestUrl(): string | undefined {
    return this.#connectionRequest?.url;
  }

  /**
   * Starts: carries out a Reboot or FactoryReset answered before a crash,
   * raises `1 BOOT` (with the events recorded for it) when the device has
   * booted since the last start, `0 BOOTSTRAP` for an ACS URL not
   * bootstrapped yet, starts the listener and the timers, and opens the
   * first session — or waits for a retry that was already scheduled.
   */
  async start(): Promise<void> {
    this.#queue = await loadStateDocument(
      this.#context.device.store,
      EVENT_QUEUE_KEY,
      EVENT_QUEUE_SPEC,
      {
        onProblem: (problem) =>
          this.#log("error", "state file repaired", { ...problem }),
      },
    ) as unknown as EventQueueDocument;
    const device = this.#context.device;
    const bootId = await device.currentBootId();
    const owed = await this.#carryOutOwed({ atStart: true, bootId });
    const booted = await this.#boot({ atStart: true, rebooted: owed.done });
    const url = this.#ms("URL");
    if (
      url !== "" && url !== this.#queue.bootstrappedUrl &&
      !this.#queue.events.some((e) => e.eventCode === "0 BOOTSTRAP")
    ) {
      await this.#bootstrap();
    }
    await this.#notifications.reset();
    await this.#settingsUpdates.run(() => this.#applySettings());
    // From here on, changes act as they happen (start itself changed some).
    this.#unsubscribe.push(
      device.onManagementServerChange((names) => this.#onSettings(names)),
      device.watch((paths) => this.#onDeviceChanges(paths)),
    );
    this.#armTimers();
    const next = this.#queue.nextSession
      ? Date.parse(this.#queue.nextSession)
      : NaN;
    if (!booted && this.#queue.retryCount > 0 && next > this.#clock.now()) {
      // A retry wait was running when the agent stopped: it goes on.
      this.#retryAlarm.set(next, () => this.requestSession());
    } else {
      this.requestSession();
    }
  }

  /**
   * Raises `1 BOOT` if the device booted since the agent last looked: the
   * boot events recorded in an earlier boot, a fresh retry window,
   * DelayReboot back to -1. A device with boot ids says whether it booted,
   * so an agent restart within the same boot raises nothing; for one
   * without, every start and every reboot the agent asked for is a boot.
   */
  async #boot(when: { atStart: boolean; rebooted: boolean }) {
    const state = this.#context.state;
    const bootId = await this.#context.device.currentBootId();
    const booted = bootId === undefined
      ? when.atStart || when.rebooted
      : bootId !== state.current.lastBootId;
    if (!booted) return false;
    const raise = state.current.bootEvents.filter((e) =>
      bootId === undefined || e.bootId !== bootId
    );
    await this.#updateQueue((queue) => ({
      ...queue,
      events: afterBoot(queue.events, raise),
      failuresSinceBoot: 0,
    }));
    await state.update((s) => {
      const { delayRebootAt: _, lastBootId: __, ...rest } = s;
      return {
        ...rest,
        bootEvents: s.bootEvents.filter((e) => !raise.includes(e)),
        ...(bootId !== undefined ? { lastBootId: bootId } : {}),
      };
    });
    if (this.#ms("DelayReboot") !== "-1") {
      // The data model: whenever the CPE reboots, DelayReboot is -1 again.
      await this.#context.device.setManagementServer({ DelayReboot: "-1" });
    }
    await this.#notifications.reset();
    return true;
  }

  /**
   * A new ACS: `0 BOOTSTRAP`, and what only the old ACS cared about is gone
   * (digest §5.2's BOOTSTRAP column: its periodic, scheduled, value-change
   * and connection-request events, its pending ScheduleInforms, an
   * `M Reboot` for it). Transfer completions stay: the device state they
   * describe is real whatever the ACS.
   */
  async #bootstrap(): Promise<void> {
    await this.#updateQueue((queue) => ({
      ...queue,
      events: addEvents(queue.events, [{
        eventCode: "0 BOOTSTRAP",
        commandKey: "",
      }], { inFlight: this.#inFlight }),
    }));
    await this.#context.state.update((s) => ({
      ...s,
      scheduledInforms: [],
      bootEvents: s.bootEvents.filter((e) =>
        !eventPolicy(e.eventCode).droppedOnBootstrap
      ),
    }));
  }

  /** Carries out the answered Reboot/FactoryReset, if any; reports whether it was done. */
  async #carryOutOwed(
    when: { atStart: boolean; bootId: string | undefined },
  ): Promise<{ done: boolean }> {
    if (this.#context.state.current.pendingActions.length === 0) {
      return { done: false };
    }
    const outcome = await carryOutPendingActions(this.#context, when);
    if (outcome.error) {
      this.#log("error", "the answered reboot or reset failed", {
        error: outcome.error.message,
      });
    } else if (outcome.done) {
      this.#log("info", `${outcome.done} carried out`);
    }
    return { done: outcome.done !== undefined };
  }

  /** Stops timers and the listener, waiting for a running session to end. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (
      const alarm of [
        this.#retryAlarm,
        this.#periodicAlarm,
        this.#scheduleAlarm,
        this.#pollAlarm,
        this.#throttleAlarm,
        this.#scheduleRebootAlarm,
        this.#delayRebootAlarm,
      ]
    ) alarm.cancel();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    await this.idle();
    await this.#connectionRequest?.stop();
    this.#connectionRequest = undefined;
  }

  /**
   * Adds events and asks for a session. An event raised while a session
   * runs is kept for the next Inform, never merged into the current one.
   */
  async trigger(events: readonly EventRecord[]): Promise<void> {
    await this.#updateQueue((queue) => ({
      ...queue,
      events: addEvents(queue.events, events, { inFlight: this.#inFlight }),
    }));
    this.requestSession();
  }

  /**
   * Asks for a session: now, or right after the running one (one follow-up
   * however many requests arrive meanwhile). A new event during a retry wait
   * starts the session at once (digest §3.4).
   */
  requestSession(): void {
    if (this.#stopping) return;
    if (this.#running) {
      this.#followUp = true;
      return;
    }
    this.#retryAlarm.cancel();
    this.#running = this.#loop().finally(() => this.#running = undefined);
  }

  /** Resolves when no session is running and no settings change is being applied. */
  async idle(): Promise<void> {
    while (this.#running || this.#background.size > 0) {
      await this.#running;
      await Promise.all([...this.#background]);
    }
  }

  async #loop(): Promise<void> {
    do {
      this.#followUp = false;
      try {
        if (this.#rebootWaiting !== undefined) await this.#rebootNow();
        await this.#session();
      } catch (error) {
        this.#log("error", "session crashed", {
          error: String((error as Error)?.stack ?? error),
        });
      }
    } while (this.#followUp && !this.#stopping);
  }

  #ms(name: string): string {
    return this.#context.device.managementServer(name);
  }

  #enabled(): boolean {
    return this.#ms("EnableCWMP") === "true";
  }

  /**
   * Replaces the event queue with `change(queue)`, durably. Serialized: a
   * session removing delivered events and a timer adding one never work
   * from the same stale copy.
   */
  #updateQueue(
    change: (queue: EventQueueDocument) => EventQueueDocument,
  ): Promise<void> {
    return this.#queueUpdates.run(async () => {
      const queue = change(this.#queue);
      await this.#context.device.store.write(EVENT_QUEUE_KEY, queue);
      this.#queue = queue;
    });
  }

  async #session(): Promise<void> {
    this.#retryAlarm.cancel();
    const url = this.#ms("URL");
    if (!this.#enabled() || url === "") {
      if (!this.#disabledLogged) {
        this.#log(
          "warn",
          "no session: CWMP is disabled or ManagementServer.URL is empty",
        );
        this.#disabledLogged = true;
      }
      return;
    }
    this.#disabledLogged = false;
    if (this.#options.allowPlainHttp === false && !url.startsWith("https://")) {
      // Counted as a failed session so the retry schedule and the log apply.
      await this.#afterSession({
        outcome: "failure",
        reason:
          `ACS URL ${url} is not https and the TLS profile forbids plain http`,
        events: [],
        rpcs: [],
        rpcCount: 0,
        after: [],
        deferredRequests: [],
        durationMs: 0,
        url,
      }, new Set());
      return;
    }
    const changed = this.#notifications.changed;
    // A session needs a reason: an event, a change to report, or a retry owed
    // for a failed session — also one that failed after its InformResponse,
    // whose events are already delivered (the retry's Inform then carries
    // only what is still undelivered, possibly nothing: TR-069 §3.2.1.1
    // retries the session; delivered events are never sent again).
    if (
      this.#queue.events.length === 0 && changed.length === 0 &&
      this.#queue.retryCount === 0
    ) return;
    let events = this.#queue.events;
    if (changed.length > 0) {
      events = addEvents(events, [{
        eventCode: "4 VALUE CHANGE",
        commandKey: "",
      }]);
    }
    const sent = informEvents(events);
    const inFlight = coveredEntries(this.#queue.events, sent);
    this.#inFlight = inFlight;
    const inform = await buildInform(this.#context, {
      events: sent,
      retryCount: this.#queue.retryCount,
      now: new Date(this.#clock.now()),
      changed,
    });
    this.#sessions++;
    let result: SessionResult;
    try {
      result = await runSession({
        url,
        context: this.#context,
        onWarning: (message) => this.#log("warn", "ACS message", { message }),
        client: {
          ...this.#options.client,
          username: this.#ms("Username"),
          password: this.#ms("Password"),
          now: () => this.#clock.now(),
        },
        start: {
          inform,
          ...(this.#options.sessionTimeout
            ? { sessionTimeout: this.#options.sessionTimeout }
            : {}),
          ...(this.#options.sessionLimits?.maxRequests !== undefined
            ? { maxRequests: this.#options.sessionLimits.maxRequests }
            : {}),
        },
        ...(this.#options.sessionLimits?.maxDurationMs !== undefined
          ? { maxDurationMs: this.#options.sessionLimits.maxDurationMs }
          : {}),
        onMessage: this.#options.onMessage,
        onDelivered: async () => {
          const bootstrapped = sent.some((e) => e.eventCode === "0 BOOTSTRAP");
          await this.#updateQueue((queue) => ({
            ...queue,
            events: queue.events.filter((e) => !inFlight.has(e)),
            ...(bootstrapped ? { bootstrappedUrl: url } : {}),
          }));
          this.#notifications.delivered(changed);
        },
        onHandled: async (request, handled) => {
          if (handled.body.kind !== "response") return;
          // Changes the ACS makes itself never notify it back (digest §9.2);
          // attributes it turns on take their baseline now.
          if (request.method === "SetParameterValues") {
            await this.#notifications.acsChanged(
              request.args.parameterList.map((p) => p.name),
            );
          } else if (request.method === "SetParameterAttributes") {
            await this.#notifications.track();
          }
        },
      });
    } finally {
      this.#inFlight = undefined;
    }
    await this.#afterSession(result, inFlight);
  }

  async #afterSession(
    result: SessionResult,
    inFlight: ReadonlySet<EventRecord>,
  ): Promise<void> {
    const at = new Date(this.#clock.now()).toISOString();
    this.#log(result.outcome === "success" ? "info" : "warn", "session", {
      outcome: result.outcome,
      ...(result.reason ? { reason: result.reason } : {}),
      events: result.events.map((e) => e.eventCode),
      rpcs: result.rpcs,
      ...(result.rpcCount > result.rpcs.length
        ? { rpcCount: result.rpcCount }
        : {}),
      durationMs: result.durationMs,
      retryCount: this.#queue.retryCount,
    });
    let retryDelay: number | undefined;
    if (result.outcome === "success") {
      this.#lastSuccessAt = this.#clock.now();
      await this.#updateQueue(({ nextSession: _, ...queue }) => ({
        ...queue,
        retryCount: 0,
        failuresSinceBoot: 0,
        lastSession: { at, outcome: "success" },
      }));
    } else {
      await this.#updateQueue((queue) => {
        const failures = (queue.failuresSinceBoot ?? queue.retryCount) + 1;
        retryDelay = retryDelayMs(failures, this.#random, {
          minimumWaitSeconds:
            Number(this.#ms("CWMPRetryMinimumWaitInterval")) || 5,
          intervalMultiplier: Number(this.#ms("CWMPRetryIntervalMultiplier")) ||
            2000,
        });
        return {
          ...queue,
          // Of the events the failed Inform carried and that were not
          // delivered, those not retried go; events raised since wait.
          events: queue.events.filter((e) =>
            !inFlight.has(e) || eventPolicy(e.eventCode).retried
          ),
          retryCount: queue.retryCount + 1,
          failuresSinceBoot: failures,
          lastSession: {
            at,
            outcome: "failure",
            ...(result.reason ? { reason: result.reason } : {}),
          },
          nextSession: new Date(this.#clock.now() + retryDelay).toISOString(),
        };
      });
    }
    // What the CPE answered for is owed whatever the outcome.
    const owed = await this.#carryOutOwed({
      atStart: false,
      bootId: await this.#context.device.currentBootId(),
    });
    if (owed.done && await this.#boot({ atStart: false, rebooted: true })) {
      this.#followUp = true;
    }
    await this.#settingsUpdates.run(() => this.#applyChangedSettings());
    if (this.#checkAfterSession !== undefined) {
      const paths = this.#checkAfterSession === "all"
        ? undefined
        : [...this.#checkAfterSession];
      this.#checkAfterSession = undefined;
      await this.#checkChanges(paths, { now: true });
    }
    this.#armTimers();
    if (retryDelay !== undefined && !this.#stopping && this.#enabled()) {
      this.#retryAlarm.set(
        this.#clock.now() + retryDelay,
        () => this.requestSession(),
      );
    }
    this.#options.onSession?.(result);
  }

  /** A ManagementServer parameter changed, by whoever. */
  #onSettings(names: readonly string[]): void {
    for (const name of names) this.#settingsChanged.add(name);
    // During a session the change acts when it ends (the ACS is still
    // talking to this URL; DelayReboot counts from the session's end).
    if (this.#running || this.#stopping) return;
    this.#inBackground(
      this.#settingsUpdates.run(() => this.#applyChangedSettings()),
    );
  }

  #inBackground(work: Promise<unknown>): void {
    const tracked = work.catch((error) =>
      this.#log("error", "applying a change failed", {
        error: String((error as Error)?.message ?? error),
      })
    ).finally(() => this.#background.delete(tracked));
    this.#background.add(tracked);
  }

  async #applyChangedSettings(): Promise<void> {
    const changed = this.#settingsChanged;
    if (changed.size === 0) return;
    this.#settingsChanged = new Set();
    if (changed.has("URL") && this.#ms("URL") !== "") {
      this.#log("info", "new ACS URL: the next session carries 0 BOOTSTRAP");
      await this.#bootstrap();
      this.requestSession();
    }
    if (changed.has("DelayReboot")) {
      const seconds = Number(this.#ms("DelayReboot"));
      await this.#context.state.update(({ delayRebootAt: _, ...s }) => ({
        ...s,
        ...(seconds >= 0
          ? {
            delayRebootAt: new Date(this.#clock.now() + seconds * 1000)
              .toISOString(),
          }
          : {}),
      }));
    }
    if (changed.has("EnableCWMP") && this.#enabled()) this.requestSession();
    await this.#applySettings();
    this.#armTimers();
  }

  /**
   * Makes the running agent match its settings: the connection-request
   * listener runs only with HTTPConnectionRequestEnable and EnableCWMP, and
   * ConnectionRequestURL is published only while it does.
   */
  async #applySettings(): Promise<void> {
    if (this.#stopping) return;
    const want = this.#options.connectionRequest !== false &&
      this.#enabled() && this.#ms("HTTPConnectionRequestEnable") === "true";
    const path =
      `${this.#context.device.root}.ManagementServer.ConnectionRequestURL`;
    if (want && !this.#connectionRequest) {
      const cr = this.#options.connectionRequest || {};
      try {
        this.#connectionRequest = await startConnectionRequestServer(
          {
            ...cr,
            credentials: () => ({
              username: this.#ms("ConnectionRequestUsername"),
              password: this.#ms("ConnectionRequestPassword"),
            }),
            onRequest: () => {
              this.#log("info", "connection request accepted");
              this.#inBackground(this.trigger([{
                eventCode: "6 CONNECTION REQUEST",
                commandKey: "",
              }]));
            },
            now: () => this.#clock.now(),
            refusals: this.#crRefusals,
          } satisfies ConnectionRequestOptions,
        );
      } catch (error) {
        this.#log("error", "the connection-request listener cannot start", {
          error: String((error as Error)?.message ?? error),
        });
        return;
      }
      this.#context.device.setConnectionRequestUrl(this.#connectionRequest.url);
      this.#notifications.settle(path, this.#connectionRequest.url);
    } else if (!want && this.#connectionRequest) {
      await this.#connectionRequest.stop();
      this.#connectionRequest = undefined;
      this.#context.device.setConnectionRequestUrl("");
      this.#notifications.settle(path, "");
      this.#log("info", "connection-request listener closed");
    }
  }

  /** (Re)arms every timer from the current settings and state. */
  #armTimers(): void {
    if (this.#stopping) return;
    const now = this.#clock.now();
    const periodicAt = this.#periodic.next(now, {
      enable: this.#enabled() && this.#ms("PeriodicInformEnable") === "true",
      intervalSeconds: Number(this.#ms("PeriodicInformInterval")) || 86400,
      time: this.#ms("PeriodicInformTime"),
    });
    if (periodicAt === undefined) this.#periodicAlarm.cancel();
    else if (this.#periodicAlarm.at !== periodicAt) {
      this.#periodicAlarm.set(periodicAt, () => {
        this.#inBackground(
          this.trigger([{ eventCode: "2 PERIODIC", commandKey: "" }])
            .finally(() => this.#armTimers()),
        );
      });
    }
    const scheduled = this.#context.state.current.scheduledInforms.map((s) =>
      Date.parse(s.dueAt)
    ).filter((t) => !Number.isNaN(t));
    if (scheduled.length === 0) this.#scheduleAlarm.cancel();
    else if (!this.#firingScheduled) {
      this.#scheduleAlarm.set(
        Math.min(...scheduled),
        () => this.#inBackground(this.#fireScheduled()),
      );
    }
    const scheduleReboot = Date.parse(this.#ms("ScheduleReboot"));
    // A time that has passed asks for nothing (the data model).
    if (scheduleReboot > now) {
      this.#scheduleRebootAlarm.set(
        scheduleReboot,
        () => this.#rebootWhenIdle("ManagementServer.ScheduleReboot"),
      );
    } else this.#scheduleRebootAlarm.cancel();
    const delayAt = Date.parse(
      this.#context.state.current.delayRebootAt ?? "",
    );
    if (!Number.isNaN(delayAt)) {
      this.#delayRebootAlarm.set(
        delayAt,
        () => this.#rebootWhenIdle("ManagementServer.DelayReboot"),
      );
    } else this.#delayRebootAlarm.cancel();
    const poll = this.#options.notificationPollMs ?? 30_000;
    if (poll > 0 && this.#pollAlarm.at === undefined) {
      this.#pollAlarm.set(now + poll, () => {
        this.#inBackground(
          this.checkNotifications().finally(() => this.#armTimers()),
        );
      });
    }
  }

  /**
   * Fires every ScheduleInform due now — those due within a second of each
   * other make one session — queueing the events before forgetting the
   * schedules: a crash in between fires them again (at least once) rather
   * than losing them.
   */
  async #fireScheduled(): Promise<void> {
    if (this.#firingScheduled) return;
    this.#firingScheduled = true;
    try {
      const limit = this.#clock.now() + SCHEDULE_COALESCE_MS;
      const due = this.#context.state.current.scheduledInforms.filter((s) =>
        Date.parse(s.dueAt) <= limit
      );
      if (due.length === 0) return;
      await this.trigger([
        { eventCode: "3 SCHEDULED", commandKey: "" },
        ...due.map((s) => ({
          eventCode: "M ScheduleInform",
          commandKey: s.commandKey,
        })),
      ]);
      await this.#context.state.update((s) => ({
        ...s,
        scheduledInforms: s.scheduledInforms.filter((x) =>
          !due.some((d) => d.dueAt === x.dueAt && d.commandKey === x.commandKey)
        ),
      }));
    } finally {
      this.#firingScheduled = false;
      this.#armTimers();
    }
  }

  /** A reboot the data model asks for: after the running session, if any (TR-181 ScheduleReboot). */
  #rebootWhenIdle(reason: string): void {
    if (this.#stopping) return;
    this.#rebootWaiting = reason;
    if (this.#running) this.#followUp = true;
    else this.#running = this.#loop().finally(() => this.#running = undefined);
  }

  async #rebootNow(): Promise<void> {
    const reason = this.#rebootWaiting;
    this.#rebootWaiting = undefined;
    this.#log("info", "rebooting", { reason });
    if (reason === "ManagementServer.DelayReboot") {
      await this.#context.state.update(({ delayRebootAt: _, ...s }) => s);
    }
    try {
      await this.#context.device.reboot();
    } catch (error) {
      this.#log("error", "reboot failed", {
        reason,
        error: String((error as Error)?.message ?? error),
      });
      this.#armTimers();
      return;
    }
    await this.#boot({ atStart: false, rebooted: true });
    this.#armTimers();
  }

  /** The device reported changes itself. */
  #onDeviceChanges(paths: readonly string[]): void {
    this.#inBackground(this.#checkChanges(paths, { reported: true }));
  }

  /**
   * Compares notified parameters with their last reported values: passive
   * changes wait for the next Inform, an active one asks for a session with
   * `4 VALUE CHANGE`, no sooner than DefaultActiveNotificationThrottle
   * seconds after the last successful session.
   */
  async checkNotifications(): Promise<void> {
    await this.#checkChanges();
  }

  async #checkChanges(
    paths?: readonly string[],
    options: { now?: boolean; reported?: boolean } = {},
  ): Promise<void> {
    // A change seen during a session is compared when it ends: the session
    // is not disturbed (§3.2.1), and by then the ACS's own changes have
    // moved the baseline, so they are never taken for the device's.
    if (this.#running && !options.now) {
      if (paths === undefined) this.#checkAfterSession = "all";
      else if (this.#checkAfterSession !== "all") {
        this.#checkAfterSession ??= new Set();
        for (const path of paths) this.#checkAfterSession.add(path);
      }
      return;
    }
    const { active } = options.reported && paths
      ? await this.#notifications.reported(paths)
      : await this.#notifications.check(paths);
    if (!active) return;
    const throttle = Number(this.#ms("DefaultActiveNotificationThrottle")) *
      1000;
    const wait = this.#lastSuccessAt + throttle - this.#clock.now();
    if (wait <= 0 || this.#lastSuccessAt === 0) {
      this.requestSession();
    } else if (this.#throttleAlarm.at === undefined) {
      this.#throttleAlarm.set(
        this.#clock.now() + wait,
        () => this.requestSession(),
      );
    }
  }

  /** The namespace sessions start in (CWMP 1.4 negotiation starts in cwmp-1-2). */
  static readonly namespace: CwmpNamespaceName = "1-2";
}
