/**
 * The CWMP session as a pure state machine: `step(state, input)` returns the
 * next state and the effects to carry out. Timers, sockets, the device and
 * the clock stay outside; the runner (`runner.ts`) performs the effects and
 * feeds their outcome back as inputs.
 *
 * States are named after what they wait for:
 *
 * ```
 * ExpectInformResponse --InformResponse--> (CPE requests pending && !HoldRequests ? ExpectAcsResponse : ExpectAcsMessage)
 * ExpectAcsResponse    --response / 8005--> next CPE request, or empty POST → ExpectAcsMessage
 * ExpectAcsMessage     --ACS request-->     HandlingRequest --handled--> POST response → ExpectAcsMessage
 * ExpectAcsMessage     --empty (204)-->     CPE requests pending ? ExpectAcsResponse : Done(success)
 * any                  --fault/HTTP error/transport error/protocol violation--> Done(failure)
 * ```
 *
 * @module
 */
import type { EventRecord } from "../state/agent_state.ts";
import type { CwmpFault } from "../cwmp/faults.ts";
import type {
  AcsMessage,
  AcsRequest,
  CpeBody,
  CpeRequest,
  SoapHeader,
} from "../cwmp/messages.ts";
import { CPE_METHODS, type CpeRequestArgs } from "../cwmp/methods.ts";
import {
  type CwmpNamespaceName,
  namespaceIncludes,
} from "../cwmp/namespaces.ts";
import type { DeferredAction } from "../rpc/context.ts";
import type { HandledRequest } from "../rpc/handlers.ts";

/** The CWMP versions this agent speaks, oldest first. */
export const SUPPORTED_CWMP_VERSIONS = [
  "1.0",
  "1.1",
  "1.2",
  "1.3",
  "1.4",
] as const;

/** What every state carries. */
export interface SessionData {
  /** The namespace of the next message (may fall back after InformResponse). */
  readonly namespace: CwmpNamespaceName;
  /** The CWMP version the ACS chose (UseCWMPVersion), if it said. */
  readonly version: string | undefined;
  /** The events the Inform carried. */
  readonly events: readonly EventRecord[];
  /** CPE requests still to send (TransferComplete, GetRPCMethods, …). */
  readonly pending: readonly CpeRequest[];
  /** CPE requests the ACS answered with 8005: kept for a later session. */
  readonly deferredRequests: readonly CpeRequest[];
  /** The last ACS message carried HoldRequests=true. */
  readonly holdRequests: boolean;
  /** Work the CPE answered for, to carry out after the session (reboot, factory reset). */
  readonly after: readonly DeferredAction[];
  /** The first ACS requests handled, in order (method names), for the log. */
  readonly rpcs: readonly string[];
  /** How many ACS requests the session has taken. */
  readonly rpcCount: number;
  /** The most ACS requests the session takes before it ends as failed. */
  readonly maxRequests: number;
  /** Counter for cwmp:ID of CPE requests. */
  readonly nextId: number;
}

/** The session's states. */
export type SessionState =
  | { readonly name: "ExpectInformResponse"; readonly data: SessionData }
  | {
    readonly name: "ExpectAcsResponse";
    readonly data: SessionData;
    readonly request: CpeRequest;
  }
  | { readonly name: "ExpectAcsMessage"; readonly data: SessionData }
  | {
    readonly name: "HandlingRequest";
    readonly data: SessionData;
    readonly id: string | undefined;
  }
  | {
    readonly name: "Done";
    readonly data: SessionData;
    readonly outcome: "success" | "failure";
    readonly reason?: string;
  };

/** What happens to the session from outside. */
export type SessionInput =
  /** The ACS answered a POST with a CWMP message (an empty body is `kind: "empty"`). */
  | { readonly type: "message"; readonly message: AcsMessage }
  /** The ACS answered with an HTTP status that ends the session (4xx, 5xx, a second 401). */
  | { readonly type: "httpError"; readonly status: number }
  /** The exchange failed: connection, TLS, timeout, undecodable body. */
  | { readonly type: "transportError"; readonly reason: string }
  /** An ACS request was handled. */
  | { readonly type: "handled"; readonly result: HandledRequest }
  /**
   * The ACS sent a request the CPE cannot take (unknown method, bad
   * arguments): it is answered with this fault, and the session goes on.
   */
  | { readonly type: "badRequest"; readonly fault: CwmpFault }
  /** The CPE ends the session itself (a limit was reached). */
  | { readonly type: "abort"; readonly reason: string };

