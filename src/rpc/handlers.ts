/**
 * The RPC handler table — method name to handler — and the one place where
 * any error becomes a CWMP fault.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import type { AcsRequest, CpeBody } from "../cwmp/messages.ts";
import type { CpeMethod } from "../cwmp/methods.ts";
import { addObject } from "./add_object.ts";
import { cancelTransfer } from "./cancel_transfer.ts";
import type { DeferredAction, RpcContext, RpcHandler } from "./context.ts";
import { deleteObject } from "./delete_object.ts";
import { download } from "./download.ts";
import { factoryReset } from "./factory_reset.ts";
import { getParameterAttributes } from "./get_parameter_attributes.ts";
import { getParameterNames } from "./get_parameter_names.ts";
import { getParameterValues } from "./get_parameter_values.ts";
import { getRpcMethods } from "./get_rpc_methods.ts";
import {
  getAllQueuedTransfers,
  getQueuedTransfers,
} from "./queued_transfers.ts";
import { reboot } from "./reboot.ts";
import { scheduleDownload } from "./schedule_download.ts";
import { scheduleInform } from "./schedule_inform.ts";
import { setParameterAttributes } from "./set_parameter_attributes.ts";
import { setParameterValues } from "./set_parameter_values.ts";
import { upload } from "./upload.ts";

/** The CPE methods this agent implements. */
export const IMPLEMENTED_METHODS = [
  "GetRPCMethods",
  "SetParameterValues",
  "GetParameterValues",
  "GetParameterNames",
  "SetParameterAttributes",
  "GetParameterAttributes",
  "AddObject",
  "DeleteObject",
  "Reboot",
  "FactoryReset",
  "ScheduleInform",
  "Download",
  "Upload",
  "GetQueuedTransfers",
  "GetAllQueuedTransfers",
  "ScheduleDownload",
  "CancelTransfer",
] as const satisfies readonly CpeMethod[];

/** A method this agent implements. */
export type ImplementedMethod = typeof IMPLEMENTED_METHODS[number];

/**
 * Method name → handler. GetRPCMethods answers with exactly these names.
 *
 * @example
 * ```ts
 * import { RPC_HANDLERS } from "./handlers.ts";
 * console.log(Object.keys(RPC_HANDLERS).length); // 17
 * ```
 */
export const RPC_HANDLERS: {
  readonly [M in ImplementedMethod]: RpcHandler<M>;
} = {
  GetRPCMethods: getRpcMethods(IMPLEMENTED_METHODS),
  SetParameterValues: setParameterValues,
  GetParameterValues: getParameterValues,
  GetParameterNames: getParameterNames,
  SetParameterAttributes: setParameterAttributes,
  GetParameterAttributes: getParameterAttributes,
  AddObject: addObject,
  DeleteObject: deleteObject,
  Reboot: reboot,
  FactoryReset: factoryReset,
  ScheduleInform: scheduleInform,
  Download: download,
  Upload: upload,
  GetQueuedTransfers: getQueuedTransfers,
  GetAllQueuedTransfers: getAllQueuedTransfers,
  ScheduleDownload: scheduleDownload,
  CancelTransfer: cancelTransfer,
};

/** The outcome of one ACS request: the body to send, and work for after the session. */
export interface HandledRequest {
  /** A response, or a fault. */
  readonly body: CpeBody;
  /** Actions for after the session (reboot, factory reset). */
  readonly after: readonly DeferredAction[];
  /** The fault, when the body is one (for logging). */
  readonly fault?: CwmpFault;
}

/**
 * Runs one ACS request through its handler. Never throws: an unknown or
 * unimplemented method is fault 9000, a {@linkcode CwmpFault} becomes its
 * fault, and anything else is fault 9002 (Internal error) with the error as
 * `cause` for the log.
 *
 * @example
 * ```ts
 * import { handleRequest } from "./handlers.ts";
 * // const { body } = await handleRequest({ kind: "request", method: "GetRPCMethods", args: {} }, context);
 * ```
 */
export async function handleRequest(
  request: AcsRequest,
  context: RpcContext,
): Promise<HandledRequest> {
  try {
    const handler = Object.hasOwn(RPC_HANDLERS, request.method)
      ? RPC_HANDLERS[request.method as ImplementedMethod] as RpcHandler<
        CpeMethod
      >
      : undefined;
    if (!handler) {
      throw new CwmpFault(
        9000,
        `${request.method} is not supported by this CPE`,
      );
    }
    const result = await handler(request.args as never, context);
    return {
      body: {
        kind: "response",
        method: request.method,
        args: result.response,
      } as CpeBody,
      after: result.after ?? [],
    };
  } catch (error) {
    const fault = error instanceof CwmpFault
      ? error
      : new CwmpFault(9002, "Internal error", {
        cause: error,
        method: request.method,
      });
    return {
      body: {
        kind: "fault",
        faultCode: fault.code,
        faultString: fault.message,
        parameterFaults: fault.parameterFaults,
      },
      after: [],
      fault,
    };
  }
}

/**
 * Runs an action a handler deferred to the end of the session.
 *
 * @example
 * ```ts
 * import { runDeferredAction } from "./handlers.ts";
 * // await runDeferredAction({ kind: "reboot", commandKey: "k" }, context);
 * ```
 */
export async function runDeferredAction(
  action: DeferredAction,
  context: RpcContext,
): Promise<void> {
  switch (action.kind) {
    case "reboot":
      await context.device.reboot();
      return;
    case "factoryReset": {
      const keep = context.state.current.bootEvents.filter((e) =>
        e.eventCode === "0 BOOTSTRAP"
      );
      await context.attributes.reset();
      await context.transfers.clearQueue();
      await context.state.update(() => ({
        bootEvents: keep,
        scheduledInforms: [],
        nextInstance: {},
        pendingActions: [],
      }));
      await context.device.factoryReset();
      return;
    }
    default: {
      const unreachable: never = action;
      throw new Error(`Unknown deferred action ${JSON.stringify(unreachable)}`);
    }
  }
}
