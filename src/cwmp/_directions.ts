/**
 * Which method table applies to which sender: an ACS sends requests for CPE
 * methods and responses to ACS methods; a CPE the opposite.
 */
import { ACS_METHODS, CPE_METHODS, type MethodSpec } from "./methods.ts";
import { field, optional, repeated, t } from "./schema.ts";

/** The methods one side sends requests for, and the ones it answers. */
export interface Direction {
  /** Who sends: used in messages. */
  readonly sender: "ACS" | "CPE";
  /** Methods whose requests this side sends. */
  readonly requests: Readonly<Record<string, MethodSpec>>;
  /** Methods whose responses this side sends. */
  readonly responses: Readonly<Record<string, MethodSpec>>;
  /** Fault code assumed for a SOAP fault that carries no `cwmp:Fault`. */
  readonly internalError: number;
}

export const FROM_ACS: Direction = {
  sender: "ACS",
  requests: CPE_METHODS,
  responses: ACS_METHODS,
  internalError: 8002,
};

export const FROM_CPE: Direction = {
  sender: "CPE",
  requests: ACS_METHODS,
  responses: CPE_METHODS,
  internalError: 9002,
};

/** The content of `detail/cwmp:Fault`. */
export const FAULT_FIELDS = {
  faultCode: field("FaultCode", t.unsignedInt()),
  faultString: optional("FaultString", t.string()),
  setParameterValuesFault: repeated(
    "SetParameterValuesFault",
    t.struct({
      parameterName: field("ParameterName", t.string()),
      faultCode: field("FaultCode", t.unsignedInt()),
      faultString: optional("FaultString", t.string()),
    }),
  ),
} as const;

/** Header elements with the `mustUnderstand` value the schemas fix. */
export const HEADER_ELEMENTS = {
  id: { xml: "ID", mustUnderstand: "1", since: "1-0" },
  holdRequests: { xml: "HoldRequests", mustUnderstand: "1", since: "1-0" },
  noMoreRequests: { xml: "NoMoreRequests", mustUnderstand: "0", since: "1-0" },
  sessionTimeout: { xml: "SessionTimeout", mustUnderstand: "0", since: "1-2" },
  supportedCwmpVersions: {
    xml: "SupportedCWMPVersions",
    mustUnderstand: "0",
    since: "1-2",
  },
  useCwmpVersion: { xml: "UseCWMPVersion", mustUnderstand: "1", since: "1-2" },
} as const;
