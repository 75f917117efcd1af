/**
 * A device adapter built from a table of getter/setter functions per
 * parameter — the TypeScript form of the classic CPE-agent parameter table.
 * It gives every vendor table atomic batched sets: if one setter fails, the
 * ones already run are undone with the old values, in reverse order.
 *
 * @module
 */
import type {
  ActiveNotify,
  DataModelDefinitions,
  ObjectDefinition,
} from "../datamodel/definitions.ts";
import { INSTANCE_PLACEHOLDER, toPattern } from "../datamodel/path.ts";
import type { ParameterType } from "../datamodel/types.ts";
import {
  type ApplyResult,
  type DeviceAdapter,
  type DeviceIdentity,
  NotImplementedError,
  type ParameterChange,
} from "../datamodel/adapter.ts";
import type { StateStore } from "../state/store.ts";

/** One parameter of the table: its definition and its getter and setter. */
export interface TableParameter {
  /** The value type and facets. */
  readonly type: ParameterType;
  /** Whether the ACS may set it (a setter is then required). */
  readonly writable?: boolean;
  /** Write-only secret: reads by the ACS return "". */
  readonly hidden?: boolean;
  /** Sent in every Inform. */
  readonly forcedInform?: boolean;
  /** Active-notification flag. */
  readonly activeNotify?: ActiveNotify;
  /** Value of the parameter in a new instance. */
  readonly default?: string;
  /**
   * Reads the value of the concrete `path`; `instances` holds the path's
   * instance numbers in order (`Device.IP.Interface.2.IPv4Address.1.X` → [2, 1]).
   */
  get(path: string, instances: readonly number[]): string | Promise<string>;
  /** Writes a checked, canonical value. */
  set?(
    path: string,
    value: string,
    instances: readonly number[],
  ): void | Promise<void>;
}

/** One multi-instance object of the table (pattern ending in `{i}.`). */
export interface TableObject {
  /** Whether AddObject and DeleteObject may change it. */
  readonly writable?: boolean;
  /** The most instances allowed. */
  readonly maxEntries?: number;
  /** The instance numbers that exist under the parent instances given. */
  instances(
    parents: readonly number[],
  ): readonly number[] | Promise<readonly number[]>;
  /** Creates instance `instance` under the parent instances. */
  add?(instance: number, parents: readonly number[]): void | Promise<void>;
  /** Deletes instance `instance` under the parent instances. */
  delete?(instance: number, parents: readonly number[]): void | Promise<void>;
}

/** Everything {@linkcode createTableAdapter} needs. */
export interface TableAdapterOptions {
  /** The device identity, or a function that reads it. */
  readonly identity: DeviceIdentity | (() => Promise<DeviceIdentity>);
  /** Parameters by path pattern (`Device.IP.Interface.{i}.Enable`). */
  readonly parameters: Readonly<Record<string, TableParameter>>;
  /** Multi-instance objects by pattern (`Device.IP.Interface.{i}.`). */
  readonly objects?: Readonly<Record<string, TableObject>>;
  /** Durable storage for the agent. */
  readonly store: StateStore;
  /** Runs after all setters of a batch succeeded (write config, restart a service). */
  readonly commit?: () => Promise<ApplyResult>;
  /** Reboots the device. */
  readonly reboot?: () => Promise<void>;
  /** Resets to factory defaults and reboots. */
  readonly factoryReset?: () => Promise<void>;
}

/**
 * The instance numbers in a concrete path, in order.
 *
 * @example
 * ```ts
 * import { instanceNumbers } from "./table_adapter.ts";
 * console.log(instanceNumbers("Device.IP.Interface.2.IPv4Address.1.IPAddress")); // [2, 1]
 * ```
 */
export function instanceNumbers(path: string): number[] {
  return path.split(".").filter((s) => /^\d+$/.test(s)).map(Number);
}

