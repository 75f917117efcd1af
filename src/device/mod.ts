/**
 * Device adapters: the simulated device, the Linux host example, the table
 * adapter for vendors, and snapshots. The adapter interface itself lives in
 * `src/datamodel/adapter.ts` (the data-model engine reaches a device only
 * through it); the contract suite in `src/management/adapter_contract.ts`.
 *
 * @example
 * ```ts
 * import { SimulatedDevice } from "./mod.ts";
 * import { MemoryStateStore } from "../state/store.ts";
 * const device = SimulatedDevice.fromSnapshot({ "Device.DeviceInfo.SerialNumber": { value: "S1" } }, {
 *   store: new MemoryStateStore(),
 * });
 * console.log((await device.identity()).serialNumber); // "S1"
 * ```
 *
 * @module
 */
export * from "./linux.ts";
export * from "./simulated.ts";
export * from "./simulated_transfers.ts";
export * from "./snapshot.ts";
export * from "./table_adapter.ts";
