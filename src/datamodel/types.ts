/**
 * Parameter types: what a value may look like, checked and put in canonical
 * form before it reaches a device.
 *
 * @module
 */
import type { ValueTypeName } from "../cwmp/value_types.ts";

/** The base types of TR-106 parameters; also their `xsi:type` names. */
export type BaseType = ValueTypeName;

/** An inclusive numeric range; either end may be open. */
export interface Range {
  /** Smallest allowed value. */
  readonly min?: number;
  /** Largest allowed value. */
  readonly max?: number;
}

/** A parameter's type: base type plus the facets that restrict it. */
export interface ParameterType {
  /** The base type. */
  readonly base: BaseType;
  /** Maximum length in characters (string) or bytes (base64, hexBinary). */
  readonly maxLength?: number;
  /** Minimum length, as `maxLength`. */
  readonly minLength?: number;
  /** Allowed values (strings). */
  readonly enumeration?: readonly string[];
  /** Regular expressions (XSD flavour, whole value) of which one must match. */
  readonly patterns?: readonly string[];
  /** Allowed numeric ranges; a value must fall in one of them. */
  readonly ranges?: readonly Range[];
  /** A comma-separated list whose items each satisfy the facets. */
  readonly list?: boolean;
}

/** The CWMP "Unknown Time": a dateTime that says the time is not known. */
export const UNKNOWN_TIME = "0001-01-01T00:00:00Z";

/** Why a value was refused: 9006 wrong type, 9007 wrong value. */
export interface ValueProblem {
  /** 9006 (type) or 9007 (value). */
  readonly code: 9006 | 9007;
  /** What is wrong, for the fault string. */
  readonly reason: string;
}

const INTEGER_BOUNDS: Record<string, readonly [bigint, bigint]> = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  unsignedInt: [0n, 2n ** 32n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  unsignedLong: [0n, 2n ** 64n - 1n],
};

const DATE_TIME =
  /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/;
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Checks a value against a type and returns its canonical form, or the
 * problem. `xsiType` is the type the ACS claimed: absent or `string` is
 * accepted for any parameter (many ACSes send every value as a string), the
 * integer types are accepted for each other (the range decides), anything
 * else must name the parameter's base type.
 *
 * @example
 * ```ts
 * import { checkValue } from "./types.ts";
 * console.log(checkValue({ base: "boolean" }, "1")); // { value: "true" }
 * console.log(checkValue({ base: "unsignedInt", ranges: [{ min: 1 }] }, "0").problem?.code); // 9007
 * console.log(checkValue({ base: "int" }, "5", "boolean").problem?.code); // 9006
 * ```
 */
export function checkValue(
  type: ParameterType,
  value: string,
  xsiType?: string,
): { value: string; problem?: undefined } | {
  value?: undefined;
  problem: ValueProblem;
} {
  const typeProblem = xsiTypeProblem(type.base, xsiType);
  if (typeProblem) return { problem: { code: 9006, reason: typeProblem } };
  if (type.list) {
    const items = value === "" ? [] : value.split(",").map((s) => s.trim());
    const canonical: string[] = [];
    for (const item of items) {
      const checked = checkScalar({
        ...type,
        maxLength: undefined,
        minLength: undefined,
      }, item);
      if (checked.problem) return checked;
      canonical.push(checked.value);
    }
    const joined = canonical.join(",");
    const lengthProblem = checkLength(type, joined.length);
    return lengthProblem ? { problem: lengthProblem } : { value: joined };
  }
  return checkScalar(type, value);
}

function xsiTypeProblem(
  base: BaseType,
  xsiType: string | undefined,
): string | undefined {
  if (xsiType === undefined || xsiType === "string" || xsiType === base) {
    return undefined;
  }
  if (xsiType in INTEGER_BOUNDS && base in INTEGER_BOUNDS) return undefined;
  return `xsi:type ${xsiType} does not fit a parameter of type ${base}`;
}

