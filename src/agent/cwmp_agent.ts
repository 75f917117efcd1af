/**
 * The agent: keeps the event queue, decides when sessions run (boot,
 * periodic, scheduled, value change, connection request, retry), runs them
 * one at a time, and carries out what they leave for afterwards.
 *
 * @module
 */
import { Serial } from "../device/_serial.ts";
import type { CwmpNamespaceName } from "../cwmp/namespaces.ts";
import type {
  ConnectionRequestOptions,
  ConnectionRequestServer,
} from "../connreq/server.ts";
import { startConnectionRequestServer } from "../connreq/server.ts";
import { UNKNOWN_TIME } from "../datamodel/types.ts";
import type { RpcContext } from "../rpc/context.ts";
import { runDeferredAction } from "../rpc/handlers.ts";
import {
  addEvents,
  afterBoot,
  afterFailedSession,
  informEvents,
  removeDelivered,
} from "../session/events.ts";
import { buildInform } from "../session/inform.ts";
import { retryDelayMs } from "../session/retry.ts";
import {
  runSession,
  type SessionResult,
  type TranscriptEntry,
} from "../session/runner.ts";
import type { AcsClientOptions } from "../transport/acs_client.ts";
import type { EventRecord } from "./agent_state.ts";
import { type Clock, systemClock } from "./clock.ts";

/** Store key of the event queue. */
export const EVENT_QUEUE_KEY = "event-queue";

