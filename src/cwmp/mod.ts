/**
 * The CWMP message layer: typed messages, a SOAP codec for every CWMP 1.0–1.4
 * message in both directions, and faults as data. Pure: no I/O.
 *
 * @example
 * ```ts
 * import { decodeAcsMessage, encodeCpeMessage } from "./mod.ts";
 * const request = decodeAcsMessage(
 *   `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-2">
 *      <s:Body><c:GetRPCMethods/></s:Body></s:Envelope>`,
 * );
 * const reply = encodeCpeMessage({
 *   namespace: request.namespace ?? "1-2",
 *   body: { kind: "response", method: "GetRPCMethods",
 *     args: { methodList: ["GetRPCMethods"] } },
 * });
 * console.log(reply.includes('soap-enc:arrayType="xsd:string[1]"')); // true
 * ```
 *
 * @module
 */
export * from "./decode.ts";
export * from "./encode.ts";
export * from "./faults.ts";
export * from "./limits.ts";
export * from "./messages.ts";
export * from "./methods.ts";
export * from "./namespaces.ts";
export * from "./schema.ts";
export * from "./value_types.ts";
export * from "./xml_escape.ts";
