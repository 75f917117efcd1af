/**
 * Limits applied to every message before and while it is parsed.
 *
 * @module
 */

/** Limits that protect the decoder from hostile or broken input. */
export interface DecodeLimits {
  /**
   * Largest accepted body in bytes, checked before anything is parsed.
   * TR-069 requires a CPE to accept at least 32,768 bytes; the default leaves
   * room for a SetParameterValues of several thousand parameters.
   */
  readonly maxBytes: number;
  /** Deepest element nesting accepted; a CWMP envelope needs about 8. */
  readonly maxDepth: number;
  /** Most entries accepted in any one array (ParameterList, ParameterNames…). */
  readonly maxArrayItems: number;
  /**
   * Most elements in one message, counted before parsing. The parsed tree
   * costs about 0.9 KB of heap per element, so this is what keeps a message
   * within the CPE's 64 MB heap however it is built.
   */
  readonly maxElements: number;
}

/**
 * The limits used when a caller gives none: 4 MiB, depth 32, 100,000 items,
 * 40,000 elements (a GetParameterValues of 39,000 names, a SetParameterValues
 * of 13,000 parameters; GenieACS refreshing a 10,000-parameter device sends
 * about 10,000).
 *
 * @example
 * ```ts
 * import { DEFAULT_DECODE_LIMITS } from "./limits.ts";
 * console.log(DEFAULT_DECODE_LIMITS.maxBytes); // 4194304
 * ```
 */
export const DEFAULT_DECODE_LIMITS: DecodeLimits = Object.freeze({
  maxBytes: 4 * 1024 * 1024,
  maxDepth: 32,
  maxArrayItems: 100_000,
  maxElements: 40_000,
});

/**
 * Checks a set of limits and fills in defaults for the ones not given.
 *
 * @example
 * ```ts
 * import { resolveDecodeLimits } from "./limits.ts";
 * console.log(resolveDecodeLimits({ maxBytes: 65536 }).maxDepth); // 32
 * ```
 */
export function resolveDecodeLimits(
  limits: Partial<DecodeLimits> = {},
): DecodeLimits {
  const resolved = { ...DEFAULT_DECODE_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot decode: ${name} must be a positive integer, got ${value}`,
      );
    }
  }
  return resolved;
}