/** What the runner must do. */
export type SessionEffect =
  /** POST this message (an empty body is an empty POST). */
  | {
    readonly type: "post";
    readonly namespace: CwmpNamespaceName;
    readonly header: SoapHeader;
    readonly body: CpeBody;
  }
  /** Run this ACS request through the RPC handlers. */
  | { readonly type: "handle"; readonly request: AcsRequest }
  /** The Inform was acknowledged: these events are delivered. */
  | { readonly type: "delivered"; readonly events: readonly EventRecord[] }
  /** Something the ACS did that is tolerated but worth a log line. */
  | { readonly type: "warn"; readonly message: string }
  /** The session ended. */
  | {
    readonly type: "finish";
    readonly outcome: "success" | "failure";
    readonly reason?: string;
    readonly after: readonly DeferredAction[];
    readonly deferredRequests: readonly CpeRequest[];
  };

/** A transition's result. */
export interface Step {
  /** The next state. */
  readonly state: SessionState;
  /** Effects, in order. */
  readonly effects: readonly SessionEffect[];
}

/** How to start a session. */
export interface SessionStart {
  /** The Inform's arguments (events, parameters, RetryCount, …). */
  readonly inform: CpeRequestArgs<"Inform">;
  /** CPE requests to send after the InformResponse. */
  readonly pending?: readonly CpeRequest[];
  /** Seconds announced in cwmp:SessionTimeout (CWMP 1.3+). */
  readonly sessionTimeout?: number;
  /**
   * The most ACS requests one session takes (default
   * {@linkcode DEFAULT_MAX_REQUESTS}); past it the session ends as failed.
   */
  readonly maxRequests?: number;
}

/**
 * ACS requests one session takes by default: GenieACS refreshing a
 * 10,000-parameter device and provisioning it stays far below this; an ACS
 * that answers every POST with another request does not.
 */
export const DEFAULT_MAX_REQUESTS = 10_000;

/**
 * Requests carried out after the session (each reported later with its
 * CommandKey) that one session may ask for; past it they get fault 9004.
 */
export const MAX_DEFERRED_ACTIONS = 64;

const DEFERRING_METHODS: ReadonlySet<string> = new Set([
  "Reboot",
  "FactoryReset",
  "Download",
  "ScheduleDownload",
  "Upload",
]);

/** Method names a session's summary keeps; the count covers the rest. */
const RPC_NAMES_KEPT = 64;

function recorded(data: SessionData, method: string): SessionData {
  return {
    ...data,
    rpcs: data.rpcs.length < RPC_NAMES_KEPT
      ? [...data.rpcs, method]
      : data.rpcs,
    rpcCount: data.rpcCount + 1,
  };
}

/**
 * Starts a session: the Inform goes first, in the `cwmp-1-2` namespace with
 * SupportedCWMPVersions, so a CWMP 1.4 ACS can pick the version and an older
 * one answers in its own namespace (digest §2.4).
 *
 * @example
 * ```ts
 * import { startSession } from "./machine.ts";
 * const { state, effects } = startSession({ inform: {
 *   deviceId: { manufacturer: "A", oui: "00AABB", productClass: "", serialNumber: "1" },
 *   event: [{ eventCode: "1 BOOT", commandKey: "" }], maxEnvelopes: 1,
 *   currentTime: "2026-01-01T00:00:00Z", retryCount: 0, parameterList: [] } });
 * console.log(state.name, effects[0].type); // "ExpectInformResponse" "post"
 * ```
 */
export function startSession(start: SessionStart): Step {
  const data: SessionData = {
    namespace: "1-2",
    version: undefined,
    events: start.inform.event,
    pending: start.pending ?? [],
    deferredRequests: [],
    holdRequests: false,
    after: [],
    rpcs: [],
    rpcCount: 0,
    maxRequests: start.maxRequests ?? DEFAULT_MAX_REQUESTS,
    nextId: 2,
  };
  const header: SoapHeader = {
    id: "1",
    supportedCwmpVersions: SUPPORTED_CWMP_VERSIONS.join(","),
    ...(start.sessionTimeout !== undefined
      ? { sessionTimeout: start.sessionTimeout }
      : {}),
  };
  return {
    state: { name: "ExpectInformResponse", data },
    effects: [{
      type: "post",
      namespace: "1-2",
      header,
      body: { kind: "request", method: "Inform", args: start.inform },
    }],
  };
}

/** Ends the session. */
function done(
  data: SessionData,
  outcome: "success" | "failure",
  reason?: string,
): Step {
  return {
    state: { name: "Done", data, outcome, ...(reason ? { reason } : {}) },
    effects: [{
      type: "finish",
      outcome,
      ...(reason ? { reason } : {}),
      // Work the CPE has answered for is owed whatever happens next: a
      // session that fails after a RebootResponse still ends in a reboot.
      after: data.after,
      deferredRequests: [...data.deferredRequests, ...data.pending],
    }],
  };
}

