/**
 * The `--device` option shared by commands: `sim`, `sim:SNAPSHOT` or `linux`.
 *
 * @module
 */
import { filePathOf } from "../sandbox/paths.ts";
import type { DeviceAdapter } from "../datamodel/adapter.ts";
import { createLinuxHostAdapter } from "../device/linux.ts";
import { SimulatedDevice } from "../device/simulated.ts";
import type { StateStore } from "../state/store.ts";
import type { Snapshot } from "../device/snapshot.ts";
import type { StateProblem } from "../state/state_document.ts";
import defaultSnapshot from "../device/snapshots/tr181_default.json" with {
  type: "json",
};

/**
 * The snapshot `--device sim` uses: a realistic TR-181 gateway. It is
 * imported as a module, so bundles and compiled binaries carry it and the
 * agent needs no read permission for it.
 */
export const DEFAULT_SNAPSHOT_DATA: Snapshot = defaultSnapshot as Snapshot;

/** Where the default snapshot lives in the source tree (for tools and tests). */
export const DEFAULT_SNAPSHOT: string = filePathOf(
  new URL("../device/snapshots/tr181_default.json", import.meta.url),
);

/** Built-in data models `--device sim:NAME` serves in full (generated from BBF XML). */
export const BUILTIN_MODELS = ["tr181"] as const;

/** A parsed `--device` value. */
export type DeviceSpec =
  | { readonly kind: "sim"; readonly snapshot: string }
  | { readonly kind: "model"; readonly model: typeof BUILTIN_MODELS[number] }
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
  const model = value.slice(4);
  if (
    value.startsWith("sim:") &&
    (BUILTIN_MODELS as readonly string[]).includes(model)
  ) {
    return { kind: "model", model: model as typeof BUILTIN_MODELS[number] };
  }
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
 * import { MemoryStateStore } from "../state/store.ts";
 * const device = await openDevice({ kind: "sim", snapshot: "src/device/snapshots/tr181_default.json" }, new MemoryStateStore());
 * ```
 */
export async function openDevice(
  spec: DeviceSpec,
  store: StateStore,
  options: OpenDeviceOptions = {},
): Promise<DeviceAdapter> {
  switch (spec.kind) {
    case "linux":
      return await createLinuxHostAdapter({ store });
    case "sim":
      return spec.snapshot === DEFAULT_SNAPSHOT
        ? await SimulatedDevice.restore(DEFAULT_SNAPSHOT_DATA, {
          store,
          onStateProblem: options.onStateProblem,
        })
        : await SimulatedDevice.load(spec.snapshot, {
          store,
          ...(options.overrides ? { overrides: options.overrides } : {}),
          snapshot: { onWarning: options.onWarning },
          onStateProblem: options.onStateProblem,
        });
    case "model": {
      // The full TR-181 table is large; it loads only when asked for.
      const { definitions } = await import("../device/models/tr181.ts");
      return await SimulatedDevice.fromDefinitions(definitions, {
        store,
        overrides: SIMULATED_IDENTITY,
        onStateProblem: options.onStateProblem,
      });
    }
  }
}

/** Options for {@linkcode openDevice}. */
export interface OpenDeviceOptions {
  /** Where a snapshot's warnings go (a device dump that is loaded as it is). */
  readonly onWarning?: (message: string) => void;
  /** Values replacing a snapshot's (`--serial`). */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Where problems found in the device's saved state go. */
  readonly onStateProblem?: (problem: StateProblem) => void;
}

/** Identity of a device simulated from a full data model (the model has no values). */
const SIMULATED_IDENTITY: Readonly<Record<string, string>> = {
  "Device.DeviceInfo.Manufacturer": "cwmp-agent",
  "Device.DeviceInfo.ManufacturerOUI": "00D09E",
  "Device.DeviceInfo.ProductClass": "TR181-Sim",
  "Device.DeviceInfo.SerialNumber": "SIM-TR181-0001",
  "Device.DeviceInfo.SoftwareVersion": "1.0",
  "Device.DeviceInfo.HardwareVersion": "sim",
};
