/**
 * The data-model engine: paths, parameter types, the parameter table and the
 * views the RPC handlers resolve requests with.
 *
 * @example
 * ```ts
 * import { checkValue, parsePath } from "./mod.ts";
 * console.log(parsePath("Device.").partial, checkValue({ base: "int" }, "+7").value); // true "7"
 * ```
 *
 * @module
 */
export * from "./adapter.ts";
export * from "./attributes.ts";
export * from "./definitions.ts";
export * from "./model.ts";
export * from "./path.ts";
export * from "./transfer_adapter.ts";
export * from "./types.ts";
