/**
 * Random values for any message described by the schema vocabulary. Two
 * flavours: `nasty` stresses the codec (any characters, any lengths within
 * the limits), `valid` stays inside every XSD facet so encoded messages can
 * be schema-validated.
 */
import type { Fields, ValueType } from "../../src/cwmp/schema.ts";
import { XSI_TYPES } from "../../src/cwmp/value_types.ts";
import { nastyString, type Random } from "./random.ts";

/** How to generate values. */
export type Flavour = "nasty" | "valid";

/** Random arguments for `fields`. */
export function arbitraryFields(
  random: Random,
  fields: Fields,
  flavour: Flavour,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) {
    if (f.optional && random.chance(0.3)) continue;
    if (f.repeated) {
      const count = random.int(
        f.repeated.min,
        Math.min(f.repeated.max, f.repeated.min + 3),
      );
      out[key] = Array.from(
        { length: count },
        () => arbitraryValue(random, f.type, f.xml, flavour),
      );
    } else {
      out[key] = arbitraryValue(random, f.type, f.xml, flavour);
    }
  }
  // A value whose Change flag is false means nothing and decodes as empty.
  for (const [key, f] of Object.entries(fields)) {
    if (f.onlyWhen !== undefined && out[f.onlyWhen] !== true) {
      out[key] = f.type.kind === "array"
        ? []
        : f.type.kind === "number"
        ? f.type.values?.[0] ?? Math.max(f.type.min, 0)
        : "";
    }
  }
  return out;
}

// Values that satisfy the XSD patterns of specific elements.
const VALID_BY_ELEMENT: Record<string, (random: Random) => unknown> = {
  OUI: (r) =>
    Array.from({ length: 6 }, () => r.pick([..."0123456789ABCDEF"])).join(""),
  EventCode: (r) =>
    r.pick([
      "0 BOOTSTRAP",
      "1 BOOT",
      "2 PERIODIC",
      "6 CONNECTION REQUEST",
      "M Reboot",
      "X 00AABB Custom",
    ]),
  // The only file types every namespace accepts for Download and Upload alike.
  FileType: (r) => r.pick(["X 00AABB Blob", "X 00D09E Config & Log"]),
  WindowMode: (r) => r.pick(["1 At Any Time", "2 Immediately", "3 When Idle"]),
  UUID: () => crypto.randomUUID(),
  FaultCode: (r) => r.pick([0, 9001]),
  Notification: (r) => r.int(0, 2),
  CurrentState: (r) => r.pick(["Installed", "Uninstalled", "Failed"]),
  OperationPerformed: (r) => r.pick(["Install", "Update", "Uninstall"]),
  AccessList: (r) => r.chance() ? ["Subscriber"] : [],
  URL: () => "http://192.0.2.1/file.bin",
  ObjectName: (r) =>
    r.pick([
      "Device.IP.Interface.",
      "Device.IP.Interface.2.",
      "Device.X_00AABB_<&>.[a].",
      "Device.é.",
    ]),
  AnnounceURL: () => "http://192.0.2.1/announce",
  TransferURL: () => "http://192.0.2.1/file.bin",
};

function arbitraryValue(
  random: Random,
  type: ValueType,
  element: string,
  flavour: Flavour,
): unknown {
  if (flavour === "valid" && Object.hasOwn(VALID_BY_ELEMENT, element)) {
    return VALID_BY_ELEMENT[element](random);
  }
  switch (type.kind) {
    case "string":
      if (type.values) return random.pick(type.values);
      return nastyString(random, type.max ?? 300);
    case "number":
      if (type.values) return random.pick(type.values);
      return random.chance(0.3)
        ? random.pick([type.min, type.max])
        : random.int(type.min, Math.min(type.max, 2 ** 31 - 1));
    case "boolean":
      return random.chance();
    case "dateTime":
      return randomDateTime(random);
    case "base64":
      return btoa(
        String.fromCharCode(
          ...Array.from(
            { length: random.int(0, 24) },
            () => random.int(0, 255),
          ),
        ),
      );
    case "parameterValueStruct":
      return randomParameterValue(random, flavour);
    case "struct":
      return arbitraryFields(random, type.fields, flavour);
    case "array": {
      const count = random.int(type.min, Math.min(type.max, type.min + 4));
      return Array.from(
        { length: count },
        () => arbitraryValue(random, type.item, type.itemName, flavour),
      );
    }
    case "choice": {
      const name = random.pick(Object.keys(type.variants));
      return {
        type: name,
        ...arbitraryFields(random, type.variants[name], flavour),
      };
    }
  }
}

function randomDateTime(random: Random): string {
  if (random.chance(0.1)) return "0001-01-01T00:00:00Z";
  const date = new Date(random.int(0, 4102444800) * 1000).toISOString();
  return random.chance() ? date.replace(".000Z", "Z") : date;
}

const TYPES = Object.keys(XSI_TYPES) as (keyof typeof XSI_TYPES)[];

function randomParameterValue(random: Random, flavour: Flavour) {
  const name = `Device.${nastyString(random, 40)}`.slice(0, 256);
  const type = random.pick(TYPES);
  if (flavour === "nasty") {
    return { name, value: nastyString(random, 300), type };
  }
  const value = {
    string: () => nastyString(random, 300),
    int: () => String(random.int(-2147483648, 2147483647)),
    unsignedInt: () => String(random.int(0, 4294967295)),
    long: () => "-9223372036854775808",
    unsignedLong: () => "18446744073709551615",
    boolean: () => random.pick(["true", "false", "0", "1"]),
    dateTime: () => randomDateTime(random),
    base64: () => btoa("payload" + random.int(0, 999)),
    hexBinary: () => random.int(0, 2 ** 31).toString(16).padStart(8, "0"),
    decimal: () => `${random.int(-999, 999)}.${random.int(0, 99)}`,
  }[type]();
  return { name, value, type };
}
