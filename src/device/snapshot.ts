/**
 * Device snapshots: a device's parameters, values, types and writability in
 * a file. Two formats:
 *
 * - JSON (ours): an object from path to entry. Objects end in "." (or carry
 *   `"object": true`). A parameter entry has `value`, and optionally `type`
 *   (`string`, `unsignedInt`, … or `xsd:…`; default `string`), `writable`
 *   (default false), `hidden`, `forcedInform`, `activeNotify`, `maxLength`,
 *   `enumeration`, `min`, `max`. A table entry (`X.T.`) may have `writable`
 *   and `maxEntries`.
 * - CSV, the format GenieACS's simulator (genieacs-sim) uses: a header
 *   `Parameter,Object,Writable,Value,Value type` and one row per path.
 *   Those files are dumps of real devices and are read as they are: objects
 *   with or without the trailing ".", the Inform's DeviceId in
 *   `DeviceID.Manufacturer/OUI/ProductClass/SerialNumber` rows, values with
 *   commas and quotes (CSV-quoted or not), stray spaces after the type, and
 *   rows no device could have sent are loaded with a warning, not refused.
 *
 * @module
 */
import { v } from "../state/check.ts";
import type {
  ActiveNotify,
  DataModelDefinitions,
  ObjectDefinition,
  ParameterDefinition,
} from "../datamodel/definitions.ts";
import {
  INSTANCE_PLACEHOLDER,
  pathProblem,
  toPattern,
} from "../datamodel/path.ts";
import {
  type BaseType,
  checkValue,
  type ParameterType,
} from "../datamodel/types.ts";
import { isValueTypeName, normalizeXsiType } from "../cwmp/value_types.ts";
import type { DeviceIdentity } from "../datamodel/adapter.ts";
import {
  DEVICE_ID_FIELDS,
  DEVICE_ID_PREFIX,
  parseCsvSnapshot,
} from "./snapshot_csv.ts";

export { DEVICE_ID_PREFIX, parseCsvSnapshot } from "./snapshot_csv.ts";

/** How a snapshot is read. */
export interface SnapshotOptions {
  /**
   * Read a device dump as it is: a value that does not fit its declared type
   * makes the parameter a string, and a writable object that holds
   * parameters rather than instances is a plain object, each with a warning
   * instead of an error. On for CSV files, off for JSON (ours, and exact).
   */
  readonly lenient?: boolean;
  /** Receives each warning (the path or line, and what was done). */
  readonly onWarning?: (message: string) => void;
}

/** One path of a snapshot. */
export interface SnapshotEntry {
  /** True for objects (paths ending in "."). */
  readonly object?: boolean;
  /** The parameter's value. */
  readonly value?: string | number | boolean;
  /** The value type (`unsignedInt` or `xsd:unsignedInt`); default `string`. */
  readonly type?: string;
  /** Parameter: settable; table: AddObject/DeleteObject allowed. */
  readonly writable?: boolean;
  /** Write-only secret: reads return "". */
  readonly hidden?: boolean;
  /** Sent in every Inform. */
  readonly forcedInform?: boolean;
  /** Active-notification flag. */
  readonly activeNotify?: ActiveNotify;
  /** Longest value allowed (strings). */
  readonly maxLength?: number;
  /** Allowed values. */
  readonly enumeration?: readonly string[];
  /** Smallest number allowed. */
  readonly min?: number;
  /** Largest number allowed. */
  readonly max?: number;
  /** Tables: the most instances allowed. */
  readonly maxEntries?: number;
}

/** A snapshot: path → entry. */
export type Snapshot = Readonly<Record<string, SnapshotEntry>>;

const entrySchema = v.object({
  object: v.boolean().optional(),
  value: v.union(v.string(), v.number(), v.boolean()).optional(),
  type: v.string().optional(),
  writable: v.boolean().optional(),
  hidden: v.boolean().optional(),
  forcedInform: v.boolean().optional(),
  activeNotify: v.enum([
    "normal",
    "forceEnabled",
    "forceDefaultEnabled",
    "canDeny",
  ]).optional(),
  maxLength: v.number().int().min(0).optional(),
  enumeration: v.array(v.string()).optional(),
  min: v.number().optional(),
  max: v.number().optional(),
  maxEntries: v.number().int().min(1).optional(),
}, { strict: true });