/** The persisted event queue. */
export interface EventQueueDocument {
  /** Undelivered events. */
  readonly events: readonly EventRecord[];
  /** Consecutive failed sessions; kept across reboots (digest §3.4 leaves it open). */
  readonly retryCount: number;
  /** The ACS URL a BOOTSTRAP was last delivered to. */
  readonly bootstrappedUrl?: string;
  /** When the last session ended, and how. */
  readonly lastSession?: {
    readonly at: string;
    readonly outcome: string;
    readonly reason?: string;
  };
  /** When the next session is due, if one is scheduled. */
  readonly nextSession?: string;
}

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
  /**
   * Allow an http ACS URL (the lab TLS profile). When false (the default), a
   * session to an http URL fails without sending anything.
   */
  readonly allowPlainHttp?: boolean;
}

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
  #retryTimer: number | undefined;
  #periodicTimer: number | undefined;
  #scheduleTimers: number[] = [];
  readonly #queueUpdates = new Serial();
  /** Scheduled informs queued but not yet removed from the state: not to be armed again. */
  readonly #firing = new Set<string>();
  #pollTimer: number | undefined;
  #throttleTimer: number | undefined;
  #connectionRequest: ConnectionRequestServer | undefined;
  /** Last reported value of each notified parameter. */
  #baseline = new Map<string, string>();
  /** Notified parameters changed since last reported, and whether any is active. */
  #changed = new Set<string>();
  #lastSuccessAt = 0;
  #sessions = 0;

  /** An agent; nothing runs until {@linkcode CwmpAgent.start}. */
  constructor(options: CwmpAgentOptions) {
    this.#options = options;
    this.#context = options.context;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
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
   * Boots: raises `1 BOOT` with the events recorded before the last reboot,
   * `0 BOOTSTRAP` for an ACS URL not bootstrapped yet, starts the listener
   * and the timers, and opens the first session.
   */
  async start(): Promise<void> {
    const saved = await this.#context.device.store.read(EVENT_QUEUE_KEY) as
      | Partial<EventQueueDocument>
      | undefined;
    this.#queue = {
      events: saved?.events ?? [],
      retryCount: saved?.retryCount ?? 0,
      ...saved,
    };
    await this.#boot();
    if (
      this.#options.connectionRequest !== false &&
      this.#ms("HTTPConnectionRequestEnable") === "true"
    ) {
      const cr = this.#options.connectionRequest ?? {};
      this.#connectionRequest = await startConnectionRequestServer({
        ...cr,
        credentials: () => ({
          username: this.#ms("ConnectionRequestUsername"),
          password: this.#ms("ConnectionRequestPassword"),
        }),
        onRequest: () => {
          this.#log("info", "connection request accepted");
          void this.trigger([{
            eventCode: "6 CONNECTION REQUEST",
            commandKey: "",
          }]);
        },
        now: () => this.#clock.now(),
        log: (msg, details) => this.#log("warn", msg, details),
      });
      this.#context.device.setConnectionRequestUrl(this.#connectionRequest.url);
    }
    await this.#resetBaseline();
    this.#armTimers();
    this.requestSession();
  }

  async #boot(): Promise<void> {
    const bootEvents = this.#context.state.current.bootEvents;
    const url = this.#ms("URL");
    await this.#updateQueue((queue) => {
      let events = afterBoot(queue.events, bootEvents);
      if (url !== "" && queue.bootstrappedUrl !== url) {
        events = addEvents(events, [{
          eventCode: "0 BOOTSTRAP",
          commandKey: "",
        }]);
      }
      return { ...queue, events };
    });
    await this.#context.state.update((s) => ({ ...s, bootEvents: [] }));
  }

  /** Stops timers and the listener, waiting for a running session to end. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (
      const t of [
        this.#retryTimer,
        this.#periodicTimer,
        this.#pollTimer,
        this.#throttleTimer,
        ...this.#scheduleTimers,
      ]
    ) {
      if (t !== undefined) this.#clock.clearTimeout(t);
    }
    await this.#running;
    await this.#connectionRequest?.stop();
  }

  /** Adds events and asks for a session. */
  async trigger(events: readonly EventRecord[]): Promise<void> {
    await this.#updateQueue((queue) => ({
      ...queue,
      events: addEvents(queue.events, events),
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
    if (this.#retryTimer !== undefined) {
      this.#clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    this.#running = this.#loop().finally(() => this.#running = undefined);
  }

  /** Resolves when no session is running. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #loop(): Promise<void> {
    do {
      this.#followUp = false;
      try {
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
    if (this.#retryTimer !== undefined) {
      this.#clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    const url = this.#ms("URL");
    if (this.#ms("EnableCWMP") !== "true" || url === "") {
      this.#log(
        "warn",
        "no session: CWMP is disabled or ManagementServer.URL is empty",
      );
      return;
    }
    if (this.#options.allowPlainHttp === false && !url.startsWith("https://")) {
      // Counted as a failed session so the retry schedule and the log apply.
      await this.#afterSession({
        outcome: "failure",
        reason:
          `ACS URL ${url} is not https and the TLS profile forbids plain http`,
        events: [],
        rpcs: [],
        after: [],
        deferredRequests: [],
        durationMs: 0,
        url,
      }, new Set());
      return;
    }
    if (this.#queue.events.length === 0 && this.#changed.size === 0) {
      // A session needs a reason; a follow-up with nothing left is dropped.
      return;
    }
    const changed = [...this.#changed];
    let events = this.#queue.events;
    if (changed.length > 0) {
      events = addEvents(events, [{
        eventCode: "4 VALUE CHANGE",
        commandKey: "",
      }]);
    }
    const sent = informEvents(events);
    const inform = await buildInform(this.#context, {
      events: sent,
      retryCount: this.#queue.retryCount,
      now: new Date(this.#clock.now()),
      changed,
    });
    this.#sessions++;
    const acsChanges = new Set<string>();
    const result = await runSession({
      url,
      context: this.#context,
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
      },
      onMessage: this.#options.onMessage,
      onDelivered: async (delivered) => {
        const bootstrapped = delivered.some((e) =>
          e.eventCode === "0 BOOTSTRAP"
        );
        await this.#updateQueue((queue) => ({
          ...queue,
          events: removeDelivered(queue.events, delivered),
          ...(bootstrapped ? { bootstrappedUrl: url } : {}),
        }));
        for (const path of changed) this.#changed.delete(path);
      },
      onHandled: (request, handled) => {
        // Changes the ACS makes itself never notify it back (digest §9.2).
        if (
          request.method === "SetParameterValues" &&
          handled.body.kind === "response"
        ) {
          for (const p of request.args.parameterList) acsChanges.add(p.name);
        }
      },
    });
    await this.#afterSession(result, acsChanges);
  }

  async #afterSession(
    result: SessionResult,
    acsChanges: ReadonlySet<string>,
  ): Promise<void> {
    const at = new Date(this.#clock.now()).toISOString();
    this.#log(result.outcome === "success" ? "info" : "warn", "session", {
      outcome: result.outcome,
      ...(result.reason ? { reason: result.reason } : {}),
      events: result.events.map((e) => e.eventCode),
      rpcs: result.rpcs,
      durationMs: result.durationMs,
      retryCount: this.#queue.retryCount,
    });
    if (acsChanges.size > 0) {
      const values = await this.#context.model.view().values(
        [...acsChanges].filter((p) => this.#baseline.has(p)),
      );
      for (const [path, value] of values) this.#baseline.set(path, value);
    }
    if (result.outcome === "success") {
      this.#lastSuccessAt = this.#clock.now();
      await this.#updateQueue((queue) => ({
        ...queue,
        retryCount: 0,
        lastSession: { at, outcome: "success" },
      }));
      for (const action of result.after) {
        this.#log("info", `running ${action.kind} after the session`);
        try {
          await runDeferredAction(action, this.#context);
          // The device came back: this is a new boot.
          await this.#boot();
          await this.#resetBaseline();
          this.#followUp = true;
        } catch (error) {
          this.#log("error", `${action.kind} failed`, {
            error: (error as Error).message,
          });
        }
      }
      this.#armTimers();
    } else {
      let delay = 0;
      await this.#updateQueue((queue) => {
        const retryCount = queue.retryCount + 1;
        delay = retryDelayMs(retryCount, this.#random, {
          minimumWaitSeconds:
            Number(this.#ms("CWMPRetryMinimumWaitInterval")) || 5,
          intervalMultiplier: Number(this.#ms("CWMPRetryIntervalMultiplier")) ||
            2000,
        });
        return {
          ...queue,
          // Only events the failed Inform carried can be dropped; newer ones wait.
          events: [
            ...afterFailedSession(
              queue.events.filter((e) =>
                result.events.some((s) => sameEvent(s, e))
              ),
            ),
            ...queue.events.filter((e) =>
              !result.events.some((s) => sameEvent(s, e))
            ),
          ],
          retryCount,
          lastSession: {
            at,
            outcome: "failure",
            ...(result.reason ? { reason: result.reason } : {}),
          },
          nextSession: new Date(this.#clock.now() + delay).toISOString(),
        };
      });
      if (!this.#stopping) {
        this.#retryTimer = this.#clock.setTimeout(() => {
          this.#retryTimer = undefined;
          this.requestSession();
        }, delay);
      }
    }
    this.#options.onSession?.(result);
  }

  /** (Re)arms the periodic, scheduled-inform and polling timers from current settings. */
  #armTimers(): void {
    if (this.#stopping) return;
    if (this.#periodicTimer !== undefined) {
      this.#clock.clearTimeout(this.#periodicTimer);
    }
    this.#periodicTimer = undefined;
    if (this.#ms("PeriodicInformEnable") === "true") {
      const at = nextPeriodicInform(
        this.#clock.now(),
        Number(this.#ms("PeriodicInformInterval")),
        this.#ms("PeriodicInformTime"),
      );
      this.#periodicTimer = this.#clock.setTimeout(() => {
        this.#periodicTimer = undefined;
        void this.trigger([{ eventCode: "2 PERIODIC", commandKey: "" }]).then(
          () => this.#armTimers(),
        );
      }, at - this.#clock.now());
    }
    for (const t of this.#scheduleTimers) this.#clock.clearTimeout(t);
    this.#scheduleTimers = this.#context.state.current.scheduledInforms.map((
      s,
    ) =>
      this.#clock.setTimeout(
        () => void this.#fireScheduled(s.dueAt, s.commandKey),
        Date.parse(s.dueAt) - this.#clock.now(),
      )
    );
    const poll = this.#options.notificationPollMs ?? 30_000;
    if (poll > 0 && this.#pollTimer === undefined) {
      this.#pollTimer = this.#clock.setTimeout(() => {
        this.#pollTimer = undefined;
        void this.checkNotifications().finally(() => this.#armTimers());
      }, poll);
    }
  }

  async #fireScheduled(dueAt: string, commandKey: string): Promise<void> {
    const key = JSON.stringify([dueAt, commandKey]);
    // A timer armed again while this schedule was firing, or after it was done, does nothing.
    const pending = this.#context.state.current.scheduledInforms.some((x) =>
      x.dueAt === dueAt && x.commandKey === commandKey
    );
    if (!pending || this.#firing.has(key)) return;
    this.#firing.add(key);
    try {
      // Queue the events before forgetting the schedule: a crash in between
      // fires it again after restart (at least once) instead of losing it.
      await this.trigger([{ eventCode: "3 SCHEDULED", commandKey: "" }, {
        eventCode: "M ScheduleInform",
        commandKey,
      }]);
      await this.#context.state.update((s) => ({
        ...s,
        scheduledInforms: s.scheduledInforms.filter((x) =>
          !(x.dueAt === dueAt && x.commandKey === commandKey)
        ),
      }));
    } finally {
      this.#firing.delete(key);
    }
  }

  /** Parameters whose changes are reported: notification 1 or 2. */
  async #notified(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const view = this.#context.model.view();
    for (const definition of this.#context.model.index.parameters.values()) {
      if (definition.path.includes("{i}")) continue;
      const n =
        this.#context.attributes.get(definition.path, definition).notification;
      if ((n === 1 || n === 2) && await view.find(definition.path)) {
        out.set(definition.path, n);
      }
    }
    for (const path of this.#context.attributes.paths()) {
      const node = await view.find(path);
      if (!node?.parameter) continue;
      const n = this.#context.attributes.get(path, node.parameter).notification;
      if (n === 1 || n === 2) out.set(path, n);
      else out.delete(path);
    }
    return out;
  }

  async #resetBaseline(): Promise<void> {
    const notified = await this.#notified();
    this.#baseline = await this.#context.model.view().values([
      ...notified.keys(),
    ]);
    this.#changed.clear();
  }

  /**
   * Compares notified parameters with their last reported values: passive
   * changes wait for the next Inform, an active one asks for a session with
   * `4 VALUE CHANGE`, no sooner than DefaultActiveNotificationThrottle
   * seconds after the last successful session.
   */
  async checkNotifications(): Promise<void> {
    const notified = await this.#notified();
    const values = await this.#context.model.view().values([
      ...notified.keys(),
    ]);
    let active = false;
    for (const [path, value] of values) {
      const before = this.#baseline.get(path);
      this.#baseline.set(path, value);
      if (before === undefined || before === value) continue;
      this.#changed.add(path);
      if (notified.get(path) === 2) active = true;
    }
    if (!active) return;
    const throttle = Number(this.#ms("DefaultActiveNotificationThrottle")) *
      1000;
    const wait = this.#lastSuccessAt + throttle - this.#clock.now();
    if (wait <= 0 || this.#lastSuccessAt === 0) {
      this.requestSession();
    } else if (this.#throttleTimer === undefined) {
      this.#throttleTimer = this.#clock.setTimeout(() => {
        this.#throttleTimer = undefined;
        this.requestSession();
      }, wait);
    }
  }

  /** The namespace sessions start in (CWMP 1.4 negotiation starts in cwmp-1-2). */
  static readonly namespace: CwmpNamespaceName = "1-2";
}

/**
 * When the next periodic inform is due: the first instant after `now` of
 * the form PeriodicInformTime + n × interval (digest §10.1). With the
 * Unknown Time the phase is `now`, so the first one is one interval away.
 *
 * @example
 * ```ts
 * import { nextPeriodicInform } from "./cwmp_agent.ts";
 * const midnight = Date.UTC(2026, 0, 1);
 * console.log(new Date(nextPeriodicInform(midnight + 1000, 86400, "2020-06-01T00:00:00Z")).toISOString());
 * // "2026-01-02T00:00:00.000Z"
 * ```
 */
export function nextPeriodicInform(
  now: number,
  intervalSeconds: number,
  phase: string,
): number {
  const interval = Math.max(1, intervalSeconds) * 1000;
  const parsed = phase === UNKNOWN_TIME ? NaN : Date.parse(phase);
  const t0 = Number.isNaN(parsed) ? now : parsed;
  const k = Math.floor((now - t0) / interval) + 1;
  return t0 + k * interval;
}

function sameEvent(a: EventRecord, b: EventRecord): boolean {
  return a.eventCode === b.eventCode && a.commandKey === b.commandKey;
}
