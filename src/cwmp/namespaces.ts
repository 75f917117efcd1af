/**
 * XML namespaces of a CWMP SOAP envelope and the CWMP protocol versions they
 * carry.
 *
 * @module
 */

/** SOAP 1.1 envelope namespace. */
export const SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/";
/** SOAP 1.1 encoding namespace (arrays, `soap-enc:arrayType`). */
export const SOAP_ENC_NS = "http://schemas.xmlsoap.org/soap/encoding/";
/** XML Schema namespace (the 2001 one; CWMP allows no other). */
export const XSD_NS = "http://www.w3.org/2001/XMLSchema";
/** XML Schema instance namespace (`xsi:type`). */
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";

/**
 * The three CWMP namespaces. CWMP 1.3 and 1.4 reuse `cwmp-1-2` and are told
 * apart by header elements only (`SessionTimeout`, `SupportedCWMPVersions`,
 * `UseCWMPVersion`).
 *
 * @example
 * ```ts
 * import { CWMP_NAMESPACES } from "./namespaces.ts";
 * console.log(CWMP_NAMESPACES["1-2"]); // "urn:dslforum-org:cwmp-1-2"
 * ```
 */
export const CWMP_NAMESPACES = {
  "1-0": "urn:dslforum-org:cwmp-1-0",
  "1-1": "urn:dslforum-org:cwmp-1-1",
  "1-2": "urn:dslforum-org:cwmp-1-2",
} as const;

/** Short name of a CWMP namespace: `"1-0"`, `"1-1"` or `"1-2"`. */
export type CwmpNamespaceName = keyof typeof CWMP_NAMESPACES;

/** The URI of a CWMP namespace. */
export type CwmpNamespace = typeof CWMP_NAMESPACES[CwmpNamespaceName];

/** Namespace names from oldest to newest, for "introduced in" comparisons. */
const ORDER: readonly CwmpNamespaceName[] = ["1-0", "1-1", "1-2"];

/**
 * The short name of a CWMP namespace URI, or `undefined` when the URI is not
 * one of the three CWMP namespaces.
 *
 * @example
 * ```ts
 * import { namespaceName } from "./namespaces.ts";
 * console.log(namespaceName("urn:dslforum-org:cwmp-1-1")); // "1-1"
 * console.log(namespaceName("urn:dslforum-org:cwmp-1-3")); // undefined
 * ```
 */
export function namespaceName(uri: string): CwmpNamespaceName | undefined {
  for (const name of ORDER) {
    if (CWMP_NAMESPACES[name] === uri) return name;
  }
  return undefined;
}

/**
 * Whether something introduced in namespace `since` exists in namespace `ns`.
 *
 * @example
 * ```ts
 * import { namespaceIncludes } from "./namespaces.ts";
 * console.log(namespaceIncludes("1-0", "1-2")); // false: 1-2 things are not in 1-0
 * console.log(namespaceIncludes("1-2", "1-1")); // true
 * ```
 */
export function namespaceIncludes(
  ns: CwmpNamespaceName,
  since: CwmpNamespaceName,
): boolean {
  return ORDER.indexOf(ns) >= ORDER.indexOf(since);
}
