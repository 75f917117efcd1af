/**
 * Small rules the session state machine (`machine.ts`) applies: the
 * bounded summary of RPCs, cwmp:ID checks, namespace negotiation.
 *
 * @module
 */
import { ACS_METHODS } from "../cwmp/acs_methods.ts";
import type { AcsMessage } from "../cwmp/messages.ts";
import {
  type CwmpNamespaceName,
  namespaceIncludes,
} from "../cwmp/namespaces.ts";
import type { SessionData, SessionEffect } from "./session_types.ts";

/** Method names a session's summary keeps; the count covers the rest. */
const RPC_NAMES_KEPT = 64;

export function recorded(data: SessionData, method: string): SessionData {
  return {
    ...data,
    rpcs: data.rpcs.length < RPC_NAMES_KEPT
      ? [...data.rpcs, method]
      : data.rpcs,
    rpcCount: data.rpcCount + 1,
  };
}

/**
 * A response must carry its request's cwmp:ID (TR-069 §3.4.1, digest §2.3).
 * The methods already match and one request is out at a time, so the
 * response is still taken; a mismatch is said in the log, where it points
 * at an ACS bug or a proxy mixing sessions.
 */
export function idWarnings(
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
export function negotiatedNamespace(
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

/** A message in a few words, for a failure reason. */
export function describe(message: AcsMessage): string {
  const { body } = message;
  return body.kind === "request" || body.kind === "response"
    ? `${body.kind} ${body.method}`
    : body.kind;
}

/**
 * The data with the pending CPE requests the session's CWMP version lacks
 * (AutonomousTransferComplete in a 1.0 session) moved to the deferred
 * ones: they wait for a session that has them.
 */
export function deferAbsent(data: SessionData): SessionData {
  const absent = data.pending.filter((r) =>
    !namespaceIncludes(data.namespace, ACS_METHODS[r.method].since)
  );
  if (absent.length === 0) return data;
  return {
    ...data,
    pending: data.pending.filter((r) => !absent.includes(r)),
    deferredRequests: [...data.deferredRequests, ...absent],
  };
}
