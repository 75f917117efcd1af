/**
 * Decoding of CWMP SOAP envelopes into typed messages.
 *
 * @module
 */
import { CwmpFault, faultText, type ParameterFault } from "./faults.ts";
import { type DecodeLimits, resolveDecodeLimits } from "./limits.ts";
import type {
  AcsMessage,
  CpeMessage,
  Envelope,
  FaultBody,
  SoapHeader,
} from "./messages.ts";
import {
  type CwmpNamespaceName,
  namespaceName,
  SOAP_ENV_NS,
} from "./namespaces.ts";
import type { FieldsOf } from "./schema.ts";
import { decodeFields } from "./_codec.ts";
import {
  type Direction,
  FAULT_FIELDS,
  FROM_ACS,
  FROM_CPE,
} from "./_directions.ts";
import { guardInput } from "./_xml_guard.ts";
import { attribute, parseXml, type XmlElement } from "./_xml.ts";

/** Options for {@linkcode decodeAcsMessage} and {@linkcode decodeCpeMessage}. */
export interface DecodeOptions {
  /** Limits on size, depth and list length; defaults apply to the rest. */
  readonly limits?: Partial<DecodeLimits>;
}

/**
 * Decodes what an ACS sent to the CPE (the body of an HTTP response): a
 * request for a CPE method, a response to a CPE request, a SOAP fault, or
 * nothing. Accepts any namespace prefixes, the cwmp-1-0, 1-1 and 1-2
 * namespaces, missing `soap-enc:arrayType` and `xsi:type`, comments and
 * whitespace.
 *
 * @throws {CwmpFault} with a `reason` for anything it rejects: oversized,
 * invalid UTF-8, DTDs, deep nesting, malformed XML, not a SOAP 1.1 envelope,
 * an unknown method (9000), missing or malformed arguments (9003).
 *
 * @example
 * ```ts
 * import { decodeAcsMessage } from "./decode.ts";
 * const message = decodeAcsMessage(`
 *   <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 *       xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
 *     <soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">7</cwmp:ID></soapenv:Header>
 *     <soapenv:Body><cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot></soapenv:Body>
 *   </soapenv:Envelope>`);
 * if (message.body.kind === "request" && message.body.method === "Reboot") {
 *   console.log(message.header.id, message.body.args.commandKey); // "7" "k"
 * }
 * ```
 */
export function decodeAcsMessage(
  input: Uint8Array | string,
  options: DecodeOptions = {},
): AcsMessage {
  return decodeEnvelope(input, FROM_ACS, options) as AcsMessage;
}

/**
 * Decodes what a CPE sent to an ACS (the body of an HTTP POST): an Inform or
 * other CPE request, a response to an ACS request, a fault, or an empty POST.
 * The fixture ACS uses it; so can anyone testing a CPE.
 *
 * @throws {CwmpFault} as {@linkcode decodeAcsMessage} does, with ACS-side
 * meaning (an ACS answers an unknown method with 8000).
 *
 * @example
 * ```ts
 * import { decodeCpeMessage } from "./decode.ts";
 * const message = decodeCpeMessage("");
 * console.log(message.body.kind); // "empty"
 * ```
 */
export function decodeCpeMessage(
  input: Uint8Array | string,
  options: DecodeOptions = {},
): CpeMessage {
  return decodeEnvelope(input, FROM_CPE, options) as CpeMessage;
}

type AnyEnvelope = Envelope<
  | { kind: "request" | "response"; method: string; args: unknown }
  | FaultBody
  | { kind: "empty" }
>;

function decodeEnvelope(
  input: Uint8Array | string,
  direction: Direction,
  options: DecodeOptions,
): AnyEnvelope {
  // The element budget protects the CPE's small heap; what a CPE sends is
  // read by an ACS (or the fixture), which has room for a large answer.
  const limits = resolveDecodeLimits(
    direction === FROM_CPE
      ? { maxElements: 2_000_000, ...options.limits }
      : options.limits,
  );
  const text = guardInput(input, limits);
  if (text.trim() === "") {
    return { namespace: undefined, header: {}, body: { kind: "empty" } };
  }
  const root = parseXml(text);
  if (root.name !== "Envelope" || root.ns !== SOAP_ENV_NS) {
    throw CwmpFault.decode(
      root.name === "Envelope" ? "wrong_namespace" : "not_envelope",
      root.name === "Envelope"
        ? `Envelope is in namespace ${root.ns ?? "(none)"}, not SOAP 1.1`
        : `Root element is ${root.name}, not a SOAP Envelope`,
    );
  }
  const headerElement = soapChild(root, "Header");
  const bodyElement = soapChild(root, "Body");
  if (!bodyElement) {
    throw CwmpFault.decode("not_envelope", "Envelope has no Body");
  }
  // SOAP 1.1 §4: one Header at most and one Body; CWMP puts one message in
  // the Body (§3.5). Taking the first of several would act on a message the
  // sender may not have meant, so a second one is refused.
  for (const name of ["Header", "Body"]) {
    const count = root.children.filter((c) =>
      c.name === name && c.ns === SOAP_ENV_NS
    ).length;
    if (count > 1) {
      throw CwmpFault.decode(
        "invalid_envelope",
        `Envelope has ${count} ${name} elements; SOAP allows one`,
      );
    }
  }
  if (bodyElement.children.length > 1) {
    throw CwmpFault.decode(
      "invalid_envelope",
      `Body holds ${bodyElement.children.length} elements (${
        bodyElement.children.map((c) => c.name).join(", ")
      }); CWMP sends one message per envelope`,
    );
  }
  const { header, namespace: headerNs } = headerElement
    ? decodeHeader(headerElement)
    : { header: {}, namespace: undefined };
  const content = bodyElement.children[0];
  if (!content) return { namespace: headerNs, header, body: { kind: "empty" } };

  if (content.name === "Fault" && content.ns === SOAP_ENV_NS) {
    return {
      namespace: headerNs ?? faultNamespace(content),
      header,
      body: decodeFault(content, direction, limits),
    };
  }
  const namespace = content.ns === null ? undefined : namespaceName(content.ns);
  if (!namespace) {
    throw CwmpFault.decode(
      "wrong_namespace",
      `${content.name} is in namespace ${
        content.ns ?? "(none)"
      }, not a CWMP namespace`,
      { requestId: header.id, method: content.name },
    );
  }
  const isResponse = content.name.endsWith("Response");
  const method = isResponse
    ? content.name.slice(0, -"Response".length)
    : content.name;
  const table = isResponse ? direction.responses : direction.requests;
  const spec = Object.hasOwn(table, method) ? table[method] : undefined;
  if (!spec) {
    const reply = direction.sender === "ACS" ? "CPE" : "ACS";
    throw new CwmpFault(
      direction.sender === "ACS" ? 9000 : 8000,
      `${content.name} is not a method the ${reply} supports`,
      { reason: "unknown_method", requestId: header.id, method: content.name },
    );
  }
  let args: unknown;
  try {
    args = decodeFields(
      isResponse ? spec.response : spec.request,
      content,
      limits,
    );
  } catch (error) {
    if (!(error instanceof CwmpFault)) throw error;
    throw new CwmpFault(
      direction.sender === "ACS" ? error.code : error.code - 1000,
      `${content.name}: ${error.message}`,
      {
        reason: error.reason,
        requestId: header.id,
        method: content.name,
        cause: error,
      },
    );
  }
  return {
    namespace,
    header,
    body: { kind: isResponse ? "response" : "request", method, args },
  };
}