/** Sends the next CPE request, or an empty POST when there is none (or HoldRequests forbids it). */
function next(data: SessionData, effects: SessionEffect[] = []): Step {
  if (data.pending.length > 0 && !data.holdRequests) {
    const [request, ...rest] = data.pending;
    const id = String(data.nextId);
    return {
      state: {
        name: "ExpectAcsResponse",
        data: { ...data, pending: rest, nextId: data.nextId + 1 },
        request,
      },
      effects: [...effects, {
        type: "post",
        namespace: data.namespace,
        header: { id },
        body: request,
      }],
    };
  }
  return {
    state: { name: "ExpectAcsMessage", data },
    effects: [...effects, {
      type: "post",
      namespace: data.namespace,
      header: {},
      body: { kind: "empty" },
    }],
  };
}

/**
 * A response must carry its request's cwmp:ID (TR-069 §3.4.1, digest §2.3).
 * The methods already match and one request is out at a time, so the
 * response is still taken; a mismatch is said in the log, where it points
 * at an ACS bug or a proxy mixing sessions.
 */
function idWarnings(
  method: string,
  sent: string,
  received: string | undefined,
): SessionEffect[] {
  if (received === sent) return [];
  return [{
    type: "warn",
    message: received === undefined
      ? `${method}Response carries no cwmp:ID; the ${method} had "${sent}"`
      : `${method}Response carries cwmp:ID "${
        received.slice(0, 64)
      }"; the ${method} had "${sent}"`,
  }];
}

/** The namespace to use after an ACS message: an older one the ACS used wins. */
function negotiatedNamespace(
  ours: CwmpNamespaceName,
  theirs: CwmpNamespaceName | undefined,
): CwmpNamespaceName {
  return theirs && namespaceIncludes(ours, theirs) ? theirs : ours;
}

/**
 * The namespace of a CWMP version (digest §2.1): 1.0 and 1.1 have their
 * own, 1.2 to 1.4 share `cwmp-1-2`.
 *
 * @example
 * ```ts
 * import { versionNamespace } from "./machine.ts";
 * console.log(versionNamespace("1.1"), versionNamespace("1.4")); // "1-1" "1-2"
 * ```
 */
export function versionNamespace(version: string): CwmpNamespaceName {
  return version === "1.0" ? "1-0" : version === "1.1" ? "1-1" : "1-2";
}

/**
 * One transition.
 *
 * @example
 * ```ts
 * import { startSession, step } from "./machine.ts";
 * const start = startSession({ inform: {
 *   deviceId: { manufacturer: "A", oui: "00AABB", productClass: "", serialNumber: "1" },
 *   event: [], maxEnvelopes: 1, currentTime: "2026-01-01T00:00:00Z", retryCount: 0, parameterList: [] } });
 * const after = step(start.state, { type: "transportError", reason: "connection refused" });
 * console.log(after.state.name); // "Done"
 * ```
 */
