/**
 * Sessions as the agent runs them: whether one may and needs to run, the
 * Inform it starts with, what happens as it goes — delivered events leave
 * the queue at the InformResponse, the ACS's own changes move the
 * notification baselines — and its outcome in the queue and the log.
 *
 * @module
 */
import type { RpcContext } from "../rpc/context.ts";
import { addEvents, coveredEntries, informEvents } from "../session/events.ts";
import { buildInform } from "../session/inform.ts";
import {
  runSession,
  type SessionResult,
  type TranscriptEntry,
} from "../session/runner.ts";
import type { AcsClientOptions } from "../transport/acs_client.ts";
import { codingOf, type ContentCoding } from "../transport/content_coding.ts";
import type { EventRecord } from "../state/agent_state.ts";
import type { Clock } from "./clock.ts";
import type { NotificationTracker } from "./notifications.ts";
import type { EventQueue } from "./queue.ts";
import type { AgentTransfers } from "./transfers.ts";
import {
  queueAfterSession,
  retrySettingsOf,
  sessionLogFields,
} from "./session_outcome.ts";

/** How sessions are run (from the agent's options). */
export interface SessionSettings {
  /** TLS and limits for the HTTP client (credentials come from ManagementServer). */
  readonly client?: Omit<AcsClientOptions, "username" | "password" | "now">;
  /** Every message of every session, for transcripts. */
  readonly onMessage?: (entry: TranscriptEntry) => void;
  /** Seconds announced in cwmp:SessionTimeout. */
  readonly sessionTimeout?: number;
  /** Bounds on one session: ACS requests and duration. */
  readonly sessionLimits?: {
    readonly maxRequests?: number;
    readonly maxDurationMs?: number;
  };
  /** Allow an http ACS URL (the lab TLS profile). */
  readonly allowPlainHttp?: boolean;
}

/** What a session works with. */
export interface SessionParts {
  readonly context: RpcContext;
  readonly queue: EventQueue;
  /** Transfer completions owed to the ACS. */
  readonly transfers?: AgentTransfers;
  readonly notifications: NotificationTracker;
  readonly clock: Clock;
  readonly warn: (msg: string, fields: Record<string, unknown>) => void;
  /** The session starts; its Inform carries these queue entries. */
  readonly onStart: (inFlight: ReadonlySet<EventRecord>) => void;
  /** The session ended (or failed to run). */
  readonly onEnd: () => void;
}

/** A session that ran (or was refused), with the queue entries its Inform carried. */
export interface RanSession {
  readonly result: SessionResult;
  readonly inFlight: ReadonlySet<EventRecord>;
}

/**
 * Runs a session to `url` if there is a reason for one: an event, a change
 * to report, or a retry owed for a failed session — also one that failed
 * after its InformResponse, whose events are already delivered (the
 * retry's Inform then carries only what is still undelivered, possibly
 * nothing: TR-069 §3.2.1.1 retries the session; delivered events are never
 * sent again). Undefined when there is none.
 *
 * @example
 * ```ts
 * import { runAgentSession } from "./agent_session.ts";
 * // const ran = await runAgentSession(url, settings, parts);
 * ```
 */
export async function runAgentSession(
  url: string,
  settings: SessionSettings,
  parts: SessionParts,
): Promise<RanSession | undefined> {
  const { context, queue, notifications, clock } = parts;
  const ms = (name: string) => context.device.managementServer(name);
  if (settings.allowPlainHttp === false && !url.startsWith("https://")) {
    // Counted as a failed session so the retry schedule and the log apply.
    return {
      result: {
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
      },
      inFlight: new Set(),
    };
  }
  const changed = notifications.changed;
  if (
    queue.current.events.length === 0 && changed.length === 0 &&
    queue.current.retryCount === 0 && !parts.transfers?.owed
  ) return undefined;
  const events = changed.length > 0
    ? addEvents(queue.current.events, [{
      eventCode: "4 VALUE CHANGE",
      commandKey: "",
    }])
    : queue.current.events;
  const owed = parts.transfers?.forSession();
  // Raised for as long as a TransferComplete is owed, not queued: a retry
  // whose Inform was already answered still carries them with the request.
  const sent = informEvents(
    owed ? addEvents(events, owed.events) : events,
  );
  const inFlight = coveredEntries(queue.current.events, sent);
  parts.onStart(inFlight);
  const limits = settings.sessionLimits;
  try {
    const inform = await buildInform(context, {
      events: sent,
      retryCount: queue.current.retryCount,
      now: new Date(clock.now()),
      changed,
    });
    const result = await runSession({
      url,
      context,
      onWarning: (message) => parts.warn("ACS message", { message }),
      client: {
        ...settings.client,
        username: ms("Username"),
        password: ms("Password"),
        now: () => clock.now(),
        ...compressionOf(ms("HTTPCompression")),
      },
      start: {
        inform,
        ...(owed && owed.requests.length > 0 ? { pending: owed.requests } : {}),
        ...(settings.sessionTimeout
          ? { sessionTimeout: settings.sessionTimeout }
          : {}),
        ...(limits?.maxRequests !== undefined
          ? { maxRequests: limits.maxRequests }
          : {}),
      },
      ...(limits?.maxDurationMs !== undefined
        ? { maxDurationMs: limits.maxDurationMs }
        : {}),
      onMessage: settings.onMessage,
      ...(owed ? { onAcknowledged: owed.acknowledge } : {}),
      onDelivered: async () => {
        const bootstrapped = sent.some((e) => e.eventCode === "0 BOOTSTRAP");
        await queue.update((q) => ({
          ...q,
          events: q.events.filter((e) => !inFlight.has(e)),
          ...(bootstrapped ? { bootstrappedUrl: url } : {}),
        }));
        notifications.delivered(changed);
      },
      onHandled: async (request, handled) => {
        if (handled.body.kind !== "response") return;
        // Changes the ACS makes itself never notify it back (digest §9.2);
        // attributes it turns on take their baseline now.
        if (request.method === "SetParameterValues") {
          await notifications.acsChanged(
            request.args.parameterList.map((p) => p.name),
          );
        } else if (request.method === "SetParameterAttributes") {
          await notifications.track();
        }
      },
    });
    return { result, inFlight };
  } finally {
    parts.onEnd();
  }
}

