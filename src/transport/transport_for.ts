/**
 * Which HTTP stack carries a connection under the TLS settings: https with
 * named CAs goes through node:tls (exact trust, pins, TLS version); with
 * none, through fetch and Deno's root store, where pins and a TLS version
 * cannot be enforced, so asking for them is an error. node:tls is loaded
 * with the first connection that needs it: an agent that never speaks
 * https with named CAs does not carry it.
 *
 * @module
 */
import type { Pin } from "../tls/pins.ts";
import { FetchTransport, type HttpTransport } from "./http_transport.ts";
import { TransportError } from "./transport_error.ts";

/** The TLS settings a connection is made under. */
export interface TransportTls {
  /** PEM CA certificates trusted for https: exactly these; none means Deno's bundled roots. */
  readonly caCerts?: readonly string[];
  /** https only when some certificate of the peer's chain matches one of these. */
  readonly pins?: readonly Pin[];
  /** Lowest TLS version (default TLS 1.2). */
  readonly minTlsVersion?: "TLSv1.2" | "TLSv1.3";
  /** PEM client certificate chain, presented when the peer asks for one. */
  readonly cert?: string;
  /** PEM private key of the client certificate. */
  readonly key?: string;
}

/**
 * A transport for `scheme` (`http:` or `https:`) under `tls`. `files` picks
 * the one for file transfers: without named CAs that is
 * {@linkcode Http1Transport} rather than fetch, whose large bodies are slow.
 *
 * @throws {TransportError} kind `tls` for pins or TLS 1.3-only without a named CA.
 *
 * @example
 * ```ts
 * import { transportFor } from "./transport_for.ts";
 * const transport = await transportFor("http:", {});
 * transport.close();
 * ```
 */
export async function transportFor(
  scheme: string,
  tls: TransportTls,
  options: { readonly files?: boolean } = {},
): Promise<HttpTransport> {
  const clientCert = tls.cert && tls.key
    ? { cert: tls.cert, key: tls.key }
    : {};
  const caCerts = tls.caCerts ?? [];
  if (scheme === "https:" && caCerts.length > 0) {
    const { NodeTlsTransport } = await import("./node_tls_transport.ts");
    return new NodeTlsTransport({
      caCerts,
      ...clientCert,
      pins: tls.pins ?? [],
      minVersion: tls.minTlsVersion ?? "TLSv1.2",
    });
  }
  if (
    scheme === "https:" &&
    ((tls.pins ?? []).length > 0 || tls.minTlsVersion === "TLSv1.3")
  ) {
    throw new TransportError(
      "tls",
      "Pins and TLS 1.3-only need at least one named CA certificate",
    );
  }
  if (options.files) {
    const { Http1Transport } = await import("./http1_transport.ts");
    return new Http1Transport(clientCert);
  }
  return new FetchTransport(clientCert);
}
