/**
 * The generic half of the codec: reads and writes any {@linkcode Fields}
 * description. The decoder turns elements into a raw tree (strings at the
 * leaves) and checks and converts it against the same description in one
 * pass; the encoder writes XML straight from typed values.
 */
import { CwmpFault } from "./faults.ts";
import type { DecodeLimits } from "./limits.ts";
import { XSI_NS } from "./namespaces.ts";
import type {
  Field,
  Fields,
  ParameterValueStruct,
  ValueType,
} from "./schema.ts";
import { attribute, type XmlElement } from "./_xml.ts";
import { escapeXml } from "./xml_escape.ts";
import { normalizeXsiType, XSI_TYPES } from "./value_types.ts";

type Raw = string | undefined | Raw[] | { [key: string]: Raw };

// ---------------------------------------------------------------- decoding

/**
 * Reads the fields of `element` and validates them; throws a 9003
 * {@linkcode CwmpFault} naming the offending element on any problem.
 */
export function decodeFields<T>(
  fields: Fields,
  element: XmlElement,
  limits: DecodeLimits,
): T {
  const raw = readFields(fields, element, limits);
  try {
    return convertFields(fields, raw, []) as T;
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    throw CwmpFault.decode(
      "invalid_arguments",
      `${xmlPath(fields, error.path)}: ${error.message}`,
    );
  }
}

function readFields(
  fields: Fields,
  element: XmlElement,
  limits: DecodeLimits,
): { [key: string]: Raw } {
  const out: { [key: string]: Raw } = {};
  for (const key in fields) {
    const f = fields[key];
    if (f.repeated) {
      const items = element.children.filter((c) => c.name === f.xml);
      checkCount(items.length, limits);
      out[key] = items.map((c) => readValue(f.type, c, limits));
    } else {
      const child = element.children.find((c) => c.name === f.xml);
      const value = child ? readValue(f.type, child, limits) : f.default;
      if (value !== undefined) out[key] = value;
    }
  }
  for (const key in fields) {
    const flag = fields[key].onlyWhen;
    if (flag !== undefined && !rawTrue(out[flag])) {
      out[key] = emptyRaw(fields[key].type);
    }
  }
  return out;
}

function rawTrue(raw: Raw): boolean {
  return typeof raw === "string" && ["true", "1"].includes(raw.trim());
}

/** The value a field takes when what the sender wrote is to be ignored. */
function emptyRaw(type: ValueType): Raw {
  switch (type.kind) {
    case "number":
      return String(type.values?.[0] ?? Math.max(type.min, 0));
    case "boolean":
      return "false";
    case "array":
      return [];
    case "struct":
      return {};
    default:
      return "";
  }
}

function readValue(
  type: ValueType,
  element: XmlElement,
  limits: DecodeLimits,
): Raw {
  switch (type.kind) {
    case "string":
    case "number":
    case "boolean":
    case "dateTime":
    case "base64":
      return element.text;
    case "parameterValueStruct": {
      const name = element.children.find((c) => c.name === "Name");
      const value = element.children.find((c) => c.name === "Value");
      const xsiType = value ? xsiTypeOf(value) : undefined;
      const raw: { [key: string]: Raw } = {
        name: name?.text,
        value: value?.text,
      };
      if (xsiType !== undefined) raw.type = normalizeXsiType(xsiType);
      return raw;
    }
    case "struct":
      return readFields(type.fields, element, limits);
    case "array": {
      checkCount(element.children.length, limits);
      return element.children.map((c) => readValue(type.item, c, limits));
    }
    case "choice": {
      const xsiType = xsiTypeOf(element);
      const variant = xsiType === undefined ? undefined : localName(xsiType);
      if (variant === undefined || !Object.hasOwn(type.variants, variant)) {
        return { type: variant };
      }
      return {
        type: variant,
        ...readFields(type.variants[variant], element, limits),
      };
    }
  }
}

function checkCount(count: number, limits: DecodeLimits): void {
  if (count > limits.maxArrayItems) {
    throw CwmpFault.decode(
      "too_large",
      `More than ${limits.maxArrayItems} entries in one list`,
    );
  }
}

function xsiTypeOf(element: XmlElement): string | undefined {
  return attribute(element, "type", XSI_NS) ?? attribute(element, "type");
}

function localName(qname: string): string {
  return qname.slice(qname.indexOf(":") + 1);
}

const PARAMETER_VALUE_XML: Record<string, string> = {
  name: "Name",
  value: "Value",
  type: "Value@xsi:type",
};

