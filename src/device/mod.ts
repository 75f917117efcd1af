/**
 * Device adapters: the contract between the agent and a device, the
 * contract test suite, the simulated device, the Linux host example, the
 * table adapter for vendors, snapshots and the durable state store.
 *
 * @example
 * ```ts
 * import { MemoryStateStore, SimulatedDevice } from "./mod.ts";
 * const device = SimulatedDevice.fromSnapshot({ "Device.DeviceInfo.SerialNumber": { value: "S1" } }, {
 *   store: new MemoryStateStore(),
 * });
 * console.log((await device.identity()).serialNumber); // "S1"
 * ```
 *
 * @module
 */
export * from "./adapter.ts";
export * from "./contract.ts";
export * from "./linux.ts";
export * from "./simulated.ts";
export * from "./snapshot.ts";
export * from "./resilient_store.ts";
export type { StateProblem } from "./state_document.ts";
export * from "./store.ts";
export * from "./table_adapter.ts";
