/**
 * CWMP fault codes as data, and the one error type that carries them.
 *
 * @module
 */

/**
 * Every standard fault code: the CPE's 9000–9032 and the ACS's 8000–8006, each
 * with its standard text and the SOAP `faultcode` it travels with (`Client`
 * when the requester is at fault, `Server` otherwise).
 *
 * The Client/Server split follows the fault tables of TR-069 Annex A as
 * summarised in the project digest (§8). 9021 is sent as `Client`: the digest
 * marks it unverified, and refusing to cancel a transfer in the wrong state is
 * the requester's mistake, like the other argument faults.
 *
 * @example
 * ```ts
 * import { FAULTS } from "./faults.ts";
 * console.log(FAULTS[9005].text); // "Invalid parameter name"
 * ```
 */
export const FAULTS = {
  8000: { text: "Method not supported", type: "Server" },
  8001: { text: "Request denied (no reason specified)", type: "Server" },
  8002: { text: "Internal error", type: "Server" },
  8003: { text: "Invalid arguments", type: "Client" },
  8004: { text: "Resources exceeded", type: "Server" },
  8005: { text: "Retry request", type: "Server" },
  8006: { text: "ACS version incompatible with CPE", type: "Server" },
  9000: { text: "Method not supported", type: "Server" },
  9001: { text: "Request denied (no reason specified)", type: "Server" },
  9002: { text: "Internal error", type: "Server" },
  9003: { text: "Invalid arguments", type: "Client" },
  9004: { text: "Resources exceeded", type: "Server" },
  9005: { text: "Invalid parameter name", type: "Client" },
  9006: { text: "Invalid parameter type", type: "Client" },
  9007: { text: "Invalid parameter value", type: "Client" },
  9008: { text: "Attempt to set a non-writable parameter", type: "Client" },
  9009: { text: "Notification request rejected", type: "Server" },
  9010: { text: "File transfer failure", type: "Server" },
  9011: { text: "Upload failure", type: "Server" },
  9012: {
    text: "File transfer server authentication failure",
    type: "Server",
  },
  9013: { text: "Unsupported protocol for file transfer", type: "Server" },
  9014: {
    text: "File transfer failure: unable to join multicast group",
    type: "Server",
  },
  9015: {
    text: "File transfer failure: unable to contact file server",
    type: "Server",
  },
  9016: {
    text: "File transfer failure: unable to access file",
    type: "Server",
  },
  9017: {
    text: "File transfer failure: unable to complete download",
    type: "Server",
  },
  9018: {
    text: "File transfer failure: file corrupted or otherwise unusable",
    type: "Server",
  },
  9019: {
    text: "File transfer failure: file authentication failure",
    type: "Server",
  },
  9020: {
    text:
      "File transfer failure: unable to complete download within specified time windows",
    type: "Server",
  },
  9021: {
    text:
      "Cancelation of file transfer not permitted in current transfer state",
    type: "Client",
  },
  9022: { text: "Invalid UUID format", type: "Server" },
  9023: { text: "Unknown Execution Environment", type: "Server" },
  9024: { text: "Disabled Execution Environment", type: "Server" },
  9025: {
    text: "Deployment Unit to Execution Environment mismatch",
    type: "Server",
  },
  9026: { text: "Duplicate Deployment Unit", type: "Server" },
  9027: { text: "System resources exceeded", type: "Server" },
  9028: { text: "Unknown Deployment Unit", type: "Server" },
  9029: { text: "Invalid Deployment Unit state", type: "Server" },
  9030: {
    text: "Invalid Deployment Unit update: downgrade not permitted",
    type: "Server",
  },
  9031: {
    text: "Invalid Deployment Unit update: version not specified",
    type: "Server",
  },
  9032: {
    text: "Invalid Deployment Unit update: version already exists",
    type: "Server",
  },
} as const;

/** A standard fault code (a key of {@linkcode FAULTS}). */
export type StandardFaultCode = keyof typeof FAULTS;

/** SOAP `faultcode` value: who is at fault. */
export type SoapFaultType = "Client" | "Server";

/**
 * The SOAP `faultcode` for a fault code: the table's value for standard
 * codes, `Server` for vendor (9800–9899, 8800–8899) and future codes.
 *
 * @example
 * ```ts
 * import { soapFaultType } from "./faults.ts";
 * console.log(soapFaultType(9003)); // "Client"
 * console.log(soapFaultType(9850)); // "Server"
 * ```
 */
export function soapFaultType(code: number): SoapFaultType {
  return isStandardFaultCode(code) ? FAULTS[code].type : "Server";
}

/**
 * The standard text of a fault code, or a generic text for vendor codes.
 *
 * @example
 * ```ts
 * import { faultText } from "./faults.ts";
 * console.log(faultText(9000)); // "Method not supported"
 * console.log(faultText(9899)); // "Vendor fault 9899"
 * ```
 */
export function faultText(code: number): string {
  return isStandardFaultCode(code) ? FAULTS[code].text : `Vendor fault ${code}`;
}

/**
 * Whether `code` is one of the standard codes of {@linkcode FAULTS}.
 *
 * @example
 * ```ts
 * import { isStandardFaultCode } from "./faults.ts";
 * console.log(isStandardFaultCode(9007)); // true
 * console.log(isStandardFaultCode(9100)); // false
 * ```
 */