export function step(state: SessionState, input: SessionInput): Step {
  const data = state.data;
  if (state.name === "Done") return { state, effects: [] };
  if (input.type === "transportError" || input.type === "abort") {
    return done(data, "failure", input.reason);
  }
  if (input.type === "httpError") {
    return done(data, "failure", `ACS answered HTTP ${input.status}`);
  }

  if (input.type === "badRequest" && state.name !== "ExpectAcsMessage") {
    return done(
      data,
      "failure",
      `ACS sent an unusable message: ${input.fault.message}`,
    );
  }
  switch (state.name) {
    case "ExpectInformResponse": {
      if (input.type !== "message") {
        return done(data, "failure", "unexpected input before InformResponse");
      }
      const { body, header } = input.message;
      if (body.kind === "fault") {
        return done(
          data,
          "failure",
          `ACS fault ${body.faultCode} to Inform: ${body.faultString}`,
        );
      }
      if (body.kind !== "response" || body.method !== "Inform") {
        return done(
          data,
          "failure",
          `expected InformResponse, got ${describe(input.message)}`,
        );
      }
      const version = header.useCwmpVersion;
      if (
        version !== undefined &&
        !(SUPPORTED_CWMP_VERSIONS as readonly string[]).includes(version)
      ) {
        return done(
          data,
          "failure",
          `ACS chose CWMP ${version}, which this CPE does not support`,
        );
      }
      // UseCWMPVersion binds the whole session to that version (TR-069
      // §3.7.4, digest §2.4): one below 1.4 means its namespace and its
      // methods from the next message on, whatever namespace the
      // InformResponse itself came in.
      const namespace = negotiatedNamespace(
        negotiatedNamespace(data.namespace, input.message.namespace),
        version === undefined ? undefined : versionNamespace(version),
      );
      const next_ = {
        ...data,
        namespace,
        version,
        holdRequests: header.holdRequests === true,
      };
      return next(next_, [
        ...idWarnings("Inform", "1", header.id),
        { type: "delivered", events: data.events },
      ]);
    }
    case "ExpectAcsResponse": {
      if (input.type !== "message") {
        return done(
          data,
          "failure",
          "unexpected input while a CPE request is out",
        );
      }
      const { body, header } = input.message;
      const holdRequests = header.holdRequests === true;
      if (body.kind === "fault") {
        if (body.faultCode !== 8005) {
          return done(
            data,
            "failure",
            `ACS fault ${body.faultCode} to ${state.request.method}`,
          );
        }
        // 8005: the session goes on; the request waits for a later session (digest §8.3).
        return next({
          ...data,
          holdRequests,
          deferredRequests: [...data.deferredRequests, state.request],
        });
      }
      if (body.kind !== "response" || body.method !== state.request.method) {
        return done(
          data,
          "failure",
          `expected ${state.request.method}Response, got ${
            describe(input.message)
          }`,
        );
      }
      return next(
        { ...data, holdRequests },
        idWarnings(state.request.method, String(data.nextId - 1), header.id),
      );
    }
    case "ExpectAcsMessage": {
      if (input.type === "badRequest") {
        const fault = input.fault;
        return {
          state: {
            name: "ExpectAcsMessage",
            data: recorded(data, fault.method ?? "?"),
          },
          effects: [{
            type: "post",
            namespace: data.namespace,
            header: fault.requestId === undefined
              ? {}
              : { id: fault.requestId },
            body: {
              kind: "fault",
              faultCode: fault.code,
              faultString: fault.message,
              parameterFaults: [],
            },
          }],
        };
      }
      if (input.type !== "message") {
        return done(
          data,
          "failure",
          "unexpected input while waiting for the ACS",
        );
      }
      const { body, header } = input.message;
      if (body.kind === "empty") {
        const ready = { ...data, holdRequests: false };
        return ready.pending.length > 0 ? next(ready) : done(ready, "success");
      }
      if (body.kind !== "request") {
        return done(
          data,
          "failure",
          `expected an ACS request or 204, got ${describe(input.message)}`,
        );
      }
      if (data.rpcCount >= data.maxRequests) {
        return done(
          data,
          "failure",
          `session ended: the ACS sent more than ${data.maxRequests} requests in one session`,
        );
      }
      if (
        DEFERRING_METHODS.has(body.method) &&
        data.after.length >= MAX_DEFERRED_ACTIONS
      ) {
        // Each one owes an event and a record that survives a reboot.
        return {
          state: {
            name: "ExpectAcsMessage",
            data: {
              ...recorded(data, body.method),
              holdRequests: header.holdRequests === true,
            },
          },
          effects: [{
            type: "post",
            namespace: data.namespace,
            header: header.id === undefined ? {} : { id: header.id },
            body: {
              kind: "fault",
              faultCode: 9004,
              faultString:
                `more than ${MAX_DEFERRED_ACTIONS} reboots, resets and transfers asked for in one session`,
              parameterFaults: [],
            },
          }],
        };
      }
      const since = Object.hasOwn(CPE_METHODS, body.method)
        ? CPE_METHODS[body.method as keyof typeof CPE_METHODS].since
        : undefined;
      if (since && !namespaceIncludes(data.namespace, since)) {
        // A method newer than the session's CWMP version does not exist in it.
        return {
          state: {
            name: "ExpectAcsMessage",
            data: {
              ...recorded(data, body.method),
              holdRequests: header.holdRequests === true,
            },
          },
          effects: [{
            type: "post",
            namespace: data.namespace,
            header: header.id === undefined ? {} : { id: header.id },
            body: {
              kind: "fault",
              faultCode: 9000,
              faultString: `${body.method} is not part of CWMP ${
                data.version ?? `in namespace cwmp-${data.namespace}`
              }`,
              parameterFaults: [],
            },
          }],
        };
      }
      return {
        state: {
          name: "HandlingRequest",
          data: {
            ...recorded(data, body.method),
            holdRequests: header.holdRequests === true,
            namespace: negotiatedNamespace(
              data.namespace,
              input.message.namespace,
            ),
          },
          id: header.id,
        },
        effects: [{ type: "handle", request: body }],
      };
    }
    case "HandlingRequest": {
      if (input.type !== "handled") {
        return done(
          data,
          "failure",
          "unexpected input while handling a request",
        );
      }
      const header: SoapHeader = state.id === undefined ? {} : { id: state.id };
      return {
        state: {
          name: "ExpectAcsMessage",
          data: { ...data, after: [...data.after, ...input.result.after] },
        },
        effects: [{
          type: "post",
          namespace: data.namespace,
          header,
          body: input.result.body,
        }],
      };
    }
  }
}

function describe(message: AcsMessage): string {
  const { body } = message;
  return body.kind === "request" || body.kind === "response"
    ? `${body.kind} ${body.method}`
    : body.kind;
}
