/**
 * A simulated device: a data model loaded from a snapshot, kept in memory,
 * with every change persisted in the agent's state store so it survives a
 * restart. The workstation demo and the tests run against it.
 *
 * @module
 */
import type {
  DataModelDefinitions,
  ParameterDefinition,
} from "../datamodel/definitions.ts";
import { INSTANCE_PLACEHOLDER, toPattern } from "../datamodel/path.ts";
import { checkValue, zeroValue } from "../datamodel/types.ts";
import type {
  ApplyResult,
  DeviceAdapter,
  DeviceIdentity,
  ParameterChange,
} from "../datamodel/adapter.ts";
import {
  DEVICE_ID_PREFIX,
  isCsvSnapshot,
  loadSnapshot,
  parseSnapshot,
  type Snapshot,
  type SnapshotEntry,
  type SnapshotOptions,
} from "./snapshot.ts";
import { MemoryStateStore, type StateStore } from "../state/store.ts";
import type { StateProblem } from "../state/state_document.ts";

import {
  applyDelta,
  checkSimulatedState,
  copyState,
  isDelta,
  SIMULATED_JOURNAL_KEY,
  SIMULATED_STATE_KEY,
  type SimulatedDelta,
  SimulatedJournal,
  type SimulatedState,
} from "./_simulated_state.ts";

import { SimulatedTransfers } from "./simulated_transfers.ts";

export { SIMULATED_STATE_KEY } from "./_simulated_state.ts";

/** Options for {@linkcode SimulatedDevice}. */
export interface SimulatedDeviceOptions {
  /** Where the device and the agent keep state; in memory by default. */
  readonly store?: StateStore;
  /** Values that replace the snapshot's (a serial number per simulated unit, say). */
  readonly overrides?: Readonly<Record<string, string>>;
  /**
   * How the snapshot is read (lenient for device dumps; {@linkcode SimulatedDevice.load}
   * turns it on for CSV files) and where its warnings go.
   */
  readonly snapshot?: SnapshotOptions;
  /** Receives each problem found in the saved state, which is repaired anyway. */
  readonly onStateProblem?: (problem: StateProblem) => void;
  /** Bytes free for downloads (1 GiB by default). */
  readonly freeBytes?: number;
}

const IDENTITY_PARAMETERS = {
  manufacturer: "Manufacturer",
  oui: "ManufacturerOUI",
  productClass: "ProductClass",
  serialNumber: "SerialNumber",
} as const;

/**
 * A device simulated from a snapshot.
 *
 * @example
 * ```ts
 * import { SimulatedDevice } from "./simulated.ts";
 * const device = SimulatedDevice.fromSnapshot({
 *   "Device.DeviceInfo.Manufacturer": { value: "ACME" },
 *   "Device.DeviceInfo.ManufacturerOUI": { value: "00AABB" },
 *   "Device.DeviceInfo.ProductClass": { value: "GW" },
 *   "Device.DeviceInfo.SerialNumber": { value: "S1" },
 * });
 * console.log((await device.identity()).serialNumber); // "S1"
 * ```
 */
export class SimulatedDevice implements DeviceAdapter {
  readonly store: StateStore;
  /** Its files: firmware, configuration, log (see `simulated_transfers.ts`). */
  readonly transfers: SimulatedTransfers;
  readonly #definitions: DataModelDefinitions;
  readonly #byPattern: Map<string, ParameterDefinition>;
  #factory: SimulatedState;
  #state: SimulatedState;
  readonly #journal: SimulatedJournal;
  #root: string;
  readonly #identity: Partial<DeviceIdentity>;
  readonly #watchers = new Set<(paths: readonly string[]) => void>();
  readonly #onStateProblem: SimulatedDeviceOptions["onStateProblem"];

