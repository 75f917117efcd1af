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
import { convertFields, Invalid, type Raw } from "./_convert.ts";
import { normalizeXsiType, XSI_TYPES } from "./value_types.ts";

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

// ---------------------------------------------------------------- encoding

/** Where encoded XML goes, piece by piece. */
export interface XmlSink {
  /** Appends text. */
  write(text: string): void;
}

/**
 * Writes the child elements for `fields` from `value`. Throws a `TypeError`
 * or `RangeError` naming the field when the value does not fit its type: that
 * is a bug in the caller, never something a peer can cause.
 */
export function encodeFields(
  fields: Fields,
  value: Record<string, unknown>,
): string {
  const pieces: string[] = [];
  writeFields({ write: (text) => pieces.push(text) }, fields, value);
  return pieces.join("");
}

/**
 * {@linkcode encodeFields} into `sink`: a list of 10,000 entries goes out
 * one entry at a time, so a sink that encodes as it goes never holds the
 * message as one string.
 */
export function writeFields(
  sink: XmlSink,
  fields: Fields,
  value: Record<string, unknown>,
): void {
  for (const key in fields) {
    const f = fields[key];
    const v = value[key];
    if (v === undefined) {
      if (f.optional || f.repeated) continue;
      throw new TypeError(`Cannot encode: ${f.xml} is missing`);
    }
    if (f.repeated) {
      for (const item of v as unknown[]) writeValue(sink, f.type, f.xml, item);
    } else {
      writeValue(sink, f.type, f.xml, v);
    }
  }
}

// Tags are the same for every entry of a list: made once, not per entry.
const OPEN_TAGS = new Map<string, string>();
const CLOSE_TAGS = new Map<string, string>();
function openTag(name: string): string {
  let tag = OPEN_TAGS.get(name);
  if (tag === undefined) OPEN_TAGS.set(name, tag = `<${name}>`);
  return tag;
}
function closeTag(name: string): string {
  let tag = CLOSE_TAGS.get(name);
  if (tag === undefined) CLOSE_TAGS.set(name, tag = `</${name}>`);
  return tag;
}

function writeValue(
  sink: XmlSink,
  type: ValueType,
  name: string,
  v: unknown,
): void {
  switch (type.kind) {
    case "struct":
      sink.write(openTag(name));
      writeFields(sink, type.fields, v as Record<string, unknown>);
      sink.write(closeTag(name));
      return;
    case "array": {
      const items = v as readonly unknown[];
      sink.write(
        `<${name} soap-enc:arrayType="${type.arrayType}[${items.length}]">`,
      );
      for (const item of items) {
        writeValue(sink, type.item, type.itemName, item);
      }
      sink.write(`</${name}>`);
      return;
    }
    case "choice": {
      const op = v as { type: string };
      const fields = type.variants[op.type];
      if (!fields) {
        throw new TypeError(
          `Cannot encode: ${name} has unknown type ${op.type}`,
        );
      }
      sink.write(`<${name} xsi:type="cwmp:${op.type}">`);
      writeFields(sink, fields, op as Record<string, unknown>);
      sink.write(`</${name}>`);
      return;
    }
    default:
      writeScalar(sink, type, name, v);
  }
}

/**
 * One element holding a value: a string, number, boolean or
 * ParameterValueStruct, written as its tags and text (no string is made of
 * the whole element).
 */
function writeScalar(
  sink: XmlSink,
  type: ValueType,
  name: string,
  v: unknown,
): void {
  let text: string;
  switch (type.kind) {
    case "string":
    case "dateTime":
    case "base64":
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
      text = escapeXml(v);
      break;
    case "number":
      if (
        typeof v !== "number" || !Number.isInteger(v) || v < type.min ||
        v > type.max
      ) {
        throw new RangeError(
          `Cannot encode: ${name} must be an integer in ${type.min}..${type.max}`,
        );
      }
      text = String(v);
      break;
    case "boolean":
      if (typeof v !== "boolean") {
        throw new TypeError(`Cannot encode: ${name} must be a boolean`);
      }
      text = v ? "true" : "false";
      break;
    case "parameterValueStruct":
      writeParameterValue(sink, name, v as ParameterValueStruct);
      return;
    default:
      throw new TypeError(`Cannot encode: ${name} is not a single value`);
  }
  // One piece per element: a call per tag costs more, in code not yet
  // optimized, than the string it saves.
  sink.write(`<${name}>${text}</${name}>`);
}

/** `<Value xsi:type="…">` for each xsi:type, made once. */
const VALUE_OPEN = new Map<string, string>();

function writeParameterValue(
  sink: XmlSink,
  element: string,
  p: ParameterValueStruct,
): void {
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
  let valueOpen = VALUE_OPEN.get(xsiType);
  if (valueOpen === undefined) {
    VALUE_OPEN.set(xsiType, valueOpen = `<Value xsi:type="${xsiType}">`);
  }
  sink.write(
    `<${element}><Name>${escapeXml(p.name)}</Name>${valueOpen}${
      escapeXml(p.value)
    }</Value></${element}>`,
  );
}