/** A snapshot turned into what a device needs: definitions, values, instances. */
export interface LoadedSnapshot {
  /** The parameter table. */
  readonly definitions: DataModelDefinitions;
  /** Every concrete parameter's value. */
  readonly values: ReadonlyMap<string, string>;
  /** Concrete table path → its instance numbers. */
  readonly instances: ReadonlyMap<string, readonly number[]>;
  /** The Inform's DeviceId from `DeviceID.*` rows, where the snapshot has them. */
  readonly identity: Partial<DeviceIdentity>;
}

/**
 * Whether a snapshot file is CSV (by its name, else by its content).
 *
 * @example
 * ```ts
 * import { isCsvSnapshot } from "./snapshot.ts";
 * console.log(isCsvSnapshot("{}", "x.json"), isCsvSnapshot("Parameter,Object", "dump")); // false true
 * ```
 */
export function isCsvSnapshot(text: string, name = ""): boolean {
  return name.endsWith(".csv") ||
    (!name.endsWith(".json") && !text.trimStart().startsWith("{"));
}

/**
 * Parses a snapshot file's text; the format is told by `name` (`.csv`) or by
 * content.
 *
 * @throws {SyntaxError} naming the line or path that is wrong.
 *
 * @example
 * ```ts
 * import { parseSnapshot } from "./snapshot.ts";
 * const s = parseSnapshot("Parameter,Object,Writable,Value,Value type\nDevice.DeviceInfo.SerialNumber,false,false,S1,xsd:string\n", "d.csv");
 * console.log(s["Device.DeviceInfo.SerialNumber"].value); // "S1"
 * ```
 */
