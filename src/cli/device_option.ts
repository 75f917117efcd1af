/**
 * The `--device` option shared by commands: `sim`, `sim:SNAPSHOT` or `linux`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { DeviceAdapter } from "../device/adapter.ts";
import { createLinuxHostAdapter } from "../device/linux.ts";
import { SimulatedDevice } from "../device/simulated.ts";
import type { StateStore } from "../device/store.ts";

/** The snapshot `--device sim` uses: a realistic TR-181 gateway. */
export const DEFAULT_SNAPSHOT: string = fileURLToPath(
  new URL("../device/snapshots/tr181_default.json", import.meta.url),
);

/** A parsed `--device` value. */
export type DeviceSpec =
  | { readonly kind: "sim"; readonly snapshot: string }
  | { readonly kind: "linux" };

/**
 * Parses `--device`.
 *
 * @throws {TypeError} with a message for the user when the value is wrong.
 *
 * @example
 * ```ts
 * import { parseDeviceSpec } from "./device_option.ts";
 * console.log(parseDeviceSpec("sim:dev.csv")); // { kind: "sim", snapshot: "dev.csv" }
 * ```
 */
export function parseDeviceSpec(value: string): DeviceSpec {
  if (value === "linux") return { kind: "linux" };
  if (value === "sim") return { kind: "sim", snapshot: DEFAULT_SNAPSHOT };
  if (value.startsWith("sim:") && value.length > 4) {
    return { kind: "sim", snapshot: value.slice(4) };
  }
  throw new TypeError(
    `--device must be sim, sim:SNAPSHOT or linux, got ${JSON.stringify(value)}`,
  );
}

/**
 * Opens the device a spec names, with `store` for its and the agent's state.
 *
 * @example
 * ```ts
 * import { openDevice } from "./device_option.ts";
 * import { MemoryStateStore } from "../device/store.ts";
 * const device = await openDevice({ kind: "sim", snapshot: "src/device/snapshots/tr181_default.json" }, new MemoryStateStore());
 * ```
 */
export function openDevice(
  spec: DeviceSpec,
  store: StateStore,
): Promise<DeviceAdapter> {
  return spec.kind === "linux"
    ? createLinuxHostAdapter({ store })
    : SimulatedDevice.load(spec.snapshot, { store });
}
