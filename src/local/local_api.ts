/**
 * The local interface's requests, as a table: route → handler. Each takes
 * the parsed JSON body and the calling application, checks what the
 * application may touch, and answers with JSON; a refusal or a CWMP fault
 * is a {@linkcode LocalApiError} carrying the HTTP status, the CWMP fault
 * code and the per-parameter faults.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import type { AcsRequest } from "../cwmp/messages.ts";
import { createInstance } from "../rpc/add_object.ts";
import type { RpcContext } from "../rpc/context.ts";
import { removeInstance } from "../rpc/delete_object.ts";
import { handleRequest } from "../rpc/handlers.ts";
import { applyChanges, checkedChanges } from "../rpc/set_parameter_values.ts";
import { type LocalApp, underPrefixes } from "./access.ts";

/** What the handlers reach beyond the data model. */
export interface LocalApiParts {
  /** The device, its data model and stored state. */
  readonly context: RpcContext;
  /** Asks for a session with this event. */
  readonly inform: (eventCode: string) => Promise<void>;
  /** The agent's state for `status`. */
  readonly status: () => Record<string, unknown>;
  /** Log lines; never given a token. */
  readonly log: (
    level: "info" | "warn" | "error",
    msg: string,
    fields?: Record<string, unknown>,
  ) => void;
}

/** One parameter's fault in an error. */
export interface LocalParameterFault {
  /** The parameter. */
  readonly name: string;
  /** Its CWMP fault code (9005–9008). */
  readonly code: number;
  /** Why. */
  readonly message: string;
}

/** A refused request: HTTP status, CWMP fault code, reason, per-parameter faults. */
export class LocalApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The CWMP fault code (0 when the refusal is the interface's own). */
  readonly code: number;
  /** Faults of single parameters. */
  readonly parameters: readonly LocalParameterFault[];

  /** An error answered with `status`. */
  constructor(
    status: number,
    code: number,
    message: string,
    parameters: readonly LocalParameterFault[] = [],
  ) {
    super(message);
    this.name = "LocalApiError";
    this.status = status;
    this.code = code;
    this.parameters = parameters;
  }
}

/** A handler: body and caller in, JSON out. */
export type LocalHandler = (
  body: unknown,
  app: LocalApp,
  parts: LocalApiParts,
) => Promise<Record<string, unknown>>;

const MAX_NAMES = 1024;

/** The HTTP status a CWMP fault gets. */
function statusOf(code: number): number {
  if (code === 9001 || code === 9008) return 403;
  if (code === 9002) return 500;
  if (code === 9004) return 413;
  if (code === 9005) return 404;
  return 400;
}

/** A CWMP fault as the interface answers it. */
export function fromFault(fault: CwmpFault): LocalApiError {
  return new LocalApiError(
    statusOf(fault.code),
    fault.code,
    fault.message,
    fault.parameterFaults.map((p) => ({
      name: p.parameterName,
      code: p.faultCode,
      message: p.faultString,
    })),
  );
}

