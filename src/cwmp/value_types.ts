/**
 * The `xsi:type` names a CWMP parameter value travels with.
 *
 * @module
 */

/**
 * Each value type and the `xsi:type` written for it. Base64 values are sent
 * as `xsd:base64`, the conventional CWMP name that ACSes expect, although
 * XML Schema calls the type `base64Binary` (digest §2.2).
 *
 * @example
 * ```ts
 * import { XSI_TYPES } from "./value_types.ts";
 * console.log(XSI_TYPES.unsignedInt); // "xsd:unsignedInt"
 * ```
 */
export const XSI_TYPES = {
  string: "xsd:string",
  int: "xsd:int",
  unsignedInt: "xsd:unsignedInt",
  long: "xsd:long",
  unsignedLong: "xsd:unsignedLong",
  boolean: "xsd:boolean",
  dateTime: "xsd:dateTime",
  base64: "xsd:base64",
  hexBinary: "xsd:hexBinary",
  decimal: "xsd:decimal",
} as const;

/** A parameter value type: a key of {@linkcode XSI_TYPES}. */
export type ValueTypeName = keyof typeof XSI_TYPES;

/**
 * The value type named by an `xsi:type` attribute: the local name with any
 * prefix dropped, and `base64Binary` folded into `base64`. Names that are not
 * value types come back unchanged so the data model can reject them with 9006.
 *
 * @example
 * ```ts
 * import { normalizeXsiType } from "./value_types.ts";
 * console.log(normalizeXsiType("xs:unsignedInt")); // "unsignedInt"
 * console.log(normalizeXsiType("soap-enc:base64")); // "base64"
 * console.log(normalizeXsiType("xsd:base64Binary")); // "base64"
 * ```
 */
export function normalizeXsiType(qname: string): string {
  const local = qname.trim().slice(qname.trim().indexOf(":") + 1);
  return local === "base64Binary" ? "base64" : local;
}

/**
 * Whether a name is one of the value types of {@linkcode XSI_TYPES}.
 *
 * @example
 * ```ts
 * import { isValueTypeName } from "./value_types.ts";
 * console.log(isValueTypeName("long"), isValueTypeName("float")); // true false
 * ```
 */
export function isValueTypeName(name: string): name is ValueTypeName {
  return Object.hasOwn(XSI_TYPES, name);
}