function checkScalar(
  type: ParameterType,
  raw: string,
): { value: string; problem?: undefined } | {
  value?: undefined;
  problem: ValueProblem;
} {
  const typeError = (reason: string) => ({
    problem: { code: 9006 as const, reason },
  });
  const valueError = (reason: string) => ({
    problem: { code: 9007 as const, reason },
  });
  let value = raw;
  switch (type.base) {
    case "int":
    case "unsignedInt":
    case "long":
    case "unsignedLong": {
      const text = raw.trim();
      if (!/^[+-]?\d+$/.test(text)) {
        return typeError(`${JSON.stringify(raw)} is not an integer`);
      }
      const n = BigInt(text);
      const [min, max] = INTEGER_BOUNDS[type.base];
      if (n < min || n > max) {
        return valueError(`${text} is outside the ${type.base} range`);
      }
      if (type.ranges && !type.ranges.some((r) => inRange(n, r))) {
        return valueError(`${text} is outside ${describeRanges(type.ranges)}`);
      }
      value = n.toString();
      break;
    }
    case "boolean": {
      const text = raw.trim();
      if (text === "true" || text === "1") value = "true";
      else if (text === "false" || text === "0") value = "false";
      else return typeError(`${JSON.stringify(raw)} is not a boolean`);
      break;
    }
    case "dateTime":
      value = raw.trim();
      if (!DATE_TIME.test(value)) {
        return typeError(`${JSON.stringify(raw)} is not a dateTime`);
      }
      break;
    case "base64":
      value = raw.replace(/\s+/g, "");
      if (!BASE64.test(value)) return typeError("not valid base64");
      break;
    case "hexBinary":
      value = raw.trim();
      if (!HEX.test(value)) return typeError("not valid hexBinary");
      break;
    case "decimal":
      value = raw.trim();
      if (!DECIMAL.test(value)) {
        return typeError(`${JSON.stringify(raw)} is not a decimal`);
      }
      if (
        type.ranges &&
        !type.ranges.some((r) => inDecimalRange(Number(value), r))
      ) {
        return valueError(`${value} is outside ${describeRanges(type.ranges)}`);
      }
      break;
    case "string":
      break;
  }
  const length = type.base === "base64"
    ? Math.floor(value.length / 4) * 3 -
      (value.endsWith("==") ? 2 : value.endsWith("=") ? 1 : 0)
    : type.base === "hexBinary"
    ? value.length / 2
    : [...value].length;
  const lengthProblem = checkLength(type, length);
  if (lengthProblem) return { problem: lengthProblem };
  if (type.enumeration && !type.enumeration.includes(value)) {
    return valueError(
      `${JSON.stringify(value)} is not one of ${type.enumeration.join(", ")}`,
    );
  }
  if (
    type.patterns && type.patterns.length > 0 &&
    !type.patterns.some((p) => compiled(p).test(value))
  ) {
    return valueError(
      `${JSON.stringify(value)} does not match the required pattern`,
    );
  }
  return { value };
}

function checkLength(
  type: ParameterType,
  length: number,
): ValueProblem | undefined {
  if (type.maxLength !== undefined && length > type.maxLength) {
    return { code: 9007, reason: `longer than ${type.maxLength}` };
  }
  if (type.minLength !== undefined && length < type.minLength) {
    return { code: 9007, reason: `shorter than ${type.minLength}` };
  }
  return undefined;
}

function inRange(n: bigint, r: Range): boolean {
  return (r.min === undefined || n >= BigInt(r.min)) &&
    (r.max === undefined || n <= BigInt(r.max));
}

function inDecimalRange(n: number, r: Range): boolean {
  return (r.min === undefined || n >= r.min) &&
    (r.max === undefined || n <= r.max);
}

function describeRanges(ranges: readonly Range[]): string {
  return ranges.map((r) => `${r.min ?? "-∞"}..${r.max ?? "∞"}`).join(" or ");
}

const patternCache = new Map<string, RegExp>();

function compiled(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    // XSD patterns are implicitly anchored and have no flags.
    re = new RegExp(`^(?:${pattern})$`, "u");
    patternCache.set(pattern, re);
  }
  return re;
}

/**
 * The value a parameter of this type has when nothing set it: the first
 * enumeration value, the smallest allowed number, false, the Unknown Time or
 * the empty string.
 *
 * @example
 * ```ts
 * import { zeroValue } from "./types.ts";
 * console.log(zeroValue({ base: "unsignedInt", ranges: [{ min: 1 }] })); // "1"
 * ```
 */
export function zeroValue(type: ParameterType): string {
  if (type.list) return "";
  if (type.enumeration && type.enumeration.length > 0) {
    return type.enumeration[0];
  }
  switch (type.base) {
    case "int":
    case "unsignedInt":
    case "long":
    case "unsignedLong":
    case "decimal": {
      const min = type.ranges?.[0]?.min;
      return String(min !== undefined && min > 0 ? min : 0);
    }
    case "boolean":
      return "false";
    case "dateTime":
      return UNKNOWN_TIME;
    default:
      return "";
  }
}
