/**
 * Checking and converting a decoded raw tree (strings at the leaves)
 * against a {@linkcode Fields} description, in one pass.
 *
 * @module
 */
import type { Fields, ValueType } from "./schema.ts";

/** What the decoder reads from XML before it is checked: text at the leaves. */
export type Raw = string | undefined | Raw[] | { [key: string]: Raw };

/** The first problem found, at a path of keys and indices. */
export class Invalid {
  constructor(
    readonly path: readonly PropertyKey[],
    readonly message: string,
  ) {}
}

const MISSING = "required element is missing";

const INTEGER = /^[+-]?\d+$/;
// xsd:dateTime lexical form; the year may have more than four digits.
const DATE_TIME =
  /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/;
const BASE64 = /^[A-Za-z0-9+/=\s]*$/;

/**
 * Checks and converts a raw tree against `fields` in one pass, in field
 * order, and throws {@linkcode Invalid} at the first problem: the typed
 * value is built as it is checked, with no schema objects and no second
 * copy of a large list.
 */
export function convertFields(
  fields: Fields,
  raw: { [key: string]: Raw },
  path: PropertyKey[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in fields) {
    const f = fields[key];
    const value = raw[key];
    if (value === undefined && f.optional) continue;
    path.push(key);
    if (f.repeated) {
      const items = value as Raw[];
      const list = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        path.push(i);
        list[i] = convertValue(f.type, items[i], path);
        path.pop();
      }
      if (list.length < f.repeated.min) {
        throw new Invalid(
          [...path],
          `at least ${f.repeated.min} ${f.xml} element(s) required`,
        );
      }
      if (list.length > f.repeated.max) {
        throw new Invalid(
          [...path],
          `at most ${f.repeated.max} ${f.xml} element(s) allowed`,
        );
      }
      out[key] = list;
    } else {
      out[key] = convertValue(f.type, value, path);
    }
    path.pop();
  }
  return out;
}

function textOf(raw: Raw, path: PropertyKey[]): string {
  if (typeof raw === "string") return raw;
  throw new Invalid([...path], raw === undefined ? MISSING : "not text");
}

function convertValue(type: ValueType, raw: Raw, path: PropertyKey[]): unknown {
  switch (type.kind) {
    case "string": {
      const s = textOf(raw, path);
      if (type.max !== undefined && s.length > type.max) {
        throw new Invalid([...path], `longer than ${type.max} characters`);
      }
      if (type.values && !type.values.includes(s)) {
        throw new Invalid([...path], `not one of ${type.values.join(", ")}`);
      }
      return s;
    }
    case "number": {
      const s = textOf(raw, path).trim();
      if (!INTEGER.test(s)) throw new Invalid([...path], "not an integer");
      const n = Number(s);
      if (!(n >= type.min && n <= type.max)) {
        throw new Invalid([...path], `outside ${type.min}..${type.max}`);
      }
      if (type.values && !type.values.includes(n)) {
        throw new Invalid([...path], `not one of ${type.values.join(", ")}`);
      }
      return n;
    }
    case "boolean": {
      const s = textOf(raw, path).trim();
      if (s === "true" || s === "1") return true;
      if (s === "false" || s === "0") return false;
      throw new Invalid([...path], "not a boolean (true, false, 1 or 0)");
    }
    case "dateTime": {
      const s = textOf(raw, path).trim();
      if (!DATE_TIME.test(s)) {
        throw new Invalid([...path], "not an xsd:dateTime");
      }
      return s;
    }
    case "base64": {
      const s = textOf(raw, path);
      if (!BASE64.test(s)) throw new Invalid([...path], "not base64");
      return s.replace(/\s+/g, "");
    }
    case "parameterValueStruct": {
      const struct = structOf(raw, path);
      path.push("name");
      const name = textOf(struct.name, path);
      if (name.length > 256) {
        throw new Invalid([...path], "longer than 256 characters");
      }
      path.pop();
      path.push("value");
      const value = textOf(struct.value, path);
      path.pop();
      const xsiType = struct.type;
      return typeof xsiType === "string"
        ? { name, value, type: xsiType }
        : { name, value };
    }
    case "struct":
      return convertFields(type.fields, structOf(raw, path), path);
    case "array": {
      if (!Array.isArray(raw)) {
        throw new Invalid(
          [...path],
          raw === undefined ? MISSING : "not an array",
        );
      }
      const list = new Array(raw.length);
      for (let i = 0; i < raw.length; i++) {
        path.push(i);
        list[i] = convertValue(type.item, raw[i], path);
        path.pop();
      }
      if (list.length < type.min) {
        throw new Invalid([...path], `at least ${type.min} entries required`);
      }
      if (list.length > type.max) {
        throw new Invalid([...path], `at most ${type.max} entries allowed`);
      }
      return list;
    }
    case "choice": {
      const struct = structOf(raw, path);
      const variant = struct.type;
      if (
        typeof variant !== "string" || !Object.hasOwn(type.variants, variant)
      ) {
        throw new Invalid(
          [...path, "type"],
          `xsi:type must be one of ${Object.keys(type.variants).join(", ")}`,
        );
      }
      return {
        ...convertFields(type.variants[variant], struct, path),
        type: variant,
      };
    }
  }
}

function structOf(raw: Raw, path: PropertyKey[]): { [key: string]: Raw } {
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    return raw;
  }
  throw new Invalid([...path], raw === undefined ? MISSING : "not a struct");
}
