/**
 * Runs one session: performs the state machine's effects over HTTP and
 * through the RPC handlers, and reports what happened.
 *
 * @module
 */
import type { EventRecord } from "../state/agent_state.ts";
import { decodeAcsMessage } from "../cwmp/decode.ts";
import { encodeCpeMessageBytes } from "../cwmp/encode.ts";
import { CwmpFault } from "../cwmp/faults.ts";
import { cpeBodyFor } from "./namespace_forms.ts";
import type { AcsMessage, AcsRequest, CpeRequest } from "../cwmp/messages.ts";
import type { DeferredAction, RpcContext } from "../rpc/context.ts";
import { type HandledRequest, handleRequest } from "../rpc/handlers.ts";
import { AcsClient, type AcsClientOptions } from "../transport/acs_client.ts";
import { TransportError } from "../transport/transport_error.ts";
import {
  type SessionInput,
  type SessionStart,
  startSession,
  step,
} from "./machine.ts";

/** One message of the conversation, for transcripts and logs. */
export interface TranscriptEntry {
  /** Who sent it. */
  readonly direction: "CPE→ACS" | "ACS→CPE";
  /** Method, "empty", or "fault NNNN". */
  readonly summary: string;
  /** The raw XML (or "" for an empty message). */
  readonly xml: string;
  /** Milliseconds since the session started. */
  readonly atMs: number;
}

/** What a session did. */
export interface SessionResult {
  /** Whether the session ended successfully. */
  readonly outcome: "success" | "failure";
  /** Why it failed. */
  readonly reason?: string;
  /** The events the Inform carried. */
  readonly events: readonly EventRecord[];
  /** The first ACS requests handled, in order (at most 64 names). */
  readonly rpcs: readonly string[];
  /** How many ACS requests the session took. */
  readonly rpcCount: number;
  /** Work the CPE answered for, owed whatever the outcome (reboot, factory reset). */
  readonly after: readonly DeferredAction[];
  /** CPE requests not acknowledged (8005 or unsent), to retry later. */
  readonly deferredRequests: readonly CpeRequest[];
  /** How long the session took. */
  readonly durationMs: number;
  /** The ACS URL at the end (after redirects). */
  readonly url: string;
}

/** Everything a session needs. */
export interface RunSessionOptions {
  /** The ACS URL (ManagementServer.URL). */
  readonly url: string;
  /** Credentials, TLS and limits for the HTTP client. */
  readonly client?: AcsClientOptions;
  /** The device and handlers. */
  readonly context: RpcContext;
  /** The Inform and CPE requests. */
  readonly start: SessionStart;
  /** Told of what the ACS did that is tolerated but worth a log line. */
  readonly onWarning?: (message: string) => void;
  /** Called when the InformResponse arrives, before anything else. */
  readonly onDelivered?: (events: readonly EventRecord[]) => Promise<void>;
  /** Called when the ACS has answered a CPE request, before the session goes on. */
  readonly onAcknowledged?: (request: CpeRequest) => Promise<void>;
  /** Called for each handled ACS request (to record ACS-made changes, for one). */
  readonly onHandled?: (
    request: AcsRequest,
    result: HandledRequest,
  ) => void | Promise<void>;
  /** Called for each message, both ways. */
  readonly onMessage?: (entry: TranscriptEntry) => void;
  /** Largest ACS message accepted. */
  readonly maxMessageBytes?: number;
  /**
   * Longest a session may last (default {@linkcode DEFAULT_MAX_SESSION_MS});
   * past it the CPE ends it as failed before its next message.
   */
  readonly maxDurationMs?: number;
}

/**
 * How long a session lasts at most by default: 30 minutes, far more than a
 * real ACS needs (transfers run outside the session), and a bound on one
 * that keeps the CPE talking forever.
 */
export const DEFAULT_MAX_SESSION_MS = 30 * 60_000;

function summarize(message: AcsMessage): string {
  const { body } = message;
  if (body.kind === "fault") return `fault ${body.faultCode}`;
  if (body.kind === "empty") return "empty";
  return body.kind === "response" ? `${body.method}Response` : body.method;
}

/**
 * Runs a session to its end. Never throws for anything the network or the
 * ACS does; those end the session as a failure with a reason.
 *
 * @example
 * ```ts
 * import { runSession } from "./runner.ts";
 * // const result = await runSession({ url: "http://127.0.0.1:7547/", context, start: { inform } });
 * ```
 */
