/**
 * The CSV snapshot format GenieACS's simulator (genieacs-sim) reads and
 * writes, `Parameter,Object,Writable,Value,Value type`, read the way real
 * dumps are: columns found by name (GenieACS's own export adds some), the
 * Inform's DeviceId in `DeviceID.*` rows, GenieACS's bookkeeping roots left
 * out, values with unquoted commas put back together, and rows no device
 * could have sent skipped with a warning naming the line.
 *
 * @module
 */
import { pathProblem } from "../datamodel/path.ts";
import type { DeviceIdentity } from "../datamodel/adapter.ts";
import type { Snapshot, SnapshotEntry, SnapshotOptions } from "./snapshot.ts";

/** Prefix of genieacs-sim's pseudo-rows that carry the Inform's DeviceId. */
export const DEVICE_ID_PREFIX = "DeviceID.";

// Roots GenieACS keeps beside the data model in a device record (and so in
// its exports); genieacs-sim leaves them out of the tree it serves too.
export const GENIEACS_META_ROOTS = new Set([
  "DeviceID",
  "Downloads",
  "Tags",
  "Events",
  "Reboot",
  "FactoryReset",
  "VirtualParameters",
]);

export function isDeviceIdField(name: string): boolean {
  return name.startsWith(DEVICE_ID_PREFIX) &&
    Object.hasOwn(DEVICE_ID_FIELDS, name.slice(DEVICE_ID_PREFIX.length));
}

export const DEVICE_ID_FIELDS: Readonly<Record<string, keyof DeviceIdentity>> =
  {
    Manufacturer: "manufacturer",
    OUI: "oui",
    ProductClass: "productClass",
    SerialNumber: "serialNumber",
  };

/**
 * Parses the CSV format `Parameter,Object,Writable,Value,Value type`, as
 * genieacs-sim writes and reads it. Rows that cannot be a path of any device
 * (a space in the name, Object or Writable not a boolean) are skipped with a
 * warning naming the line; a value with unquoted commas is put back together
 * (everything between Writable and the last field, which is the type).
 *
 * @throws {SyntaxError} when the header is not genieacs-sim's or a quote is
 * left open.
 */
export function parseCsvSnapshot(
  text: string,
  options: SnapshotOptions = {},
): Snapshot {
  const warn = options.onWarning ?? (() => {});
  const rows = parseCsv(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const header = rows.shift()?.map((h) => h.trim().toLowerCase()) ?? [];
  // genieacs-sim's five columns, found by name: GenieACS's own device export
  // (which forks of the simulator load) adds timestamp, notification and
  // access-list columns in between.
  const column = Object.fromEntries(
    ["parameter", "object", "writable", "value", "value type"].map((
      h,
    ) => [h, header.indexOf(h)]),
  );
  if (Object.values(column).some((i) => i < 0)) {
    throw new SyntaxError(
      `CSV snapshot must start with the header "Parameter,Object,Writable,Value,Value type"`,
    );
  }
  const simple = header.length === 5 && column["value"] === 3 &&
    column["value type"] === 4;
  const out: Record<string, SnapshotEntry> = {};
  // This loop runs once per row of dumps of tens of thousands of rows, in a
  // fresh process (code not yet optimized): no closure or array per row.
  const at = {
    parameter: column["parameter"],
    object: column["object"],
    writable: column["writable"],
    value: column["value"],
    type: column["value type"],
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (blankRow(row)) continue;
    const line = i + 2;
    const name = (row[at.parameter] ?? "").trim();
    const dot = name.indexOf(".");
    if (
      GENIEACS_META_ROOTS.has(dot < 0 ? name : name.slice(0, dot)) &&
      !isDeviceIdField(name)
    ) {
      continue;
    }
    const isObject = csvBoolean(row[at.object]);
    const writable = csvBoolean(row[at.writable]);
    if (isObject === undefined || writable === undefined) {
      warn(
        `CSV snapshot line ${line}: Object and Writable must be true or false, got ${
          JSON.stringify(row.slice(1, 3))
        }; row skipped`,
      );
      continue;
    }
    const path = isObject && !name.endsWith(".") ? name + "." : name;
    const problem = path === "" ? "the name is empty" : pathProblem(path);
    if (problem) {
      warn(
        `CSV snapshot line ${line}: ${
          JSON.stringify(name)
        } is not a path (${problem}); row skipped`,
      );
      continue;
    }
    if (path in out) {
      warn(
        `CSV snapshot line ${line}: ${path} is listed again; the later row wins`,
      );
    }
    if (isObject) {
      out[path] = { object: true, writable };
      continue;
    }
    let value = row[at.value] ?? "";
    let type = row[at.type] ?? "";
    if (row.length > header.length) {
      if (!simple) {
        warn(
          `CSV snapshot line ${line}: more fields than the header has; row skipped`,
        );
        continue;
      }
      value = row.slice(3, -1).join(",");
      type = row[row.length - 1];
      warn(
        `CSV snapshot line ${line}: the value of ${path} holds unquoted commas; read as ${
          JSON.stringify(value)
        }`,
      );
    }
    out[path] = {
      value,
      type: type.trim() || "xsd:string",
      writable,
    };
  }
  return out;
}

/** A row of empty fields (a trailing line, a spreadsheet's blank row). */
function blankRow(row: readonly string[]): boolean {
  for (const field of row) if (field.trim() !== "") return false;
  return true;
}

/** Object and Writable: true/1, false/0/empty; anything else undefined. */
function csvBoolean(text: string | undefined): boolean | undefined {
  const v = (text ?? "").trim().toLowerCase();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0" || v === "") return false;
  return undefined;
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf("\n", at);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13
      ? text.slice(at, end - 1)
      : text.slice(at, end);
    // Most rows of a dump have no quote: split them; the rest, field by field.
    if (!line.includes('"')) {
      rows.push(line.split(","));
      at = end + 1;
      continue;
    }
    const parsed = parseQuotedRow(text, at);
    rows.push(parsed.row);
    at = parsed.next;
  }
  return rows;
}

/** One row from `start` that holds quotes (a quoted field may span lines). */
function parseQuotedRow(
  text: string,
  start: number,
): { row: string[]; next: number } {
  const row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = start; i < text.length; i++) {
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
      row.push(field);
      return {
        row,
        next: c === "\r" && text[i + 1] === "\n" ? i + 2 : i + 1,
      };
    } else field += c;
  }
  if (quoted) throw new SyntaxError("CSV snapshot ends inside a quoted field");
  row.push(field);
  return { row, next: text.length };
}