/**
 * Builds a {@linkcode DeviceAdapter} from a parameter table.
 *
 * @example
 * ```ts
 * import { createTableAdapter } from "./table_adapter.ts";
 * import { MemoryStateStore } from "../state/store.ts";
 * let hostname = "gw";
 * const adapter = createTableAdapter({
 *   identity: { manufacturer: "ACME", oui: "00AABB", productClass: "GW", serialNumber: "1" },
 *   parameters: {
 *     "Device.DeviceInfo.X_00AABB_Hostname": {
 *       type: { base: "string", maxLength: 64 },
 *       writable: true,
 *       get: () => hostname,
 *       set: (_path, value) => { hostname = value; },
 *     },
 *   },
 *   store: new MemoryStateStore(),
 * });
 * await adapter.setValues([{ path: "Device.DeviceInfo.X_00AABB_Hostname", value: "gw2" }]);
 * console.log(hostname); // "gw2"
 * ```
 */
export function createTableAdapter(
  options: TableAdapterOptions,
): DeviceAdapter {
  const objects = options.objects ?? {};
  const definitions: DataModelDefinitions = {
    parameters: Object.entries(options.parameters).map(([path, p]) => ({
      path,
      type: p.type,
      writable: p.writable ?? false,
      ...(p.hidden ? { hidden: true } : {}),
      ...(p.forcedInform ? { forcedInform: true } : {}),
      ...(p.activeNotify ? { activeNotify: p.activeNotify } : {}),
      ...(p.default !== undefined ? { default: p.default } : {}),
    })),
    objects: Object.entries(objects).map(([path, o]): ObjectDefinition => ({
      path,
      writable: o.writable ?? false,
      ...(o.maxEntries !== undefined ? { maxEntries: o.maxEntries } : {}),
    })),
  };
  const parameter = (path: string): TableParameter => {
    const entry = options.parameters[toPattern(path)];
    if (!entry) throw new Error(`No parameter ${path} in the table`);
    return entry;
  };
  const object = (table: string): TableObject => {
    const entry = objects[toPattern(table) + INSTANCE_PLACEHOLDER + "."];
    if (!entry) {
      throw new Error(`No multi-instance object ${table} in the table`);
    }
    return entry;
  };

  return {
    store: options.store,
    identity: () =>
      Promise.resolve(
        typeof options.identity === "function"
          ? options.identity()
          : options.identity,
      ),
    definitions: () => definitions,
    async getValues(paths) {
      const out = new Map<string, string>();
      for (const path of paths) {
        out.set(path, await parameter(path).get(path, instanceNumbers(path)));
      }
      return out;
    },
    async instances(table) {
      return [...await object(table).instances(instanceNumbers(table))].sort((
        a,
        b,
      ) => a - b);
    },
    async setValues(changes: readonly ParameterChange[]): Promise<ApplyResult> {
      const done: { path: string; old: string }[] = [];
      try {
        for (const { path, value } of changes) {
          const entry = parameter(path);
          if (!entry.set) {
            throw new NotImplementedError(`${toPattern(path)} setter`);
          }
          const old = await entry.get(path, instanceNumbers(path));
          await entry.set(path, value, instanceNumbers(path));
          done.push({ path, old });
        }
        return options.commit ? await options.commit() : { applied: true };
      } catch (error) {
        // Undo in reverse order; a failing undo is reported with the cause.
        for (const { path, old } of done.reverse()) {
          await parameter(path).set!(path, old, instanceNumbers(path));
        }
        throw error;
      }
    },
    async addInstance(table, instance) {
      const entry = object(table);
      if (!entry.add) {
        throw new NotImplementedError(`${toPattern(table)}{i}. add`);
      }
      await entry.add(instance, instanceNumbers(table));
      return { applied: true };
    },
    async deleteInstance(instancePath) {
      const numbers = instanceNumbers(instancePath);
      const table = instancePath.slice(
        0,
        instancePath.slice(0, -1).lastIndexOf(".") + 1,
      );
      const entry = object(table);
      if (!entry.delete) {
        throw new NotImplementedError(`${toPattern(table)}{i}. delete`);
      }
      await entry.delete(numbers[numbers.length - 1], numbers.slice(0, -1));
      return { applied: true };
    },
    reboot: () =>
      options.reboot
        ? options.reboot()
        : Promise.reject(new NotImplementedError("reboot")),
    factoryReset: () =>
      options.factoryReset
        ? options.factoryReset()
        : Promise.reject(new NotImplementedError("factory reset")),
  };
}