function soapChild(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name && c.ns === SOAP_ENV_NS);
}

function decodeHeader(
  element: XmlElement,
): { header: SoapHeader; namespace: CwmpNamespaceName | undefined } {
  const header: { -readonly [K in keyof SoapHeader]: SoapHeader[K] } = {};
  let namespace: CwmpNamespaceName | undefined;
  for (const child of element.children) {
    const ns = child.ns === null ? undefined : namespaceName(child.ns);
    if (ns) namespace ??= ns;
    const value = child.text.trim();
    switch (ns ? child.name : undefined) {
      case "ID":
        header.id = child.text;
        break;
      case "HoldRequests":
        header.holdRequests = headerBoolean(child.name, value);
        break;
      case "NoMoreRequests":
        header.noMoreRequests = headerBoolean(child.name, value);
        break;
      case "SessionTimeout":
        if (!/^\d{1,10}$/.test(value) || Number(value) > 4294967295) {
          throw CwmpFault.decode(
            "invalid_header",
            `SessionTimeout is not an unsignedInt: ${JSON.stringify(value)}`,
          );
        }
        header.sessionTimeout = Number(value);
        break;
      case "SupportedCWMPVersions":
        header.supportedCwmpVersions = value;
        break;
      case "UseCWMPVersion":
        header.useCwmpVersion = value;
        break;
      default:
        // SOAP 1.1 §4.2.3: a header entry the receiver does not know but must
        // understand fails the message; anything else may be ignored.
        if (attribute(child, "mustUnderstand", SOAP_ENV_NS)?.trim() === "1") {
          throw CwmpFault.decode(
            "invalid_header",
            `Header element ${child.name} must be understood but is not supported`,
          );
        }
    }
  }
  return { header, namespace };
}

function headerBoolean(name: string, value: string): boolean {
  if (value === "1" || value === "true") return true;
  if (value === "0" || value === "false") return false;
  throw CwmpFault.decode(
    "invalid_header",
    `${name} is not a boolean: ${JSON.stringify(value)}`,
  );
}

function faultNamespace(fault: XmlElement): CwmpNamespaceName | undefined {
  const detail = fault.children.find((c) => c.name === "detail");
  const cwmpFault = detail?.children.find((c) => c.name === "Fault");
  return cwmpFault?.ns ? namespaceName(cwmpFault.ns) : undefined;
}

/**
 * A SOAP fault. Without a `cwmp:Fault` detail (a server framework's own
 * fault, say) it becomes the sender's "Internal error" with the SOAP
 * faultstring, so the session can still treat it as a fault.
 */
function decodeFault(
  element: XmlElement,
  direction: Direction,
  limits: DecodeLimits,
): FaultBody {
  const detail = element.children.find((c) => c.name === "detail");
  const cwmpFault = detail?.children.find((c) => c.name === "Fault");
  if (!cwmpFault) {
    const soapString = element.children.find((c) => c.name === "faultstring")
      ?.text;
    return {
      kind: "fault",
      faultCode: direction.internalError,
      faultString: soapString ?? faultText(direction.internalError),
      parameterFaults: [],
    };
  }
  const fault = decodeFields<FieldsOf<typeof FAULT_FIELDS>>(
    FAULT_FIELDS,
    cwmpFault,
    limits,
  );
  const parameterFaults: ParameterFault[] = fault.setParameterValuesFault.map(
    (p) => ({
      parameterName: p.parameterName,
      faultCode: p.faultCode,
      faultString: p.faultString ?? faultText(p.faultCode),
    }),
  );
  return {
    kind: "fault",
    faultCode: fault.faultCode,
    faultString: fault.faultString ?? faultText(fault.faultCode),
    parameterFaults,
  };
}