export function parseSnapshot(
  text: string,
  name = "",
  options: SnapshotOptions = {},
): Snapshot {
  if (isCsvSnapshot(text, name)) return parseCsvSnapshot(text, options);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(
      `Snapshot ${name} is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new SyntaxError(
      `Snapshot ${name} must be an object from path to entry`,
    );
  }
  const out: Record<string, SnapshotEntry> = {};
  for (const [path, entry] of Object.entries(json)) {
    const result = entrySchema.safeParse(entry);
    if (!result.ok) {
      const { failure } = result;
      throw new SyntaxError(
        `Snapshot entry ${path}: ${
          failure.path.join(".") || "entry"
        }: ${failure.reason}`,
      );
    }
    out[path] = result.value as SnapshotEntry;
  }
  return out;
}

/**
 * Turns a snapshot into definitions (one per `{i}` pattern), values and
 * instance lists, checking every path and value. `DeviceID.*` entries become
 * the identity and are not part of the data model.
 *
 * @throws {SyntaxError} naming the first bad path or value (in lenient mode,
 * only what cannot be read at all).
 */
export function loadSnapshot(
  snapshot: Snapshot,
  options: SnapshotOptions = {},
): LoadedSnapshot {
  const lenient = options.lenient ?? false;
  const warn = options.onWarning ?? (() => {});
  const parameters = new Map<string, ParameterDefinition>();
  const objects = new Map<string, ObjectDefinition>();
  const values = new Map<string, string>();
  const instances = new Map<string, Set<number>>();
  const identity: { -readonly [K in keyof DeviceIdentity]?: string } = {};
  // Objects by concrete path, and which of them have non-instance children.
  const entries = new Map<string, SnapshotEntry>();
  const hasNamedChildren = new Set<string>();

  const walked = new Set<string>();
  // Walks the segments by index: this runs for every object of a dump.
  const noteInstances = (path: string) => {
    let start = 0;
    while (start < path.length) {
      let dot = path.indexOf(".", start);
      if (dot < 0) dot = path.length;
      if (dot > start && start > 0) {
        const prefix = path.slice(0, start);
        const first = path.charCodeAt(start);
        if (first >= 49 && first <= 57 && isDigits(path, start + 1, dot)) {
          let set = instances.get(prefix);
          if (!set) instances.set(prefix, set = new Set());
          set.add(Number(path.slice(start, dot)));
        } else hasNamedChildren.add(prefix);
      }
      start = dot + 1;
    }
  };

  for (const [path, entry] of Object.entries(snapshot)) {
    if (path.startsWith(DEVICE_ID_PREFIX)) {
      const field = DEVICE_ID_FIELDS[path.slice(DEVICE_ID_PREFIX.length)];
      if (field && !path.endsWith(".")) {
        identity[field] = entry.value === undefined ? "" : String(entry.value);
      } else {
        warn(`Snapshot path ${path}: not a DeviceId field; ignored`);
      }
      continue;
    }
    const problem = pathProblem(path);
    if (problem) {
      throw new SyntaxError(
        `Snapshot path ${JSON.stringify(path)}: ${problem}`,
      );
    }
    if ((entry.object ?? path.endsWith(".")) !== path.endsWith(".")) {
      throw new SyntaxError(
        `Snapshot path ${path}: objects end in "." and parameters do not`,
      );
    }
    if (path.endsWith(".")) {
      entries.set(path, entry);
      noteInstances(path);
    } else {
      // A parameter is a named child of its object; the object's own path
      // is walked once, however many parameters it has.
      const parent = path.slice(0, path.lastIndexOf(".") + 1);
      hasNamedChildren.add(parent);
      if (!walked.has(parent)) {
        walked.add(parent);
        noteInstances(parent);
      }
    }
  }

  // A table: an object with numbered children, a maxEntries, or one marked
  // writable (an empty table is told by its writability). A writable object
  // that holds parameters or objects but no instances is what real dumps
  // contain (genieacs-sim's own Layer2Bridging.X_HUAWEI_VLAN): a plain object.
  const isTable = (path: string, entry: SnapshotEntry | undefined) => {
    if (instances.has(path) || entry?.maxEntries !== undefined) return true;
    if (!entry?.writable) return false;
    if (!hasNamedChildren.has(path)) return true;
    const message =
      `Snapshot path ${path}: marked writable but holds parameters, not instances; loaded as a plain object`;
    if (!lenient) throw new SyntaxError(message);
    warn(message);
    return false;
  };
  const tables = new Set<string>();
  for (const path of new Set([...entries.keys(), ...instances.keys()])) {
    if (/\.\d+\.$/.test(path) && !instances.has(path)) continue;
    if (isTable(path, entries.get(path))) tables.add(path);
  }
  for (const table of tables) {
    if (hasNamedChildren.has(table) && instances.has(table)) {
      const message =
        `Snapshot path ${table}: holds both instances and named children`;
      if (!lenient) throw new SyntaxError(message);
      warn(`${message}; the named children are ignored`);
    }
  }

  for (const table of tables) {
    const entry = entries.get(table);
    const pattern = toPattern(table) + INSTANCE_PLACEHOLDER + ".";
    if (!instances.has(table)) instances.set(table, new Set());
    const rows = [...instances.get(table)!].map((n) =>
      entries.get(`${table}${n}.`)
    ).filter((e) => e !== undefined);
    const previous = objects.get(pattern);
    const writable = (previous?.writable ?? false) ||
      (entry?.writable ?? false);
    // GetParameterNames' Writable on an instance means DeleteObject (§A.3.2.3):
    // a dump marks it on the instance rows; ours may leave it to the table.
    const deletable = (previous?.deletable ?? false) ||
      rows.some((e) => e.writable === true) ||
      ((entry?.writable ?? false) &&
        rows.every((e) => e.writable === undefined));
    const maxEntries = entry?.maxEntries ?? previous?.maxEntries;
    objects.set(pattern, {
      path: pattern,
      writable,
      ...(deletable !== writable ? { deletable } : {}),
      ...(maxEntries !== undefined ? { maxEntries } : {}),
    });
  }
  for (const path of entries.keys()) {
    if (tables.has(path) || /\.\d+\.$/.test(path)) continue;
    if (path.split(".").length > 2) {
      // Keep objects that have no parameters, so GetParameterNames lists them.
      const objectPattern = toPattern(path);
      if (!objects.has(objectPattern)) {
        objects.set(objectPattern, { path: objectPattern });
      }
    }
  }

  // Parameters by pattern; in lenient mode a pattern whose values do not all
  // fit the declared type becomes a string (the value is what the device said).
  const byPattern = new Map<string, [string, SnapshotEntry][]>();
  // Tables with named children beside their instances: those children go.
  const mixed = [...tables].filter((t) =>
    hasNamedChildren.has(t) && instances.get(t)!.size > 0
  );
  for (const [path, entry] of Object.entries(snapshot)) {
    if (path.endsWith(".") || path.startsWith(DEVICE_ID_PREFIX)) continue;
    if (
      mixed.length > 0 &&
      mixed.some((t) =>
        path.startsWith(t) && !/^\d+\./.test(path.slice(t.length))
      )
    ) continue;
    const pattern = toPattern(path);
    let list = byPattern.get(pattern);
    if (!list) byPattern.set(pattern, list = []);
    list.push([path, entry]);
  }
  for (const [pattern, list] of byPattern) {
    let definition = definitionFor(pattern, list[0][1], lenient, warn);
    let bad: { path: string; reason: string } | undefined;
    for (const [path, entry] of list) {
      const raw = entry.value === undefined ? "" : String(entry.value);
      const result = checkValue(definition.type, raw);
      if (result.problem) {
        bad = { path, reason: result.problem.reason };
        break;
      }
      values.set(path, result.value!);
    }
    if (bad) {
      if (!lenient) {
        throw new SyntaxError(`Snapshot value of ${bad.path}: ${bad.reason}`);
      }
      warn(
        `Snapshot value of ${bad.path}: ${bad.reason}; ${pattern} is loaded as a string`,
      );
      definition = { ...definition, type: { base: "string" } };
      for (const [path, entry] of list) {
        values.set(path, entry.value === undefined ? "" : String(entry.value));
      }
    }
    parameters.set(pattern, definition);
  }
  return {
    definitions: {
      parameters: [...parameters.values()],
      objects: [...objects.values()],
    },
    values,
    instances: new Map(
      [...instances].filter(([table]) => tables.has(table)).map((
        [table, set],
      ) => [table, [...set].sort((a, b) => a - b)]),
    ),
    identity,
  };
}

/** Whether `text[from..to)` is all decimal digits. */
function isDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function definitionFor(
  pattern: string,
  entry: SnapshotEntry,
  lenient: boolean,
  warn: (message: string) => void,
): ParameterDefinition {
  let typeName = entry.type === undefined
    ? "string"
    : normalizeXsiType(entry.type.trim());
  if (!isValueTypeName(typeName)) {
    const message = `Snapshot path ${pattern}: unknown type ${entry.type}`;
    if (!lenient) throw new SyntaxError(message);
    warn(`${message}; loaded as a string`);
    typeName = "string";
  }
  const type: ParameterType = {
    base: typeName as BaseType,
    ...(entry.maxLength !== undefined ? { maxLength: entry.maxLength } : {}),
    ...(entry.enumeration ? { enumeration: entry.enumeration } : {}),
    ...(entry.min !== undefined || entry.max !== undefined
      ? { ranges: [{ min: entry.min, max: entry.max }] }
      : {}),
  };
  return {
    path: pattern,
    type,
    writable: entry.writable ?? false,
    ...(entry.hidden ? { hidden: true } : {}),
    ...(entry.forcedInform ? { forcedInform: true } : {}),
    ...(entry.activeNotify ? { activeNotify: entry.activeNotify } : {}),
  };
}
