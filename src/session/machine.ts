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
 * ExpectAcsResponse    --response (acknowledged) / 8005--> next CPE request, or empty POST → ExpectAcsMessage
 * ExpectAcsMessage     --ACS request-->     HandlingRequest --handled--> POST response → ExpectAcsMessage
 * ExpectAcsMessage     --empty (204)-->     CPE requests pending ? ExpectAcsResponse : Done(success)
 * any                  --fault/HTTP error/transport error/protocol violation--> Done(failure)
 * ```
 *
 * @module
 */
import type { AcsMessage, SoapHeader } from "../cwmp/messages.ts";
import { CPE_METHODS } from "../cwmp/methods.ts";
import { namespaceIncludes } from "../cwmp/namespaces.ts";
import {
  deferAbsent,
  describe,
  idWarnings,
  negotiatedNamespace,
  recorded,
  versionNamespace,
} from "./_machine_rules.ts";
import type {
  SessionData,
  SessionEffect,
  SessionInput,
  SessionStart,
  SessionState,
  Step,
} from "./session_types.ts";

export type {
  SessionData,
  SessionEffect,
  SessionInput,
  SessionStart,
  SessionState,
  Step,
} from "./session_types.ts";
export { versionNamespace } from "./_machine_rules.ts";

/** The CWMP versions this agent speaks, oldest first. */
export const SUPPORTED_CWMP_VERSIONS = [
  "1.0",
  "1.1",
  "1.2",
  "1.3",
  "1.4",
] as const;

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

/** Answers an ACS request with a fault without handling it; the session goes on. */
function refused(
  data: SessionData,
  message: AcsMessage,
  faultCode: number,
  faultString: string,
): Step {
  const { header, body } = message;
  return {
    state: {
      name: "ExpectAcsMessage",
      data: {
        ...recorded(data, body.kind === "request" ? body.method : "?"),
        holdRequests: header.holdRequests === true,
      },
    },
    effects: [{
      type: "post",
      namespace: data.namespace,
      header: header.id === undefined ? {} : { id: header.id },
      body: { kind: "fault", faultCode, faultString, parameterFaults: [] },
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
  data = deferAbsent(data);
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
        [
          { type: "acknowledged", request: state.request },
          ...idWarnings(
            state.request.method,
            String(data.nextId - 1),
            header.id,
          ),
        ],
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
        return refused(
          data,
          input.message,
          9004,
          `more than ${MAX_DEFERRED_ACTIONS} reboots, resets and transfers asked for in one session`,
        );
      }
      const since = Object.hasOwn(CPE_METHODS, body.method)
        ? CPE_METHODS[body.method as keyof typeof CPE_METHODS].since
        : undefined;
      if (since && !namespaceIncludes(data.namespace, since)) {
        // A method newer than the session's CWMP version does not exist in it.
        return refused(
          data,
          input.message,
          9000,
          `${body.method} is not part of CWMP ${
            data.version ?? `in namespace cwmp-${data.namespace}`
          }`,
        );
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
