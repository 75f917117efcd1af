/**
 * Puts generated definitions and the vendor's filled-in stubs together into
 * a device adapter.
 *
 * @module
 */
import type { DataModelDefinitions } from "../datamodel/definitions.ts";
import type {
  ApplyResult,
  DeviceAdapter,
  DeviceIdentity,
} from "../datamodel/adapter.ts";
import type { StateStore } from "../state/store.ts";
import {
  createTableAdapter,
  type TableObject,
  type TableParameter,
} from "../device/table_adapter.ts";

/** One generated stub module (`stubs/<object>.ts`). */
export interface StubModule {
  /** The object pattern it serves. */
  readonly path: string;
  /** Getter and setter per parameter pattern. */
  readonly parameters: Readonly<
    Record<string, Pick<TableParameter, "get" | "set">>
  >;
  /** instances/add/delete for a multi-instance object. */
  readonly object?: Omit<TableObject, "writable" | "maxEntries">;
}

/** What {@linkcode adapterFromStubs} needs. */
export interface AdapterFromStubsOptions {
  /** The generated `definitions`. */
  readonly definitions: DataModelDefinitions;
  /** The generated `stubs` (from `stubs/index.ts`). */
  readonly stubs: readonly StubModule[];
  /** The device identity. */
  readonly identity: DeviceIdentity | (() => Promise<DeviceIdentity>);
  /** Durable storage for the agent. */
  readonly store: StateStore;
  /** Runs after a batch of setters (write config, restart a service). */
  readonly commit?: () => Promise<ApplyResult>;
  /** Reboots the device. */
  readonly reboot?: () => Promise<void>;
  /** Resets to factory defaults. */
  readonly factoryReset?: () => Promise<void>;
}

/**
 * A table adapter from generated definitions and stubs. Parameters or tables
 * without a stub are an error here, so a half-regenerated tree is caught at
 * start-up rather than at the first request.
 *
 * @example
 * ```ts
 * import { adapterFromStubs } from "./assemble.ts";
 * // import { definitions } from "./gen/definitions.ts";
 * // import { stubs } from "./gen/stubs/index.ts";
 * // const adapter = adapterFromStubs({ definitions, stubs, identity, store });
 * ```
 */
export function adapterFromStubs(
  options: AdapterFromStubsOptions,
): DeviceAdapter {
  const accessors = new Map<string, Pick<TableParameter, "get" | "set">>();
  const objects = new Map<string, StubModule["object"]>();
  for (const stub of options.stubs) {
    for (const [path, accessor] of Object.entries(stub.parameters)) {
      accessors.set(path, accessor);
    }
    if (stub.object) objects.set(stub.path, stub.object);
  }
  const parameters: Record<string, TableParameter> = {};
  for (const d of options.definitions.parameters) {
    const accessor = accessors.get(d.path);
    if (!accessor) {
      throw new Error(`No stub for ${d.path}: regenerate the stubs`);
    }
    parameters[d.path] = { ...d, ...accessor };
  }
  const tables: Record<string, TableObject> = {};
  for (const o of options.definitions.objects) {
    if (!o.path.endsWith("{i}.")) continue;
    const accessor = objects.get(o.path);
    if (!accessor) {
      throw new Error(`No stub for ${o.path}: regenerate the stubs`);
    }
    tables[o.path] = {
      ...accessor,
      writable: o.writable ?? false,
      ...(o.maxEntries !== undefined ? { maxEntries: o.maxEntries } : {}),
    };
  }
  return createTableAdapter({
    identity: options.identity,
    parameters,
    objects: tables,
    store: options.store,
    ...(options.commit ? { commit: options.commit } : {}),
    ...(options.reboot ? { reboot: options.reboot } : {}),
    ...(options.factoryReset ? { factoryReset: options.factoryReset } : {}),
  });
}
