/**
 * Connection requests through a NAT (TR-069 Annex G): the STUN Binding
 * messages a CPE sends from its UDP Connection Request port to learn and
 * keep its public mapping, and the UDP Connection Requests an ACS sends to
 * that mapping, parsed and verified against replay.
 *
 * @example
 * ```ts
 * import { parseUdpConnectionRequest, UdpRequestVerifier } from "./mod.ts";
 * const verifier = new UdpRequestVerifier();
 * const parsed = parseUdpConnectionRequest(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
 * console.log("request" in parsed ? await verifier.verify(parsed.request, { username: "a", password: "b" }) : parsed.reason); // "malformed"
 * ```
 *
 * @module
 */
export * from "./stun_keepalive.ts";
export * from "./stun_message.ts";
export * from "./udp_connection_request.ts";
export * from "./udp_endpoint.ts";
