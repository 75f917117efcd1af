/**
 * Writes a synthetic simulated-device snapshot of about N parameters, for
 * benchmarks: the DeviceInfo identity plus a table of objects with ten
 * parameters of assorted types each.
 *
 * Usage: deno run --allow-write scripts/synthetic_snapshot.ts N OUT.json|OUT.csv
 *
 * A `.csv` name writes genieacs-sim's form (`Parameter,Object,Writable,Value,Value type`).
 */
import type { Snapshot, SnapshotEntry } from "../src/device/snapshot.ts";

/**
 * A snapshot of about `count` parameters.
 *
 * @example
 * ```ts
 * import { syntheticSnapshot } from "./synthetic_snapshot.ts";
 * console.log(Object.keys(syntheticSnapshot(100)).length > 100); // true
 * ```
 */
export function syntheticSnapshot(count: number): Snapshot {
  const snapshot: Record<string, SnapshotEntry> = {
    "Device.DeviceInfo.Manufacturer": { value: "Synthetic" },
    "Device.DeviceInfo.ManufacturerOUI": { value: "00D09E" },
    "Device.DeviceInfo.ProductClass": { value: "Bench" },
    "Device.DeviceInfo.SerialNumber": { value: `SYN${count}` },
    "Device.DeviceInfo.SoftwareVersion": { value: "1.0" },
    "Device.DeviceInfo.HardwareVersion": { value: "1.0" },
    "Device.Bench.Item.": { object: true, writable: true },
  };
  const objects = Math.max(1, Math.ceil((count - 6) / 10));
  for (let i = 1; i <= objects; i++) {
    const base = `Device.Bench.Item.${i}.`;
    snapshot[base] = { object: true, writable: true };
    snapshot[base + "Enable"] = {
      value: i % 2 === 0,
      type: "boolean",
      writable: true,
    };
    snapshot[base + "Name"] = {
      value: `item-${i}`,
      writable: true,
      maxLength: 64,
    };
    snapshot[base + "Alias"] = {
      value: `cpe-${i}`,
      writable: true,
      maxLength: 64,
    };
    snapshot[base + "Counter"] = { value: i * 1000, type: "unsignedLong" };
    snapshot[base + "Level"] = {
      value: i % 100,
      type: "unsignedInt",
      writable: true,
      min: 0,
      max: 100,
    };
    snapshot[base + "Offset"] = { value: -i, type: "int", writable: true };
    snapshot[base + "Mode"] = {
      value: "Auto",
      writable: true,
      enumeration: ["Auto", "Manual", "Off"],
    };
    snapshot[base + "LastChange"] = {
      value: "2026-11-26T10:00:00Z",
      type: "dateTime",
    };
    snapshot[base + "Status"] = { value: "Up", enumeration: ["Up", "Down"] };
    snapshot[base + "Description"] = {
      value: `Synthetic item ${i} <&> é`,
      writable: true,
      maxLength: 256,
    };
  }
  return snapshot;
}

/**
 * The snapshot in genieacs-sim's CSV form, as a dump of a real device
 * would be: objects with their trailing dot, xsd types.
 *
 * @example
 * ```ts
 * import { syntheticSnapshot, toSimCsv } from "./synthetic_snapshot.ts";
 * console.log(toSimCsv(syntheticSnapshot(10)).split("\n")[0]); // "Parameter,Object,Writable,Value,Value type"
 * ```
 */
export function toSimCsv(snapshot: Snapshot): string {
  const quote = (s: string) =>
    /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  const rows = ["Parameter,Object,Writable,Value,Value type"];
  for (const [path, entry] of Object.entries(snapshot)) {
    if (entry.object || path.endsWith(".")) {
      rows.push(`${path},true,${entry.writable === true},,`);
      continue;
    }
    const type = entry.type ?? "string";
    rows.push(
      [
        path,
        "false",
        String(entry.writable === true),
        quote(String(entry.value ?? "")),
        type.startsWith("xsd:") ? type : `xsd:${type}`,
      ].join(","),
    );
  }
  return rows.join("\n") + "\n";
}

if (import.meta.main) {
  const [count, out] = Deno.args;
  if (!count || !out || !/^\d+$/.test(count)) {
    console.error(
      "Usage: deno run --allow-write scripts/synthetic_snapshot.ts N OUT.json",
    );
    Deno.exit(1);
  }
  const snapshot = syntheticSnapshot(Number(count));
  await Deno.writeTextFile(
    out,
    out.endsWith(".csv") ? toSimCsv(snapshot) : JSON.stringify(snapshot),
  );
  console.log(`wrote ${out}`);
}
