/**
 * The device adapter: everything the agent core needs from a device, and
 * nothing more. The core never knows what a parameter means; it reaches the
 * device only through this interface.
 *
 * @module
 */
import type { DataModelDefinitions } from "./definitions.ts";
import type { StateStore } from "../state/store.ts";
import type { TransferAdapter } from "./transfer_adapter.ts";

export type { TransferAdapter } from "./transfer_adapter.ts";

/** Who the device is; must equal the DeviceInfo parameters. */
export interface DeviceIdentity {
  /** DeviceInfo.Manufacturer, at most 64 characters. */
  readonly manufacturer: string;
  /** DeviceInfo.ManufacturerOUI: six upper-case hexadecimal digits. */
  readonly oui: string;
  /** DeviceInfo.ProductClass, at most 64 characters (may be empty). */
  readonly productClass: string;
  /** DeviceInfo.SerialNumber, at most 64 characters. */
  readonly serialNumber: string;
}

/** A value to set: full parameter path and canonical value. */
export interface ParameterChange {
  /** Full parameter path (concrete, no `{i}`). */
  readonly path: string;
  /** The value, already checked against the parameter's type. */
  readonly value: string;
  /** The on-device application that made it (the local interface); absent for the ACS. */
  readonly by?: string;
}

/**
 * What the device did with a change: `applied` false means it was validated
 * and committed but takes effect later (for example after a reboot), which
 * the RPC reports as Status 1.
 */
export interface ApplyResult {
  /** True when the change is in effect now. */
  readonly applied: boolean;
}

/**
 * A device, as the agent sees it. Implementations: the simulated device
 * (`src/device/simulated.ts`), the Linux host (`src/device/linux.ts`), and a
 * vendor's own. Every implementation should pass the contract suite
 * (`adapterContract` in `src/management/adapter_contract.ts`).
 *
 * Paths passed in are always concrete and always exist in
 * {@linkcode DeviceAdapter.definitions}: the agent validates every request
 * before it reaches the adapter.
 */
export interface DeviceAdapter {
  /** The device's identity (DeviceId of the Inform). */
  identity(): Promise<DeviceIdentity>;
  /** The parameter table: definitions with `{i}` patterns. */
  definitions(): DataModelDefinitions;
  /** Current values of the given parameters, in canonical lexical form. */
  getValues(paths: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Instance numbers that exist in a table (`Device.IP.Interface.`), ascending. */
  instances(table: string): Promise<readonly number[]>;
  /**
   * Applies all changes or none: if any change fails, the adapter undoes the
   * ones already made and throws. The agent reports a failure as fault 9002.
   */
  setValues(changes: readonly ParameterChange[]): Promise<ApplyResult>;
  /** Creates instance `instance` of `table`; parameters take their defaults. */
  addInstance(table: string, instance: number): Promise<ApplyResult>;
  /** Deletes an instance (`Device.IP.Interface.3.`) and everything below it. */
  deleteInstance(instancePath: string): Promise<ApplyResult>;
  /** Reboots the device. Called after the session that asked for it ended. */
  reboot(): Promise<void>;
  /** Resets the device to factory defaults, then reboots. */
  factoryReset(): Promise<void>;
  /**
   * An id that changes with every boot of the device and only then (Linux:
   * the kernel's boot_id). With it the agent tells a device boot (`1 BOOT`)
   * from a restart of its own process (no event). Without it, every start
   * of the agent counts as a boot.
   */
  bootId?(): Promise<string>;
  /**
   * Reports changes the device makes itself (a local web UI, the network),
   * so notified parameters need not wait for the agent's next poll. Calls
   * `listener` with the concrete parameter paths that changed; returns the
   * function that stops the reports. A report outside a session counts as a
   * change even when the value has gone back since; reports that arrive
   * during a session (its own SetParameterValues, say) are compared with
   * what the ACS set once the session ends.
   */
  watch?(listener: (paths: readonly string[]) => void): () => void;
  /**
   * What the device does with files (Download, Upload). Without it, every
   * transfer ends in fault 9010 or 9011: the device takes no files.
   */
  readonly transfers?: TransferAdapter;
  /** Durable storage for the agent's own state. */
  readonly store: StateStore;
}

/**
 * Thrown by a stub that a vendor has not filled in yet; the contract suite
 * reports each by name.
 *
 * @example
 * ```ts
 * import { NotImplementedError } from "./adapter.ts";
 * const get = () => { throw new NotImplementedError("Device.DeviceInfo.UpTime getter"); };
 * try { get(); } catch (e) { console.log((e as Error).message); }
 * // "not implemented: Device.DeviceInfo.UpTime getter"
 * ```
 */
export class NotImplementedError extends Error {
  /** What is missing, e.g. "Device.DeviceInfo.UpTime getter". */
  readonly what: string;
  /** Creates the error for `what`. */
  constructor(what: string) {
    super(`not implemented: ${what}`);
    this.name = "NotImplementedError";
    this.what = what;
  }
}
