/**
 * Parameter and object paths: parsing, validation and the `{i}` patterns
 * that stand for any instance number.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";

/** Longest parameter or object path TR-069 allows (string(256)). */
export const MAX_PATH_LENGTH = 256;

/** The placeholder for an instance number in a path pattern. */
export const INSTANCE_PLACEHOLDER = "{i}";

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INSTANCE = /^[1-9][0-9]{0,9}$/;
// A whole path that is fine, in one test: the common case of every load.
const VALID_PATH =
  /^[A-Za-z_][A-Za-z0-9_-]*(\.([A-Za-z_][A-Za-z0-9_-]*|[1-9][0-9]{0,9}))*\.?$/;
const INSTANCE_SEGMENT = /\.[1-9][0-9]{0,9}(?=\.|$)/g;

/** A parsed path: full parameter path, partial (object) path, or the root "". */
export interface Path {
  /** The path as written. */
  readonly text: string;
  /** Its segments, without the trailing empty one of a partial path. */
  readonly segments: readonly string[];
  /** True for "" and for paths ending in "."; false for a parameter. */
  readonly partial: boolean;
}

/**
 * Parses and validates a path. An empty string is the root (the whole
 * tree). Segments are names (`[A-Za-z_][A-Za-z0-9_-]*`) or instance numbers
 * (1–4294967295 without leading zeros). Alias (`[name]`) and wildcard (`*`)
 * instance identifiers are not supported: this agent reports
 * `AliasBasedAddressing` and `InstanceWildcardsSupported` as false.
 *
 * @throws {CwmpFault} 9005 naming what is wrong.
 *
 * @example
 * ```ts
 * import { parsePath } from "./path.ts";
 * const p = parsePath("Device.IP.Interface.2.");
 * console.log(p.partial, p.segments); // true ["Device", "IP", "Interface", "2"]
 * ```
 */
export function parsePath(text: string): Path {
  if (text === "") return { text, segments: [], partial: true };
  const problem = pathProblem(text);
  if (problem) {
    throw new CwmpFault(
      9005,
      `Invalid path ${JSON.stringify(text)}: ${problem}`,
    );
  }
  const partial = text.endsWith(".");
  const segments = (partial ? text.slice(0, -1) : text).split(".");
  return { text, segments, partial };
}

/**
 * What is wrong with a path, or undefined when it is well-formed.
 *
 * @example
 * ```ts
 * import { pathProblem } from "./path.ts";
 * console.log(pathProblem("Device..X")); // "empty segment"
 * console.log(pathProblem("Device.X")); // undefined
 * ```
 */
export function pathProblem(text: string): string | undefined {
  if (text.length > MAX_PATH_LENGTH) {
    return `longer than ${MAX_PATH_LENGTH} characters`;
  }
  if (VALID_PATH.test(text)) return undefined;
  const body = text.endsWith(".") ? text.slice(0, -1) : text;
  if (body === "") return "empty segment";
  const segments = body.split(".");
  if (!NAME.test(segments[0])) {
    return `${JSON.stringify(segments[0])} is not a valid root name`;
  }
  for (const segment of segments) {
    if (segment === "") return "empty segment";
    if (segment.startsWith("[") || segment === "*") {
      return "alias and wildcard instance identifiers are not supported";
    }
    if (!NAME.test(segment) && !INSTANCE.test(segment)) {
      return `${
        JSON.stringify(segment)
      } is neither a name nor an instance number`;
    }
  }
  return undefined;
}

/**
 * Whether a segment is an instance number.
 *
 * @example
 * ```ts
 * import { isInstanceSegment } from "./path.ts";
 * console.log(isInstanceSegment("12"), isInstanceSegment("IP")); // true false
 * ```
 */
export function isInstanceSegment(segment: string): boolean {
  return INSTANCE.test(segment);
}

/**
 * The pattern of a concrete path: every instance number becomes `{i}`.
 *
 * @example
 * ```ts
 * import { toPattern } from "./path.ts";
 * console.log(toPattern("Device.IP.Interface.3.IPv4Address.1.IPAddress"));
 * // "Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress"
 * ```
 */
export function toPattern(path: string): string {
  // The root is a name, never an instance number, so every instance segment
  // follows a dot.
  return path.replace(INSTANCE_SEGMENT, "." + INSTANCE_PLACEHOLDER);
}

/**
 * The table a path pattern or instance path belongs to: `X.T.{i}.` or
 * `X.T.3.` gives `X.T.`.
 *
 * @example
 * ```ts
 * import { tableOf } from "./path.ts";
 * console.log(tableOf("Device.IP.Interface.3.")); // "Device.IP.Interface."
 * ```
 */
export function tableOf(instancePath: string): string {
  const body = instancePath.slice(0, -1);
  return body.slice(0, body.lastIndexOf(".") + 1);
}
