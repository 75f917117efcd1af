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
  rows.forEach((row, i) => {
    if (row.every((field) => field.trim() === "")) return;
    const line = i + 2;
    const bool = (s: string | undefined): boolean | undefined => {
      const v = (s ?? "").trim().toLowerCase();
      if (v === "true" || v === "1") return true;
      if (v === "false" || v === "0" || v === "") return false;
      return undefined;
    };
    const name = (row[column["parameter"]] ?? "").trim();
    if (GENIEACS_META_ROOTS.has(name.split(".")[0]) && !isDeviceIdField(name)) {
      return;
    }
    const isObject = bool(row[column["object"]]);
    const writable = bool(row[column["writable"]]);
    if (isObject === undefined || writable === undefined) {
      warn(
        `CSV snapshot line ${line}: Object and Writable must be true or false, got ${
          JSON.stringify(row.slice(1, 3))
        }; row skipped`,
      );
      return;
    }
    const path = isObject && !name.endsWith(".") ? name + "." : name;
    const problem = path === "" ? "the name is empty" : pathProblem(path);
    if (problem) {
      warn(
        `CSV snapshot line ${line}: ${
          JSON.stringify(name)
        } is not a path (${problem}); row skipped`,
      );
      return;
    }
    if (path in out) {
      warn(
        `CSV snapshot line ${line}: ${path} is listed again; the later row wins`,
      );
    }
    if (isObject) {
      out[path] = { object: true, writable };
      return;
    }
    let value = row[column["value"]] ?? "";
    let type = row[column["value type"]] ?? "";
    if (row.length > header.length) {
      if (!simple) {
        warn(
          `CSV snapshot line ${line}: more fields than the header has; row skipped`,
        );
        return;
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
  });
  return out;
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
