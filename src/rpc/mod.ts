/**
 * The CPE RPC handlers: a table from method name to a function of
 * (request arguments, context), and the one place errors become faults.
 *
 * @example
 * ```ts
 * import { createRpcContext, handleRequest } from "./mod.ts";
 * import { SimulatedDevice } from "../device/simulated.ts";
 * const context = await createRpcContext(SimulatedDevice.fromSnapshot({ "Device.DeviceInfo.SerialNumber": { value: "S" } }));
 * const { body } = await handleRequest({ kind: "request", method: "GetRPCMethods", args: {} }, context);
 * console.log(body.kind); // "response"
 * ```
 *
 * @module
 */
export * from "./context.ts";
export * from "./handlers.ts";
export * from "./limits.ts";
