/**
 * Encoding of typed messages into CWMP SOAP envelopes.
 *
 * @module
 */
import { type CwmpFault, faultText, soapFaultType } from "./faults.ts";
import type { AcsBody, CpeBody, FaultBody, SoapHeader } from "./messages.ts";
import {
  CWMP_NAMESPACES,
  type CwmpNamespaceName,
  namespaceIncludes,
  SOAP_ENC_NS,
  SOAP_ENV_NS,
  XSD_NS,
  XSI_NS,
} from "./namespaces.ts";
import { writeFields, type XmlSink } from "./_codec.ts";
import { Utf8Sink } from "./_utf8_sink.ts";
import {
  type Direction,
  FROM_ACS,
  FROM_CPE,
  HEADER_ELEMENTS,
} from "./_directions.ts";
import { escapeXml } from "./xml_escape.ts";

/** A message to encode: the namespace the session uses, header and body. */
export interface OutgoingMessage<B> {
  /** The CWMP namespace negotiated for the session. */
  readonly namespace: CwmpNamespaceName;
  /** Header elements; `id` should echo the request's `cwmp:ID`. */
  readonly header?: SoapHeader;
  /** The message body. */
  readonly body: B;
}

/**
 * Encodes what a CPE sends: an Inform or other CPE request, a response to an
 * ACS request, a fault, or an empty POST (the empty string). Every parameter
 * value carries its `xsi:type`, every array its true `soap-enc:arrayType`
 * count, and `cwmp:ID` carries `mustUnderstand="1"`.
 *
 * @throws {RangeError} when the body or a header element does not exist in
 * the namespace (ChangeDUState in cwmp-1-0, SessionTimeout before cwmp-1-2),
 * or a value is out of its range; {@linkcode TypeError} when a value has the
 * wrong type. These are caller bugs, never peer input.
 *
 * @example
 * ```ts
 * import { encodeCpeMessage } from "./encode.ts";
 * const xml = encodeCpeMessage({
 *   namespace: "1-2",
 *   header: { id: "7" },
 *   body: { kind: "response", method: "Reboot", args: {} },
 * });
 * console.log(xml.includes("<cwmp:RebootResponse></cwmp:RebootResponse>")); // true
 * ```
 */
export function encodeCpeMessage(message: OutgoingMessage<CpeBody>): string {
  checkCpeMessage(message);
  return encodeEnvelope(message, FROM_CPE);
}

/**
 * {@linkcode encodeCpeMessage} straight to UTF-8: what the agent sends. A
 * large response is encoded piece by piece into one buffer, never held as
 * one string (see `_utf8_sink.ts`). An empty POST is no bytes.
 *
 * @throws {RangeError | TypeError} as {@linkcode encodeCpeMessage}.
 *
 * @example
 * ```ts
 * import { encodeCpeMessageBytes } from "./encode.ts";
 * const bytes = encodeCpeMessageBytes({
 *   namespace: "1-2",
 *   header: { id: "7" },
 *   body: { kind: "response", method: "Reboot", args: {} },
 * });
 * console.log(new TextDecoder().decode(bytes).includes("RebootResponse")); // true
 * ```
 */
export function encodeCpeMessageBytes(
  message: OutgoingMessage<CpeBody>,
): Uint8Array<ArrayBuffer> {
  checkCpeMessage(message);
  const sink = new Utf8Sink();
  writeEnvelope(sink, message, FROM_CPE);
  return sink.bytes();
}

function checkCpeMessage(message: OutgoingMessage<CpeBody>): void {
  if (message.header?.holdRequests !== undefined) {
    throw new TypeError("Cannot encode: a CPE never sends HoldRequests");
  }
  if (message.header?.useCwmpVersion !== undefined) {
    throw new TypeError("Cannot encode: a CPE never sends UseCWMPVersion");
  }
}

/**
 * Encodes what an ACS sends: a request for a CPE method, a response to a CPE
 * request, a fault, or nothing (the empty string, sent as HTTP 204). The
 * fixture ACS uses it.
 *
 * @throws {RangeError | TypeError} as {@linkcode encodeCpeMessage}.
 *
 * @example
 * ```ts
 * import { encodeAcsMessage } from "./encode.ts";
 * const xml = encodeAcsMessage({
 *   namespace: "1-0",
 *   header: { id: "1", holdRequests: true },
 *   body: { kind: "request", method: "GetParameterNames",
 *     args: { parameterPath: "Device.", nextLevel: true } },
 * });
 * console.log(xml.includes("<NextLevel>true</NextLevel>")); // true
 * ```
 */
export function encodeAcsMessage(message: OutgoingMessage<AcsBody>): string {
  return encodeEnvelope(message, FROM_ACS);
}

