/**
 * The data-model engine: resolves paths against a device's parameter table
 * and its live instances, for the RPC handlers. It knows the shape of the
 * tree, never what a parameter means.
 *
 * @module
 */
import type { DeviceAdapter } from "./adapter.ts";
import {
  ModelIndex,
  type ModelIndex as ModelIndexType,
  type ModelNode,
} from "./definitions.ts";
import { ModelView } from "./model_view.ts";

export { ModelView };

/** A name returned by GetParameterNames. */
export interface ParameterInfo {
  /** Full path; objects end in ".". */
  readonly name: string;
  /** Parameter: settable; table: AddObject allowed; instance: DeleteObject allowed. */
  readonly writable: boolean;
}

/**
 * The data model of one device: its parameter table as an index, plus the
 * links the engine maintains itself (NumberOfEntries parameters).
 *
 * @example
 * ```ts
 * import { DataModel } from "./model.ts";
 * import { SimulatedDevice } from "../device/simulated.ts";
 * const device = SimulatedDevice.fromSnapshot({ "Device.DeviceInfo.SerialNumber": { value: "S1" } });
 * const model = new DataModel(device);
 * const names = await model.view().names("Device.", true);
 * console.log(names); // [{ name: "Device.DeviceInfo.", writable: false }]
 * ```
 */
export class DataModel {
  /** The adapter this model reads and writes. */
  readonly adapter: DeviceAdapter;
  /** The parameter table as a tree of patterns. */
  readonly index: ModelIndexType;
  /** NumberOfEntries parameter pattern → table pattern it counts. */
  readonly #entryCounts = new Map<string, string>();

  /** Indexes the adapter's parameter table. */
  constructor(adapter: DeviceAdapter) {
    this.adapter = adapter;
    this.index = new ModelIndex(adapter.definitions());
    this.#linkEntryCounts([...this.index.roots.values()]);
  }

  #linkEntryCounts(nodes: readonly ModelNode[]): void {
    for (const node of nodes) {
      if (node.kind === "table") {
        const parentPattern = node.pattern.slice(0, -node.name.length - 1);
        const explicit = node.object?.numberOfEntries;
        const conventional = `${parentPattern}${node.name}NumberOfEntries`;
        const counter = explicit ??
          (this.index.parameters.has(conventional) ? conventional : undefined);
        if (counter) this.#entryCounts.set(counter, node.pattern);
      }
      this.#linkEntryCounts([...node.children.values()]);
    }
  }

  /** The table a NumberOfEntries parameter pattern counts, if it is one. */
  countedTable(parameterPattern: string): string | undefined {
    return this.#entryCounts.get(parameterPattern);
  }

  /** A consistent view for one request: instance lists are read once. */
  view(): ModelView {
    return new ModelView(this);
  }
}