/** What {@linkcode AgentSessions} works with. */
export interface AgentSessionParts {
  readonly context: RpcContext;
  readonly queue: EventQueue;
  readonly transfers?: AgentTransfers;
  readonly notifications: NotificationTracker;
  readonly clock: Clock;
  readonly random: () => number;
  readonly log: (
    level: "info" | "warn",
    msg: string,
    fields?: Record<string, unknown>,
  ) => void;
}

/** A session that ran, and the wait before its retry when it failed. */
export interface SessionRun {
  readonly result: SessionResult;
  readonly retryDelayMs?: number;
}

/**
 * The agent's sessions: one at a time (the caller sees to it), counted,
 * with the queue entries the running one's Inform carries.
 *
 * @example
 * ```ts
 * import { AgentSessions } from "./agent_session.ts";
 * // const sessions = new AgentSessions(options, parts);
 * // const run = await sessions.run(); // undefined: no reason for a session
 * ```
 */
export class AgentSessions {
  readonly #settings: SessionSettings;
  readonly #parts: AgentSessionParts;
  #inFlight: ReadonlySet<EventRecord> | undefined;
  #count = 0;
  #lastSuccessAt = 0;
  #disabledLogged = false;

  /** No session yet. */
  constructor(settings: SessionSettings, parts: AgentSessionParts) {
    this.#settings = settings;
    this.#parts = parts;
  }

  /** Queue entries the running session's Inform carries. */
  get inFlight(): ReadonlySet<EventRecord> | undefined {
    return this.#inFlight;
  }

  /** Sessions started. */
  get count(): number {
    return this.#count;
  }

  /** When the last session succeeded (ms), 0 for never. */
  get lastSuccessAt(): number {
    return this.#lastSuccessAt;
  }

  /**
   * Runs a session when CWMP is enabled, there is an ACS URL and a reason
   * for one; logs it and records its outcome in the queue.
   */
  async run(): Promise<SessionRun | undefined> {
    const { context, queue, clock, log } = this.#parts;
    const ms = (name: string) => context.device.managementServer(name);
    const url = ms("URL");
    if (ms("EnableCWMP") !== "true" || url === "") {
      if (!this.#disabledLogged) {
        log(
          "warn",
          "no session: CWMP is disabled or ManagementServer.URL is empty",
        );
        this.#disabledLogged = true;
      }
      return undefined;
    }
    this.#disabledLogged = false;
    const ran = await runAgentSession(url, this.#settings, {
      ...this.#parts,
      warn: (msg, fields) => log("warn", msg, fields),
      onStart: (inFlight) => {
        this.#inFlight = inFlight;
        this.#count++;
      },
      onEnd: () => this.#inFlight = undefined,
    });
    if (!ran) return undefined;
    const { result } = ran;
    log(
      result.outcome === "success" ? "info" : "warn",
      "session",
      sessionLogFields(result, queue.current.retryCount),
    );
    if (result.outcome === "success") this.#lastSuccessAt = clock.now();
    let retryDelayMs: number | undefined;
    await queue.update((q) => {
      const outcome = queueAfterSession(
        q,
        result,
        ran.inFlight,
        clock.now(),
        retrySettingsOf(ms, this.#parts.random),
      );
      retryDelayMs = outcome.retryDelayMs;
      return outcome.queue;
    });
    return retryDelayMs === undefined ? { result } : { result, retryDelayMs };
  }
}

/** ManagementServer.HTTPCompression as the client's option (none when Disabled). */
function compressionOf(value: string): { compression?: ContentCoding } {
  const coding = codingOf(value);
  return coding ? { compression: coding } : {};
}