/**
 * The fault body for a {@linkcode CwmpFault}, ready to encode.
 *
 * @example
 * ```ts
 * import { faultBody } from "./encode.ts";
 * import { CwmpFault } from "./faults.ts";
 * console.log(faultBody(new CwmpFault(9005)).faultString); // "Invalid parameter name"
 * ```
 */
export function faultBody(fault: CwmpFault): FaultBody {
  return {
    kind: "fault",
    faultCode: fault.code,
    faultString: fault.message,
    parameterFaults: fault.parameterFaults,
  };
}

const ENVELOPE_OPEN = `<?xml version="1.0" encoding="UTF-8"?>\n` +
  `<soap-env:Envelope xmlns:soap-env="${SOAP_ENV_NS}" xmlns:soap-enc="${SOAP_ENC_NS}" ` +
  `xmlns:xsd="${XSD_NS}" xmlns:xsi="${XSI_NS}" xmlns:cwmp="`;

function encodeEnvelope(
  message: OutgoingMessage<AcsBody | CpeBody>,
  direction: Direction,
): string {
  const pieces: string[] = [];
  writeEnvelope({ write: (text) => pieces.push(text) }, message, direction);
  return pieces.join("");
}

function writeEnvelope(
  sink: XmlSink,
  message: OutgoingMessage<AcsBody | CpeBody>,
  direction: Direction,
): void {
  const { namespace, body } = message;
  if (body.kind === "empty") return;
  if (!Object.hasOwn(CWMP_NAMESPACES, namespace)) {
    throw new RangeError(`Cannot encode: unknown CWMP namespace ${namespace}`);
  }
  // What can be checked is checked before the first byte is written.
  let writeBody: () => void;
  if (body.kind === "fault") {
    const xml = encodeFault(body);
    writeBody = () => sink.write(xml);
  } else {
    const table = body.kind === "request"
      ? direction.requests
      : direction.responses;
    const spec = Object.hasOwn(table, body.method)
      ? table[body.method]
      : undefined;
    if (!spec) {
      throw new TypeError(
        `Cannot encode: ${direction.sender} does not send a ${body.method} ${body.kind}`,
      );
    }
    if (!namespaceIncludes(namespace, spec.since)) {
      throw new RangeError(
        `Cannot encode: ${body.method} does not exist in cwmp-${namespace} (introduced in cwmp-${spec.since})`,
      );
    }
    const element = body.kind === "request"
      ? body.method
      : `${body.method}Response`;
    const fields = body.kind === "request" ? spec.request : spec.response;
    const args = body.args as Record<string, unknown>;
    writeBody = () => {
      sink.write(`<cwmp:${element}>`);
      writeFields(sink, fields, args);
      sink.write(`</cwmp:${element}>`);
    };
  }
  const header = encodeHeader(message.header ?? {}, namespace);
  sink.write(
    `${ENVELOPE_OPEN}${CWMP_NAMESPACES[namespace]}">${header}<soap-env:Body>`,
  );
  writeBody();
  sink.write("</soap-env:Body></soap-env:Envelope>");
}

function encodeHeader(
  header: SoapHeader,
  namespace: CwmpNamespaceName,
): string {
  let out = "";
  for (const key of Object.keys(HEADER_ELEMENTS) as (keyof SoapHeader)[]) {
    const value = header[key];
    if (value === undefined) continue;
    const { xml, mustUnderstand, since } = HEADER_ELEMENTS[key];
    if (!namespaceIncludes(namespace, since)) {
      throw new RangeError(
        `Cannot encode: header ${xml} does not exist in cwmp-${namespace}`,
      );
    }
    const text = typeof value === "string" ? escapeXml(value) : String(value);
    out +=
      `<cwmp:${xml} soap-env:mustUnderstand="${mustUnderstand}">${text}</cwmp:${xml}>`;
  }
  return out === "" ? "" : `<soap-env:Header>${out}</soap-env:Header>`;
}

function encodeFault(fault: FaultBody): string {
  let detail = `<FaultCode>${fault.faultCode}</FaultCode>` +
    `<FaultString>${escapeXml(fault.faultString)}</FaultString>`;
  for (const p of fault.parameterFaults) {
    detail += `<SetParameterValuesFault><ParameterName>${
      escapeXml(p.parameterName)
    }</ParameterName><FaultCode>${p.faultCode}</FaultCode><FaultString>${
      escapeXml(p.faultString || faultText(p.faultCode))
    }</FaultString></SetParameterValuesFault>`;
  }
  return `<soap-env:Fault><faultcode>${
    soapFaultType(fault.faultCode)
  }</faultcode>` +
    `<faultstring>CWMP fault</faultstring><detail><cwmp:Fault>${detail}</cwmp:Fault>` +
    `</detail></soap-env:Fault>`;
}