export async function runSession(
  options: RunSessionOptions,
): Promise<SessionResult> {
  const began = performance.now();
  const client = new AcsClient(options.url, {
    ...options.client,
    maxResponseBytes: options.maxMessageBytes ??
      options.client?.maxResponseBytes,
  });
  let { state, effects } = startSession(options.start);
  const queue = [...effects];
  const at = () => Math.round(performance.now() - began);
  try {
    while (queue.length > 0) {
      const effect = queue.shift()!;
      let input: SessionInput | undefined;
      const limit = options.maxDurationMs ?? DEFAULT_MAX_SESSION_MS;
      if (effect.type === "post" && at() > limit) {
        ({ state, effects } = step(state, {
          type: "abort",
          reason: `session ended: it lasted more than ${
            Math.round(limit / 1000)
          } s`,
        }));
        queue.length = 0;
        queue.push(...effects);
        continue;
      }
      switch (effect.type) {
        case "post": {
          // Straight to UTF-8: a large response is never one big string.
          const xml = encodeCpeMessageBytes({
            namespace: effect.namespace,
            header: effect.header,
            body: cpeBodyFor(effect.namespace, effect.body),
          });
          const summary = effect.body.kind === "fault"
            ? `fault ${effect.body.faultCode}`
            : effect.body.kind === "empty"
            ? "empty"
            : effect.body.kind === "response"
            ? `${effect.body.method}Response`
            : effect.body.method;
          options.onMessage?.({
            direction: "CPE→ACS",
            summary,
            xml: new TextDecoder().decode(xml),
            atMs: at(),
          });
          input = await exchange(
            client,
            xml,
            effect.body.kind === "request",
            options,
            at,
          );
          break;
        }
        case "handle": {
          const result = await handleRequest(effect.request, options.context);
          await options.onHandled?.(effect.request, result);
          input = { type: "handled", result };
          break;
        }
        case "delivered":
          await options.onDelivered?.(effect.events);
          break;
        case "acknowledged":
          await options.onAcknowledged?.(effect.request);
          break;
        case "warn":
          options.onWarning?.(effect.message);
          break;
        case "finish":
          return {
            outcome: effect.outcome,
            ...(effect.reason ? { reason: effect.reason } : {}),
            events: state.data.events,
            rpcs: state.data.rpcs,
            rpcCount: state.data.rpcCount,
            after: effect.after,
            deferredRequests: effect.deferredRequests,
            durationMs: at(),
            url: client.url,
          };
      }
      if (input) {
        ({ state, effects } = step(state, input));
        queue.push(...effects);
      }
    }
    throw new Error("The session machine stopped without finishing");
  } finally {
    client.close();
  }
}

async function exchange(
  client: AcsClient,
  xml: Uint8Array<ArrayBuffer>,
  soapAction: boolean,
  options: RunSessionOptions,
  at: () => number,
): Promise<SessionInput> {
  let reply;
  try {
    reply = await client.post(xml, { soapAction });
  } catch (error) {
    if (error instanceof TransportError) {
      // An authentication failure says which (refused, or endless stale nonces).
      return { type: "transportError", reason: error.message };
    }
    throw error;
  }
  if (reply.status !== 200 && reply.status !== 204) {
    return { type: "httpError", status: reply.status };
  }
  const text = reply.status === 204 ? new Uint8Array() : reply.body;
  try {
    const message = decodeAcsMessage(text, {
      limits: { maxBytes: options.maxMessageBytes ?? 4 * 1024 * 1024 },
    });
    options.onMessage?.({
      direction: "ACS→CPE",
      summary: summarize(message),
      xml: new TextDecoder().decode(text),
      atMs: at(),
    });
    return { type: "message", message };
  } catch (error) {
    if (!(error instanceof CwmpFault)) throw error;
    options.onMessage?.({
      direction: "ACS→CPE",
      summary: `rejected (${error.reason})`,
      xml: new TextDecoder().decode(text),
      atMs: at(),
    });
    // A well-formed request the CPE cannot take is answered with its fault
    // (9000 unknown method, 9003 bad arguments); anything else ends the session.
    if (
      error.httpStatus === 200 && error.method !== undefined &&
      !error.method.endsWith("Response")
    ) {
      return { type: "badRequest", fault: error };
    }
    return {
      type: "transportError",
      reason: `Unreadable ACS message: ${error.message}`,
    };
  }
}
