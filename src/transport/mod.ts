/**
 * HTTP towards the ACS: the session client (cookies, Basic and Digest,
 * redirects, timeouts) and Digest for both sides.
 *
 * @example
 * ```ts
 * import { parseDigestChallenge } from "./mod.ts";
 * console.log(parseDigestChallenge('Digest realm="acs", nonce="1"')?.realm); // "acs"
 * ```
 *
 * @module
 */
export * from "./acs_client.ts";
export * from "./content_coding.ts";
export * from "./cookies.ts";
export * from "./digest.ts";
export * from "./digest_server.ts";
export * from "./http_transport.ts";
export * from "./http1_transport.ts";
export * from "./node_tls_transport.ts";
export * from "./transport_error.ts";
export * from "./transport_for.ts";
