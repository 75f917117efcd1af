/**
 * The vocabulary of the session state machine (`machine.ts`): what every
 * state carries, the states, the inputs the runner feeds in and the effects
 * it carries out.
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
import type { CpeRequestArgs } from "../cwmp/methods.ts";
import type { CwmpNamespaceName } from "../cwmp/namespaces.ts";
import type { DeferredAction } from "../rpc/context.ts";
import type { HandledRequest } from "../rpc/handlers.ts";

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
  /** The ACS answered a CPE request (a TransferComplete is then no longer owed). */
  | { readonly type: "acknowledged"; readonly request: CpeRequest }
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