function field<T>(
  body: unknown,
  name: string,
  test: (v: unknown) => v is T,
  what: string,
): T {
  const value = typeof body === "object" && body !== null
    ? (body as Record<string, unknown>)[name]
    : undefined;
  if (!test(value)) {
    throw new LocalApiError(400, 0, `"${name}" must be ${what}`);
  }
  return value;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isNames = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.length <= MAX_NAMES &&
  v.every((n) => typeof n === "string" && n.length <= 256);

function refuse(
  app: LocalApp,
  path: string,
  what: "read" | "write",
  parts: LocalApiParts,
): never {
  parts.log("warn", "local request refused", {
    app: app.name,
    path,
    reason: `outside its ${what} prefixes`,
  });
  throw new LocalApiError(
    403,
    9001,
    `${app.name} may not ${what} ${path}`,
  );
}

async function rpc(request: AcsRequest, context: RpcContext) {
  const handled = await handleRequest(request, context);
  if (handled.fault) throw fromFault(handled.fault);
  if (handled.body.kind !== "response") {
    throw new LocalApiError(500, 9002, "Internal error");
  }
  return handled.body.args as Record<string, unknown>;
}

/**
 * Route → handler.
 *
 * @example
 * ```ts
 * import { LOCAL_ROUTES } from "./local_api.ts";
 * console.log(Object.keys(LOCAL_ROUTES).includes("POST /v1/get")); // true
 * ```
 */
export const LOCAL_ROUTES: Readonly<Record<string, LocalHandler>> = {
  "POST /v1/get": async (body, app, parts) => {
    const names = field(
      body,
      "names",
      isNames,
      `a list of 1 to ${MAX_NAMES} names`,
    );
    for (const name of names) {
      if (!underPrefixes(app.read, name)) refuse(app, name, "read", parts);
    }
    const { parameterList } = await rpc({
      kind: "request",
      method: "GetParameterValues",
      args: { parameterNames: names },
    }, parts.context);
    return { parameters: parameterList };
  },
  "POST /v1/names": async (body, app, parts) => {
    const path = field(body, "path", isString, "a path");
    const nextLevel = typeof body === "object" && body !== null &&
      (body as Record<string, unknown>).nextLevel === true;
    if (!underPrefixes(app.read, path)) refuse(app, path, "read", parts);
    const { parameterList } = await rpc({
      kind: "request",
      method: "GetParameterNames",
      args: { parameterPath: path, nextLevel },
    }, parts.context);
    return { parameters: parameterList };
  },
  "POST /v1/set": async (body, app, parts) => {
    const list = field(
      body,
      "parameters",
      (v): v is { name: string; value: string; type?: string }[] =>
        Array.isArray(v) && v.length > 0 && v.length <= MAX_NAMES &&
        v.every((p) =>
          typeof p === "object" && p !== null && typeof p.name === "string" &&
          typeof p.value === "string" &&
          (p.type === undefined || typeof p.type === "string")
        ),
      `a list of 1 to ${MAX_NAMES} { name, value, type? }`,
    );
    for (const { name } of list) {
      if (!underPrefixes(app.write, name)) refuse(app, name, "write", parts);
      if (
        app.subscriber &&
        !(parts.context.attributes.stored(name)?.accessList ?? []).includes(
          "Subscriber",
        )
      ) {
        parts.log("warn", "local request refused", {
          app: app.name,
          path: name,
          reason: "its AccessList does not include Subscriber",
        });
        throw new LocalApiError(
          403,
          9001,
          `${name} may not be written for the subscriber: its AccessList does not include Subscriber`,
        );
      }
    }
    try {
      const changes = await checkedChanges(
        list.map((p) => ({
          name: p.name,
          value: p.value,
          ...(p.type ? { type: p.type } : {}),
        })),
        parts.context,
      );
      const status = await applyChanges(
        changes.map((c) => ({ ...c, by: app.name })),
        parts.context,
      );
      parts.log("info", "local set", {
        app: app.name,
        parameters: changes.length,
      });
      return { status };
    } catch (error) {
      if (error instanceof CwmpFault) throw fromFault(error);
      throw error;
    }
  },
  "POST /v1/add": async (body, app, parts) => {
    const object = field(body, "object", isString, "an object path");
    if (!underPrefixes(app.write, object)) refuse(app, object, "write", parts);
    try {
      const created = await createInstance(object, parts.context);
      return { instance: created.instanceNumber, status: created.status };
    } catch (error) {
      if (error instanceof CwmpFault) throw fromFault(error);
      throw error;
    }
  },
  "POST /v1/delete": async (body, app, parts) => {
    const object = field(body, "object", isString, "an instance path");
    if (!underPrefixes(app.write, object)) refuse(app, object, "write", parts);
    try {
      return await removeInstance(object, parts.context);
    } catch (error) {
      if (error instanceof CwmpFault) throw fromFault(error);
      throw error;
    }
  },
  "POST /v1/inform": async (body, app, parts) => {
    const event = field(body, "event", isString, "an event code");
    if (!/^X [0-9A-F]{6} \S.{0,56}$/.test(event)) {
      throw new LocalApiError(
        400,
        9003,
        `Only vendor events (X <OUI> <event>) can be asked for; ${
          JSON.stringify(event.slice(0, 64))
        } is not one`,
      );
    }
    await parts.inform(event);
    parts.log("info", "local inform", { app: app.name, event });
    return { queued: event };
  },
  "GET /v1/status": (_body, _app, parts) => Promise.resolve(parts.status()),
};
