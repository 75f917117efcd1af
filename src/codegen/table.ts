/**
 * The parameter-table input: the columns of a TR document's data-model
 * table, as a vendor cuts and pastes them — Name, Type, Write, Description,
 * Object Default, Version — separated by tabs (or `|`).
 *
 * ```
 * Name	Type	Write	Description	Object Default	Version
 * Device.DeviceInfo.	object	-	Device information.	-	2.0
 * Manufacturer	string(64)	R	The manufacturer.	-	2.0
 * Device.DeviceInfo.VendorConfigFile.{i}.	object	-	Configuration files.	-	2.0
 * Alias	string(64)	W	A handle.	-	2.0
 * Name	string(64)	R	Name of the file.	-	2.0
 * ```
 *
 * - Object rows have a full path ending in "." and Type `object`; a table's
 *   Write is `W` when the ACS may add and delete instances. Parameter rows
 *   name a parameter of the object above them (or give its full path).
 * - Type: a base type, then `(max)` or `(min:max)` for lengths, `[min:max]`
 *   ranges (either end open, several separated by commas), and `[]` right
 *   after the base for a comma-separated list: `string(64)`,
 *   `unsignedInt[1:]`, `int[-1:100]`, `string[](1024)`.
 * - Write: `R` or `W` (`-` counts as `R`).
 * - Description: "Enumeration of: A, B, C." gives the allowed values.
 * - Object Default: the value of a new instance; `-` for none, `<Empty>` for "".
 *
 * @module
 */
import type { BaseType, ParameterType, Range } from "../datamodel/types.ts";
import { isValueTypeName } from "../cwmp/value_types.ts";
import type {
  DataModelDocument,
  ModelObject,
  ModelParameter,
} from "./bbf_xml.ts";

const TYPE = /^([A-Za-z]+)(\[\])?(?:\((\d*)(?::(\d*))?\))?(?:\[([^\]]*)\])?$/;

/**
 * Parses a Type cell.
 *
 * @throws {SyntaxError} for a type it cannot read.
 *
 * @example
 * ```ts
 * import { parseTableType } from "./table.ts";
 * console.log(parseTableType("unsignedInt[1:]")); // { base: "unsignedInt", ranges: [{ min: 1 }] }
 * console.log(parseTableType("string[](256)")); // { base: "string", list: true, maxLength: 256 }
 * ```
 */
export function parseTableType(cell: string): ParameterType {
  const match = TYPE.exec(cell.replace(/\s+/g, ""));
  if (!match || !isValueTypeName(match[1])) {
    throw new SyntaxError(`unknown type ${JSON.stringify(cell)}`);
  }
  const [, base, list, first, second, ranges] = match;
  const type: { -readonly [K in keyof ParameterType]: ParameterType[K] } = {
    base: base as BaseType,
  };
  if (list) type.list = true;
  if (second !== undefined) {
    if (first) type.minLength = Number(first);
    if (second) type.maxLength = Number(second);
  } else if (first) {
    type.maxLength = Number(first);
  }
  if (ranges !== undefined) {
    type.ranges = ranges.split(",").map((r): Range => {
      const [min, max] = r.split(":");
      return {
        ...(min ? { min: Number(min) } : {}),
        ...(max ? { max: Number(max) } : {}),
      };
    });
  }
  return type;
}

function enumeration(description: string): string[] | undefined {
  const match = /Enumeration of:\s*(.+?)\.?\s*$/.exec(description);
  if (!match) return undefined;
  return match[1].split(",").map((v) => v.trim().replace(/\s*\(.*\)$/, ""))
    .filter(Boolean);
}

/**
 * Reads a parameter table into the same model the XML reader produces.
 *
 * @example
 * ```ts
 * import { parseParameterTable } from "./table.ts";
 * const model = parseParameterTable("Name\tType\tWrite\tDescription\tObject Default\tVersion\nDevice.X.\tobject\t-\t\t-\t2.0\nY\tboolean\tW\t\tfalse\t2.0\n", "t.tsv");
 * console.log(model.parameters[0].path); // "Device.X.Y"
 * ```
 */
export function parseParameterTable(
  text: string,
  file: string,
): DataModelDocument {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const split = (line: string) =>
    (line.includes("\t") ? line.split("\t") : line.split("|")).map((c) =>
      c.trim()
    );
  const header = split(lines.shift() ?? "").map((h) => h.toLowerCase());
  const expected = [
    "name",
    "type",
    "write",
    "description",
    "object default",
    "version",
  ];
  if (expected.some((h, i) => header[i] !== h)) {
    throw new SyntaxError(`${file}: the header must be ${expected.join(", ")}`);
  }
  const objects: ModelObject[] = [];
  const parameters: ModelParameter[] = [];
  let current: string | undefined;
  lines.forEach((line, index) => {
    const where = `${file} line ${index + 2}`;
    const [
      name,
      type,
      write,
      description = "",
      objectDefault = "-",
      version = "",
    ] = split(line);
    const writable = write === "W";
    if (type === "object") {
      if (!name.endsWith(".")) {
        throw new SyntaxError(`${where}: an object's name ends in "."`);
      }
      current = name;
      objects.push({
        path: name,
        writable,
        multiInstance: name.endsWith("{i}."),
        uniqueKeys: [],
        status: "current",
        ...(version ? { version } : {}),
      });
      return;
    }
    const path = name.includes(".")
      ? name
      : current
      ? current + name
      : undefined;
    if (!path) {
      throw new SyntaxError(
        `${where}: parameter ${name} comes before any object`,
      );
    }
    let parsed: ParameterType;
    try {
      parsed = parseTableType(type);
    } catch (error) {
      throw new SyntaxError(`${where}: ${(error as Error).message}`);
    }
    const values = enumeration(description);
    const defaultValue = objectDefault === "-"
      ? undefined
      : objectDefault === "<Empty>"
      ? ""
      : objectDefault.replace(/^"(.*)"$/, "$1");
    parameters.push({
      path,
      type: values ? { ...parsed, enumeration: values } : parsed,
      writable,
      hidden: false,
      forcedInform: false,
      activeNotify: "normal",
      ...(defaultValue !== undefined ? { default: defaultValue } : {}),
      status: "current",
      ...(version ? { version } : {}),
    });
  });
  // NumberOfEntries parameters follow the naming convention of the data models.
  const names = new Set(parameters.map((p) => p.path));
  const linked = objects.map((o) => {
    if (!o.multiInstance) return o;
    const table = o.path.slice(0, -"{i}.".length);
    const parent = table.slice(0, table.slice(0, -1).lastIndexOf(".") + 1);
    const counter = `${parent}${table.slice(parent.length, -1)}NumberOfEntries`;
    return names.has(counter) ? { ...o, numberOfEntries: counter } : o;
  });
  const root = objects[0]?.path.split(".")[0] ?? "";
  return {
    name: `${root}:table`,
    isService: false,
    file,
    objects: linked,
    parameters,
    profiles: new Map(),
  };
}

/** Reads a parameter-table file. */
export async function readParameterTable(
  file: string,
): Promise<DataModelDocument> {
  return parseParameterTable(await Deno.readTextFile(file), file);
}