export function isStandardFaultCode(code: number): code is StandardFaultCode {
  return Object.hasOwn(FAULTS, code);
}

/** One entry of a SetParameterValues fault: which parameter failed and why. */
export interface ParameterFault {
  /** Full path of the parameter that failed. */
  readonly parameterName: string;
  /** CPE fault code: 9005, 9006, 9007 or 9008 (or a vendor code). */
  readonly faultCode: number;
  /** Human-readable reason; defaults to the code's standard text. */
  readonly faultString: string;
}

/**
 * Why a message could not be decoded. Each reason maps to a CWMP fault code
 * and to the HTTP status a server answers with (see
 * {@linkcode DECODE_FAILURES}).
 */
export type DecodeFailure = keyof typeof DECODE_FAILURES;

/**
 * Decode failures as data: the fault code a CPE answers with, and the HTTP
 * status a server (the connection-request listener, the fixture ACS) uses.
 * Rejections that happen before anything is parsed (size, encoding, DTD,
 * depth) cannot be answered with a SOAP fault that echoes a `cwmp:ID`, so the
 * HTTP status is what a server sends for them.
 *
 * @example
 * ```ts
 * import { DECODE_FAILURES } from "./faults.ts";
 * console.log(DECODE_FAILURES.too_large.httpStatus); // 413
 * ```
 */
export const DECODE_FAILURES = {
  too_large: { code: 9004, httpStatus: 413 },
  invalid_utf8: { code: 9003, httpStatus: 400 },
  invalid_character: { code: 9003, httpStatus: 400 },
  doctype: { code: 9003, httpStatus: 400 },
  too_deep: { code: 9004, httpStatus: 400 },
  malformed_xml: { code: 9003, httpStatus: 400 },
  not_envelope: { code: 9003, httpStatus: 400 },
  invalid_envelope: { code: 9003, httpStatus: 400 },
  wrong_namespace: { code: 9003, httpStatus: 400 },
  unknown_method: { code: 9000, httpStatus: 200 },
  invalid_arguments: { code: 9003, httpStatus: 200 },
  invalid_header: { code: 9003, httpStatus: 200 },
} as const;

/** Options for {@linkcode CwmpFault}. */
export interface CwmpFaultOptions {
  /** Per-parameter faults; only for SetParameterValues. */
  readonly parameterFaults?: readonly ParameterFault[];
  /** Set when the fault comes from decoding: what was wrong with the input. */
  readonly reason?: DecodeFailure;
  /** The `cwmp:ID` of the request that failed, when it could be read. */
  readonly requestId?: string;
  /** The method of the request that failed, when it could be read. */
  readonly method?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * A CWMP fault: the one error type of the agent. It carries the fault code,
 * the human-readable fault string and, for SetParameterValues, one entry per
 * failing parameter. Anything that goes wrong while handling ACS input ends up
 * as a `CwmpFault`, so there is one place that turns errors into wire faults.
 *
 * @example
 * ```ts
 * import { CwmpFault } from "./faults.ts";
 * const fault = new CwmpFault(9005, "No such parameter: Device.Foo");
 * console.log(fault.code, fault.faultType); // 9005 "Client"
 * ```
 */
export class CwmpFault extends Error {
  /** The fault code (9000–9899 from a CPE, 8000–8899 from an ACS). */
  readonly code: number;
  /** Per-parameter faults (SetParameterValues only); may be empty. */
  readonly parameterFaults: readonly ParameterFault[];
  /** For decode failures: what was wrong with the input. */
  readonly reason: DecodeFailure | undefined;
  /** The `cwmp:ID` of the failing request, when known. */
  readonly requestId: string | undefined;
  /** The method of the failing request, when known. */
  readonly method: string | undefined;

  /**
   * Creates a fault.
   *
   * @param code the fault code
   * @param message the fault string; defaults to the code's standard text
   * @param options per-parameter faults, decode reason, request id and cause
   */
  constructor(code: number, message?: string, options: CwmpFaultOptions = {}) {
    super(message ?? faultText(code), { cause: options.cause });
    this.name = "CwmpFault";
    this.code = code;
    this.parameterFaults = options.parameterFaults ?? [];
    this.reason = options.reason;
    this.requestId = options.requestId;
    this.method = options.method;
  }

  /** `Client` or `Server`, for the SOAP `faultcode` element. */
  get faultType(): SoapFaultType {
    return soapFaultType(this.code);
  }

  /**
   * The HTTP status a server answers with for this fault: the decode reason's
   * status when there is one, otherwise 200 (a SOAP fault is a normal reply).
   */
  get httpStatus(): number {
    return this.reason ? DECODE_FAILURES[this.reason].httpStatus : 200;
  }

  /**
   * A fault for a decode failure, with the code that failure maps to.
   *
   * @example
   * ```ts
   * import { CwmpFault } from "./faults.ts";
   * const f = CwmpFault.decode("too_deep", "nesting deeper than 64");
   * console.log(f.code, f.httpStatus); // 9004 400
   * ```
   */
  static decode(
    reason: DecodeFailure,
    message: string,
    options: Omit<CwmpFaultOptions, "reason"> = {},
  ): CwmpFault {
    return new CwmpFault(DECODE_FAILURES[reason].code, message, {
      ...options,
      reason,
    });
  }
}
