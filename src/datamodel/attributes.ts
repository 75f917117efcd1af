/**
 * Parameter attributes — notification and access list — with their
 * defaults from the data model, persisted in the state store.
 *
 * @module
 */
import { Serial } from "../state/serial.ts";
import type { StateStore } from "../state/store.ts";
import type { ParameterDefinition } from "./definitions.ts";

/** Store key of the attributes document. */
export const ATTRIBUTES_KEY = "attributes";

/** The attributes of one parameter. */
export interface ParameterAttributes {
  /** 0 off, 1 passive, 2 active (3–6 lightweight, not supported). */
  readonly notification: number;
  /** Who besides the ACS may write it: [] or ["Subscriber"]. */
  readonly accessList: readonly string[];
}

/**
 * The notification a parameter has until the ACS changes it: active for
 * `forceEnabled` and `forceDefaultEnabled`, off otherwise.
 *
 * @example
 * ```ts
 * import { defaultNotification } from "./attributes.ts";
 * console.log(defaultNotification({ path: "X.Y", type: { base: "string" }, writable: false, activeNotify: "forceDefaultEnabled" })); // 2
 * ```
 */
export function defaultNotification(definition: ParameterDefinition): number {
  return definition.activeNotify === "forceEnabled" ||
      definition.activeNotify === "forceDefaultEnabled"
    ? 2
    : 0;
}

/**
 * Attributes that differ from the defaults, by concrete path.
 *
 * @example
 * ```ts
 * import { AttributeStore } from "./attributes.ts";
 * import { MemoryStateStore } from "../state/store.ts";
 * const attributes = await AttributeStore.load(new MemoryStateStore());
 * await attributes.set(new Map([["Device.X", { notification: 1, accessList: [] }]]));
 * console.log(attributes.stored("Device.X")?.notification); // 1
 * ```
 */
export class AttributeStore {
  readonly #store: StateStore;
  readonly #writes = new Serial();
  #values: Record<string, ParameterAttributes>;

  private constructor(
    store: StateStore,
    values: Record<string, ParameterAttributes>,
  ) {
    this.#store = store;
    this.#values = values;
  }

  /**
   * Loads the attributes saved in `store`. An entry that SetParameterAttributes
   * could not have stored (a notification outside 0–6, an access list that
   * is not a list of names) is dropped and reported — the parameter is back
   * to its default — and the file as found is kept aside.
   */
  static async load(
    store: StateStore,
    options: {
      readonly onProblem?: (
        problem: { key: string; field: string; problem: string },
      ) => void;
    } = {},
  ): Promise<AttributeStore> {
    const report = (field: string, problem: string) =>
      options.onProblem?.({ key: ATTRIBUTES_KEY, field, problem });
    let saved: unknown;
    try {
      saved = await store.read(ATTRIBUTES_KEY);
    } catch (error) {
      report("", `${(error as Error).message}; attributes back to defaults`);
      await store.quarantine?.(ATTRIBUTES_KEY);
      return new AttributeStore(store, {});
    }
    if (saved === undefined) return new AttributeStore(store, {});
    const values: Record<string, ParameterAttributes> = {};
    let repaired = false;
    if (typeof saved !== "object" || saved === null || Array.isArray(saved)) {
      report("", "not a JSON object; attributes back to defaults");
      repaired = true;
    } else {
      for (const [path, entry] of Object.entries(saved)) {
        const a = entry as Partial<ParameterAttributes> | null;
        const valid = path.length <= 256 && typeof a === "object" &&
          a !== null && Number.isInteger(a.notification) &&
          (a.notification as number) >= 0 && (a.notification as number) <= 6 &&
          Array.isArray(a.accessList) && a.accessList.length <= 64 &&
          a.accessList.every((e) => typeof e === "string" && e.length <= 64);
        if (valid) {
          values[path] = {
            notification: a.notification!,
            accessList: a.accessList!,
          };
        } else {
          report(
            path,
            "not a notification and access list; back to the default",
          );
          repaired = true;
        }
      }
    }
    if (repaired) {
      await store.quarantine?.(ATTRIBUTES_KEY);
      await store.write(ATTRIBUTES_KEY, values);
    }
    return new AttributeStore(store, values);
  }

  /** The stored attributes of a path, if the ACS ever set them. */
  stored(path: string): ParameterAttributes | undefined {
    return this.#values[path];
  }

  /** The attributes of a parameter: stored ones, or the defaults. */
  get(path: string, definition: ParameterDefinition): ParameterAttributes {
    const stored = this.#values[path];
    const notification = definition.activeNotify === "forceEnabled"
      ? 2
      : stored?.notification ?? defaultNotification(definition);
    return { notification, accessList: stored?.accessList ?? [] };
  }

  /** Every path with stored attributes. */
  paths(): string[] {
    return Object.keys(this.#values);
  }

  /** Stores new attributes for several paths in one atomic write. */
  set(updates: ReadonlyMap<string, ParameterAttributes>): Promise<void> {
    return this.#update((current) => {
      const next = { ...current };
      for (const [path, attributes] of updates) next[path] = attributes;
      return next;
    });
  }

  /** Forgets the attributes of everything under a deleted instance. */
  removeUnder(prefix: string): Promise<void> {
    return this.#update((current) => {
      const next = Object.fromEntries(
        Object.entries(current).filter(([p]) => !p.startsWith(prefix)),
      );
      return Object.keys(next).length === Object.keys(current).length
        ? current
        : next;
    });
  }

  /** Forgets every attribute (factory reset). */
  reset(): Promise<void> {
    return this.#update(() => ({}));
  }

  /** Writes `change(values)`; serialized, so overlapping changes never drop one another. */
  #update(
    change: (
      current: Record<string, ParameterAttributes>,
    ) => Record<string, ParameterAttributes>,
  ): Promise<void> {
    return this.#writes.run(async () => {
      const next = change(this.#values);
      if (next === this.#values) return;
      await this.#store.write(ATTRIBUTES_KEY, next);
      this.#values = next;
    });
  }
}