/** Turns a path of keys and indices into the XML names an integrator recognises. */
function xmlPath(fields: Fields, path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  let current: Fields | undefined = fields;
  let type: ValueType | undefined;
  for (const segment of path) {
    if (typeof segment === "number") {
      parts[parts.length - 1] += `[${segment}]`;
      if (type?.kind === "array") type = type.item;
      continue;
    }
    if (type?.kind === "parameterValueStruct") {
      parts.push(PARAMETER_VALUE_XML[segment as string] ?? String(segment));
      continue;
    }
    const f: Field | undefined = current?.[segment as string];
    if (!f) {
      parts.push(String(segment));
      current = undefined;
      continue;
    }
    parts.push(f.xml);
    type = f.type;
    current = type.kind === "struct" ? type.fields : undefined;
    if (type.kind === "array" && type.item.kind === "struct") {
      current = type.item.fields;
    }
  }
  return parts.join(".") || "arguments";
}

// ------------------------------------------------------------ conversion

/** The first problem found, at a path of keys and indices. */
class Invalid {
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
function convertFields(
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

// ---------------------------------------------------------------- encoding

/**
 * Writes the child elements for `fields` from `value`. Throws a `TypeError`
 * or `RangeError` naming the field when the value does not fit its type: that
 * is a bug in the caller, never something a peer can cause.
 */
export function encodeFields(
  fields: Fields,
  value: Record<string, unknown>,
): string {
  let out = "";
  for (const key in fields) {
    const f = fields[key];
    const v = value[key];
    if (v === undefined) {
      if (f.optional || f.repeated) continue;
      throw new TypeError(`Cannot encode: ${f.xml} is missing`);
    }
    if (f.repeated) {
      for (const item of v as unknown[]) {
        out += encodeValue(f.type, f.xml, item);
      }
    } else {
      out += encodeValue(f.type, f.xml, v);
    }
  }
  return out;
}

function encodeValue(type: ValueType, name: string, v: unknown): string {
  switch (type.kind) {
    case "string":
    case "dateTime":
    case "base64": {
      if (typeof v !== "string") {
        throw new TypeError(`Cannot encode: ${name} must be a string`);
      }
      if (
        type.kind === "string" && type.max !== undefined && v.length > type.max
      ) {
        throw new RangeError(
          `Cannot encode: ${name} is longer than ${type.max} characters`,
        );
      }
      return `<${name}>${escapeXml(v)}</${name}>`;
    }
    case "number":
      if (
        typeof v !== "number" || !Number.isInteger(v) || v < type.min ||
        v > type.max
      ) {
        throw new RangeError(
          `Cannot encode: ${name} must be an integer in ${type.min}..${type.max}`,
        );
      }
      return `<${name}>${v}</${name}>`;
    case "boolean":
      if (typeof v !== "boolean") {
        throw new TypeError(`Cannot encode: ${name} must be a boolean`);
      }
      return v ? `<${name}>true</${name}>` : `<${name}>false</${name}>`;
    case "parameterValueStruct":
      return encodeParameterValue(name, v as ParameterValueStruct);
    case "struct":
      return `<${name}>${
        encodeFields(type.fields, v as Record<string, unknown>)
      }</${name}>`;
    case "array": {
      const items = v as readonly unknown[];
      let out =
        `<${name} soap-enc:arrayType="${type.arrayType}[${items.length}]">`;
      for (const item of items) {
        out += encodeValue(type.item, type.itemName, item);
      }
      return out + `</${name}>`;
    }
    case "choice": {
      const op = v as { type: string };
      const fields = type.variants[op.type];
      if (!fields) {
        throw new TypeError(
          `Cannot encode: ${name} has unknown type ${op.type}`,
        );
      }
      return `<${name} xsi:type="cwmp:${op.type}">${
        encodeFields(fields, op as Record<string, unknown>)
      }</${name}>`;
    }
  }
}

function encodeParameterValue(
  element: string,
  p: ParameterValueStruct,
): string {
  const type = p.type ?? "string";
  const xsiType = XSI_TYPES[type as keyof typeof XSI_TYPES];
  if (xsiType === undefined) {
    throw new TypeError(
      `Cannot encode: ${p.name} has unknown value type ${type}`,
    );
  }
  if (p.name.length > 256) {
    throw new RangeError(
      `Cannot encode: parameter name longer than 256 characters`,
    );
  }
  return `<${element}><Name>${
    escapeXml(p.name)
  }</Name><Value xsi:type="${xsiType}">${
    escapeXml(p.value)
  }</Value></${element}>`;
}