  private constructor(
    snapshot: Snapshot,
    options: SimulatedDeviceOptions,
    definitions?: DataModelDefinitions,
  ) {
    const patched: Record<string, Snapshot[string]> = { ...snapshot };
    for (const [path, value] of Object.entries(options.overrides ?? {})) {
      if (!patched[path]) {
        throw new TypeError(
          `Cannot override ${path}: the snapshot has no such parameter`,
        );
      }
      patched[path] = { ...patched[path], value };
      // An identity override also replaces the DeviceID row that would win.
      const field = Object.entries(IDENTITY_PARAMETERS).find(([, name]) =>
        path.endsWith(`.DeviceInfo.${name}`)
      )?.[1];
      const idPath = DEVICE_ID_PREFIX +
        (field === "ManufacturerOUI" ? "OUI" : field);
      if (field && patched[idPath]) {
        patched[idPath] = { ...patched[idPath], value };
      }
    }
    const loaded = loadSnapshot(patched, options.snapshot);
    this.store = options.store ?? new MemoryStateStore();
    this.#onStateProblem = options.onStateProblem;
    // A generated table carries the full definitions (facets, tables without
    // instances); a snapshot only what its values show.
    this.#definitions = definitions ?? loaded.definitions;
    this.#byPattern = new Map(
      this.#definitions.parameters.map((d) => [d.path, d]),
    );
    this.#factory = {
      values: Object.fromEntries(loaded.values),
      instances: Object.fromEntries(
        [...loaded.instances].map(([k, v]) => [k, [...v]]),
      ),
      reboots: 0,
      factoryResets: 0,
      bootId: crypto.randomUUID(),
    };
    this.#state = this.#factory;
    this.#root = loaded.definitions.parameters[0]?.path.split(".")[0] ??
      "Device";
    // genieacs-sim's DeviceID rows are what its Inform says. TR-069 wants the
    // DeviceId to equal the DeviceInfo parameters, so where a dump disagrees
    // (its DeviceInfo.SerialNumber is often "0"), the parameter follows.
    this.#identity = loaded.identity;
    const values = { ...this.#factory.values };
    for (const [field, name] of Object.entries(IDENTITY_PARAMETERS)) {
      const fromId = loaded.identity[field as keyof DeviceIdentity];
      const path = `${this.#root}.DeviceInfo.${name}`;
      if (fromId === undefined || values[path] === undefined) continue;
      if (values[path] !== fromId) {
        options.snapshot?.onWarning?.(
          `${path} is ${JSON.stringify(values[path])} but DeviceID.${
            name === "ManufacturerOUI" ? "OUI" : name
          } says ${
            JSON.stringify(fromId)
          }; the parameter takes the DeviceID value`,
        );
        values[path] = fromId;
      }
    }
    this.#factory = { ...this.#factory, values };
    this.#state = copyState(this.#factory);
    this.#journal = new SimulatedJournal(this.store);
    const root = this.#root;
    this.transfers = new SimulatedTransfers({
      store: this.store,
      root,
      definitions: () => this.#definitions,
      getValues: (paths) => this.getValues(paths),
      // As the device's own changes: watchers hear of them (a configuration
      // file is not an ACS SetParameterValues).
      setValues: (changes) => this.setValues(changes),
    }, options.freeBytes);
  }

  /**
   * A device from a parameter table (a generated one, for instance): every
   * parameter outside a table takes its default or zero value, and tables
   * start empty; AddObject fills them. Saved changes in `options.store`
   * apply on top.
   */
  static async fromDefinitions(
    definitions: DataModelDefinitions,
    options: SimulatedDeviceOptions = {},
  ): Promise<SimulatedDevice> {
    const snapshot: Record<string, SnapshotEntry> = {};
    for (const d of definitions.parameters) {
      if (d.path.includes(INSTANCE_PLACEHOLDER)) continue;
      const fallback = zeroValue(d.type);
      const value =
        d.default !== undefined && !checkValue(d.type, d.default).problem
          ? d.default
          : fallback;
      snapshot[d.path] = {
        value,
        // Lists travel as strings; the definitions passed on keep the real type.
        type: d.type.list ? "string" : d.type.base,
        writable: d.writable,
        ...(d.hidden ? { hidden: true } : {}),
      };
    }
    const device = new SimulatedDevice(snapshot, options, definitions);
    await device.#restore();
    return device;
  }

  /** A device from an in-memory snapshot, with the changes saved in `options.store` applied on top. */
  static async restore(
    snapshot: Snapshot,
    options: SimulatedDeviceOptions = {},
  ): Promise<SimulatedDevice> {
    const device = new SimulatedDevice(snapshot, options);
    await device.#restore();
    return device;
  }

  /** A device from an in-memory snapshot, with no saved changes. */
  static fromSnapshot(
    snapshot: Snapshot,
    options: SimulatedDeviceOptions = {},
  ): SimulatedDevice {
    return new SimulatedDevice(snapshot, options);
  }

  /**
   * A device from a snapshot file (JSON or CSV), with the changes saved in
   * `options.store` applied on top.
   */
  static async load(
    file: string,
    options: SimulatedDeviceOptions = {},
  ): Promise<SimulatedDevice> {
    const text = await Deno.readTextFile(file);
    const snapshotOptions: SnapshotOptions = {
      lenient: isCsvSnapshot(text, file),
      ...options.snapshot,
    };
    const device = new SimulatedDevice(
      parseSnapshot(text, file, snapshotOptions),
      { ...options, snapshot: snapshotOptions },
    );
    await device.#restore();
    return device;
  }

  /**
   * Applies saved changes from the store, if any. A device restored from a
   * store keeps its boot id, so restarting the agent is not a boot; one that
   * has none yet records the id of this boot at once.
   */
  async #restore(): Promise<void> {
    let saved: unknown;
    try {
      saved = await this.store.read(SIMULATED_STATE_KEY);
    } catch (error) {
      this.#problem("", `${(error as Error).message}; factory values apply`);
      await this.store.quarantine?.(SIMULATED_STATE_KEY);
    }
    let restored = false;
    if (saved !== undefined) {
      const state = checkSimulatedState(
        saved,
        this.#byPattern,
        this.#factory,
        (field, problem) => this.#problem(field, problem),
      );
      if (state) {
        this.#state = state;
        restored = true;
      } else await this.store.quarantine?.(SIMULATED_STATE_KEY);
    }
    // The changes since the state was last written whole.
    let journal: unknown;
    try {
      journal = await this.store.read(SIMULATED_JOURNAL_KEY);
    } catch (error) {
      this.#problem("", `${(error as Error).message}; recent changes lost`);
      await this.store.quarantine?.(SIMULATED_JOURNAL_KEY);
    }
    const deltas = (journal as { deltas?: unknown } | undefined)?.deltas;
    if (Array.isArray(deltas)) {
      const valid = deltas.filter(isDelta);
      if (valid.length < deltas.length) {
        this.#problem(
          "deltas",
          `${
            deltas.length - valid.length
          } change(s) this device could not have made; dropped`,
        );
      }
      for (const delta of valid) applyDelta(this.#state, delta);
      this.#journal.adopt(valid);
      restored ||= valid.length > 0;
    }
    if (!restored || typeof this.#state.bootId !== "string") {
      await this.#journal.replace(this.#state, {
        ...this.#state,
        bootId: this.#state.bootId ?? crypto.randomUUID(),
      });
    }
  }

  #problem(field: string, problem: string): void {
    this.#onStateProblem?.({ key: SIMULATED_STATE_KEY, field, problem });
  }

  bootId(): Promise<string> {
    return Promise.resolve(this.#state.bootId ?? "");
  }

  watch(listener: (paths: readonly string[]) => void): () => void {
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  /**
   * Changes values as the device itself would (a local web UI, DHCP): the
   * same as {@linkcode SimulatedDevice.setValues}, which reports every change
   * to the watchers; the agent tells apart the ones the ACS made.
   */
  setLocally(changes: readonly ParameterChange[]): Promise<ApplyResult> {
    return this.setValues(changes);
  }

  /** A power cut: the device boots again without being asked to (a new boot id). */
  async powerCycle(): Promise<void> {
    await this.#commit({ bootId: crypto.randomUUID() });
  }

  /** How often the device was rebooted and factory-reset (for tests and the demo). */
  get counters(): { readonly reboots: number; readonly factoryResets: number } {
    return {
      reboots: this.#state.reboots,
      factoryResets: this.#state.factoryResets,
    };
  }

  identity(): Promise<DeviceIdentity> {
    const v = (field: keyof DeviceIdentity) =>
      this.#state.values[
        `${this.#root}.DeviceInfo.${IDENTITY_PARAMETERS[field]}`
      ] ?? this.#identity[field] ?? "";
    return Promise.resolve({
      manufacturer: v("manufacturer"),
      oui: v("oui"),
      productClass: v("productClass"),
      serialNumber: v("serialNumber"),
    });
  }

  definitions(): DataModelDefinitions {
    return this.#definitions;
  }

  getValues(paths: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const out = new Map<string, string>();
    for (const path of paths) {
      const value = this.#state.values[path];
      if (value !== undefined) out.set(path, value);
    }
    return Promise.resolve(out);
  }

  instances(table: string): Promise<readonly number[]> {
    return Promise.resolve(this.#state.instances[table] ?? []);
  }

  async setValues(changes: readonly ParameterChange[]): Promise<ApplyResult> {
    const current = this.#state.values;
    const changed = changes.filter((c) => current[c.path] !== c.value).map((
      c,
    ) => c.path);
    const values: Record<string, string> = {};
    for (const change of changes) values[change.path] = change.value;
    await this.#commit({ values });
    if (changed.length > 0) {
      for (const watcher of this.#watchers) {
        try {
          watcher(changed);
        } catch {
          // A watcher's failure is its own; the change has been made.
        }
      }
    }
    return { applied: true };
  }

  async addInstance(table: string, instance: number): Promise<ApplyResult> {
    const existing = this.#state.instances[table] ?? [];
    if (existing.includes(instance)) {
      throw new Error(`${table}${instance}. already exists`);
    }
    const values: Record<string, string> = {};
    const prefix = `${table}${instance}.`;
    const patternPrefix = toPattern(prefix);
    for (const [pattern, definition] of this.#byPattern) {
      if (!pattern.startsWith(patternPrefix)) continue;
      // Nested tables of the new instance start empty.
      if (pattern.slice(patternPrefix.length).includes(INSTANCE_PLACEHOLDER)) {
        continue;
      }
      values[prefix + pattern.slice(patternPrefix.length)] =
        definition.default ?? zeroValue(definition.type);
    }
    await this.#commit({ values, added: [table, instance] });
    return { applied: true };
  }

  async deleteInstance(instancePath: string): Promise<ApplyResult> {
    const body = instancePath.slice(0, -1);
    const table = body.slice(0, body.lastIndexOf(".") + 1);
    const number = Number(body.slice(body.lastIndexOf(".") + 1));
    await this.#commit({ removed: [instancePath], dropped: [table, number] });
    return { applied: true };
  }

  async reboot(): Promise<void> {
    await this.#commit({
      reboots: this.#state.reboots + 1,
      bootId: crypto.randomUUID(),
    });
    await this.transfers.activate();
  }

  async factoryReset(): Promise<void> {
    await this.#journal.replace(this.#state, {
      ...copyState(this.#factory),
      reboots: this.#state.reboots + 1,
      factoryResets: this.#state.factoryResets + 1,
      bootId: crypto.randomUUID(),
    });
  }

  /** Persists first, then applies: a failed write leaves the device unchanged. */
  #commit(delta: SimulatedDelta): Promise<void> {
    return this.#journal.commit(this.#state, delta);
  }
}
