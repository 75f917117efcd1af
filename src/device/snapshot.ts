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
 * - CSV, the format GenieACS's simulator uses: a header
 *   `Parameter,Object,Writable,Value,Value type` and one row per path.
 *
 * @module
 */
import { z } from "zod";
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

const entrySchema = z.object({
  object: z.boolean().optional(),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  type: z.string().optional(),
  writable: z.boolean().optional(),
  hidden: z.boolean().optional(),
  forcedInform: z.boolean().optional(),
  activeNotify: z.enum([
    "normal",
    "forceEnabled",
    "forceDefaultEnabled",
    "canDeny",
  ]).optional(),
  maxLength: z.number().int().nonnegative().optional(),
  enumeration: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  maxEntries: z.number().int().positive().optional(),
}).strict();

/** A snapshot turned into what a device needs: definitions, values, instances. */
export interface LoadedSnapshot {
  /** The parameter table. */
  readonly definitions: DataModelDefinitions;
  /** Every concrete parameter's value. */
  readonly values: ReadonlyMap<string, string>;
  /** Concrete table path → its instance numbers. */
  readonly instances: ReadonlyMap<string, readonly number[]>;
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
export function parseSnapshot(text: string, name = ""): Snapshot {
  const trimmed = text.trimStart();
  if (
    name.endsWith(".csv") ||
    (!name.endsWith(".json") && !trimmed.startsWith("{"))
  ) {
    return parseCsvSnapshot(text);
  }
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
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new SyntaxError(
        `Snapshot entry ${path}: ${
          issue.path.join(".") || "entry"
        }: ${issue.message}`,
      );
    }
    out[path] = result.data;
  }
  return out;
}

/** Parses the CSV format `Parameter,Object,Writable,Value,Value type`. */
export function parseCsvSnapshot(text: string): Snapshot {
  const rows = parseCsv(text);
  const header = rows.shift()?.map((h) => h.trim().toLowerCase());
  const expected = ["parameter", "object", "writable", "value", "value type"];
  if (!header || expected.some((h, i) => header[i] !== h)) {
    throw new SyntaxError(
      `CSV snapshot must start with the header "Parameter,Object,Writable,Value,Value type"`,
    );
  }
  const out: Record<string, SnapshotEntry> = {};
  rows.forEach((row, i) => {
    if (row.length === 1 && row[0] === "") return;
    const [path, object, writable, value = "", type = ""] = row;
    const line = i + 2;
    const bool = (s: string | undefined, what: string) => {
      const v = (s ?? "").trim().toLowerCase();
      if (v === "true" || v === "1") return true;
      if (v === "false" || v === "0" || v === "") return false;
      throw new SyntaxError(
        `CSV snapshot line ${line}: ${what} must be true or false, got ${
          JSON.stringify(s)
        }`,
      );
    };
    const isObject = bool(object, "Object");
    out[path] = isObject
      ? { object: true, writable: bool(writable, "Writable") }
      : {
        value,
        type: type.trim() || "xsd:string",
        writable: bool(writable, "Writable"),
      };
  });
  return out;
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (quoted) throw new SyntaxError("CSV snapshot ends inside a quoted field");
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Turns a snapshot into definitions (one per `{i}` pattern), values and
 * instance lists, checking every path and value.
 *
 * @throws {SyntaxError} naming the first bad path or value.
 */
export function loadSnapshot(snapshot: Snapshot): LoadedSnapshot {
  const parameters = new Map<string, ParameterDefinition>();
  const objects = new Map<string, ObjectDefinition>();
  const values = new Map<string, string>();
  const instances = new Map<string, Set<number>>();

  const noteInstances = (path: string) => {
    const segments = path.split(".");
    let prefix = "";
    for (const segment of segments) {
      if (/^\d+$/.test(segment)) {
        let set = instances.get(prefix);
        if (!set) instances.set(prefix, set = new Set());
        set.add(Number(segment));
        const tablePattern = toPattern(prefix) + INSTANCE_PLACEHOLDER + ".";
        if (!objects.has(tablePattern)) {
          objects.set(tablePattern, { path: tablePattern });
        }
      }
      if (segment !== "") prefix += segment + ".";
    }
  };

  for (const [path, entry] of Object.entries(snapshot)) {
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
    noteInstances(path);
  }
  for (const [path, entry] of Object.entries(snapshot)) {
    if (path.endsWith(".")) {
      if (/\.\d+\.$/.test(path)) continue;
      const pattern = toPattern(path) + INSTANCE_PLACEHOLDER + ".";
      // A writable object, one with maxEntries, or one with numbered
      // children is a table; an empty table is told by its writability.
      if (
        instances.has(path) || entry.maxEntries !== undefined || entry.writable
      ) {
        if (!instances.has(path)) instances.set(path, new Set());
        objects.set(pattern, {
          path: pattern,
          writable: entry.writable ?? false,
          ...(entry.maxEntries !== undefined
            ? { maxEntries: entry.maxEntries }
            : {}),
        });
      } else if (path.split(".").length > 2) {
        // Keep objects that have no parameters, so GetParameterNames lists them.
        const objectPattern = toPattern(path);
        if (!objects.has(objectPattern)) {
          objects.set(objectPattern, { path: objectPattern });
        }
      }
      continue;
    }
    const pattern = toPattern(path);
    let definition = parameters.get(pattern);
    if (!definition) {
      definition = definitionFor(pattern, entry);
      parameters.set(pattern, definition);
    }
    const raw = entry.value === undefined ? "" : String(entry.value);
    const checked = checkValue(definition.type, raw);
    if (checked.problem) {
      throw new SyntaxError(
        `Snapshot value of ${path}: ${checked.problem.reason}`,
      );
    }
    values.set(path, checked.value);
  }
  return {
    definitions: {
      parameters: [...parameters.values()],
      objects: [...objects.values()],
    },
    values,
    instances: new Map(
      [...instances].map(([table, set]) => [
        table,
        [...set].sort((a, b) => a - b),
      ]),
    ),
  };
}

function definitionFor(
  pattern: string,
  entry: SnapshotEntry,
): ParameterDefinition {
  const typeName = entry.type === undefined
    ? "string"
    : normalizeXsiType(entry.type);
  if (!isValueTypeName(typeName)) {
    throw new SyntaxError(
      `Snapshot path ${pattern}: unknown type ${entry.type}`,
    );
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
