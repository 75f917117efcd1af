/**
 * What the agent owns on a device: the ManagementServer parameters layered
 * over the device's data model, and the contract suite every device adapter
 * must pass (it checks that this layering works on it too).
 *
 * @example
 * ```ts
 * import { MANAGEMENT_SERVER_PARAMETERS } from "./mod.ts";
 * console.log(MANAGEMENT_SERVER_PARAMETERS.CWMPRetryIntervalMultiplier.default); // "2000"
 * ```
 *
 * @module
 */
export * from "./adapter_contract.ts";
export * from "./managed_device.ts";
export * from "./stored_values.ts";
export * from "./stun_parameters.ts";
