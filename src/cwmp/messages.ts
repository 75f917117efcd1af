/**
 * Typed CWMP messages, split by sender as GenieACS does: what an ACS sends
 * (its requests to the CPE, its responses to CPE requests) and what a CPE
 * sends (the mirror image). Each body is a tagged union on `kind` and then
 * `method`.
 *
 * @module
 */
import type {
  AcsMethod,
  AcsRequestArgs,
  AcsResponseArgs,
  CpeMethod,
  CpeRequestArgs,
  CpeResponseArgs,
} from "./methods.ts";
import type { CwmpNamespaceName } from "./namespaces.ts";
import type { ParameterFault } from "./faults.ts";

/** The CWMP SOAP header elements. Absent elements are left out. */
export interface SoapHeader {
  /** `cwmp:ID`: correlates a response with its request; echoed verbatim. */
  readonly id?: string;
  /** `cwmp:HoldRequests` (ACS only): the CPE must not send requests next. */
  readonly holdRequests?: boolean;
  /** `cwmp:NoMoreRequests`: CWMP 1.0 only, deprecated; read, never acted on. */
  readonly noMoreRequests?: boolean;
  /** `cwmp:SessionTimeout` (CPE, Inform only, 1.3+): seconds. */
  readonly sessionTimeout?: number;
  /** `cwmp:SupportedCWMPVersions` (CPE, Inform only, 1.4): e.g. "1.0,1.4". */
  readonly supportedCwmpVersions?: string;
  /** `cwmp:UseCWMPVersion` (ACS, InformResponse only, 1.4): e.g. "1.4". */
  readonly useCwmpVersion?: string;
}

/** A request an ACS sends to a CPE. */
export type AcsRequest = {
  [M in CpeMethod]: {
    readonly kind: "request";
    readonly method: M;
    readonly args: AcsRequestArgs<M>;
  };
}[CpeMethod];

/** A CPE's response to an ACS request. */
export type CpeResponse = {
  [M in CpeMethod]: {
    readonly kind: "response";
    readonly method: M;
    readonly args: CpeResponseArgs<M>;
  };
}[CpeMethod];

/** A request a CPE sends to an ACS. */
export type CpeRequest = {
  [M in AcsMethod]: {
    readonly kind: "request";
    readonly method: M;
    readonly args: CpeRequestArgs<M>;
  };
}[AcsMethod];

/** An ACS's response to a CPE request. */
export type AcsResponse = {
  [M in AcsMethod]: {
    readonly kind: "response";
    readonly method: M;
    readonly args: AcsResponseArgs<M>;
  };
}[AcsMethod];

/** A SOAP fault carrying a `cwmp:Fault`. */
export interface FaultBody {
  /** Discriminant. */
  readonly kind: "fault";
  /** CWMP fault code (8000–8899 from an ACS, 9000–9899 from a CPE). */
  readonly faultCode: number;
  /** Human-readable reason. */
  readonly faultString: string;
  /** SetParameterValuesFault entries; empty for other faults. */
  readonly parameterFaults: readonly ParameterFault[];
}

/** No SOAP body: an empty HTTP body, or an envelope whose Body is empty. */
export interface EmptyBody {
  /** Discriminant. */
  readonly kind: "empty";
}

/** Everything an ACS can send to a CPE. */
export type AcsBody = AcsRequest | AcsResponse | FaultBody | EmptyBody;
/** Everything a CPE can send to an ACS. */
export type CpeBody = CpeRequest | CpeResponse | FaultBody | EmptyBody;

/** A SOAP envelope: the CWMP namespace it used, its header and its body. */
export interface Envelope<B> {
  /** The CWMP namespace; undefined only for an empty message. */
  readonly namespace: CwmpNamespaceName | undefined;
  /** The header elements. */
  readonly header: SoapHeader;
  /** The message body. */
  readonly body: B;
}

/** A message from an ACS, as a CPE decodes it. */
export type AcsMessage = Envelope<AcsBody>;
/** A message from a CPE, as an ACS decodes it. */
export type CpeMessage = Envelope<CpeBody>;
