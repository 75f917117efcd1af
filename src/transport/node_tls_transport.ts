/**
 * https to the ACS through `node:https`, because Deno's own TLS client
 * (fetch, `Deno.connectTls`) can neither show the peer certificate (pins)
 * nor set a minimum TLS version, and adds its trust to the built-in roots and
 * to whatever `DENO_CERT`/`SSL_CERT_FILE` bring. Here the CA list is exactly
 * the one given (measured on Deno 2.9.6: with `ca` set, none of those
 * variables is consulted) and verification is forced on, so
 * `NODE_TLS_REJECT_UNAUTHORIZED=0` cannot turn it off.
 *
 * Order of checks on every new connection, before a byte of the request is
 * written: chain against the CAs (Deno's TLS), host name, then pins.
 *
 * @module
 */
import https from "node:https";
import tls from "node:tls";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { chainMatchesPins } from "../tls/pin_match.ts";
import type { Pin } from "../tls/pins.ts";
import {
  certificateReason,
  diagnoseCertificateFailure,
} from "./_tls_diagnosis.ts";
import { bodyTimeout, isStreamed, peerOf, wholeBody } from "./_exchange.ts";
import type {
  HttpExchange,
  HttpReply,
  HttpTransport,
  StreamedBody,
} from "./http_transport.ts";
import { TransportError } from "./transport_error.ts";

/** TLS settings of a {@link NodeTlsTransport}. */
export interface NodeTlsOptions {
  /**
   * PEM CA certificates trusted for the ACS: exactly these, at least one.
   * (Without `ca`, Deno's node:https reads the process's extra CA
   * certificates, which needs every sys permission; https against Deno's
   * root store goes through `FetchTransport` instead.)
   */
  readonly caCerts: readonly string[];
  /** PEM client certificate chain, presented when the ACS asks for one. */
  readonly cert?: string;
  /** PEM private key of the client certificate. */
  readonly key?: string;
  /** Some certificate of the chain must match one of these (none: no pinning). */
  readonly pins?: readonly Pin[];
  /** Lowest TLS version accepted (default TLS 1.2). */
  readonly minVersion?: "TLSv1.2" | "TLSv1.3";
}

/** A certificate as node:tls shows it, with the chain linked through `issuerCertificate`. */
interface LinkedCertificate {
  readonly raw?: Uint8Array;
  readonly issuerCertificate?: LinkedCertificate;
}

class PinMismatchError extends Error {
  readonly code = "CWMP_PIN_MISMATCH";
}

class ExchangeTimeout extends Error {}

const CERTIFICATE_CODES =
  /^(UNABLE_TO_|CERT_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS_CERT_ALTNAME|HOSTNAME_MISMATCH|INVALID_PURPOSE)/;
const TLS_CODES = /^(ERR_SSL_|ERR_TLS_)/;

/**
 * One session's https connection to the ACS.
 *
 * @example
 * ```ts
 * import { NodeTlsTransport } from "./node_tls_transport.ts";
 * const acsRoot = "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n";
 * const transport = new NodeTlsTransport({ caCerts: [acsRoot], minVersion: "TLSv1.3" });
 * // const reply = await transport.send({ url: new URL("https://acs.example.net/"), headers: new Headers(), body: "", timeoutMs: 30_000 });
 * transport.close();
 * ```
 */
export class NodeTlsTransport implements HttpTransport {
  readonly #options: NodeTlsOptions;
  readonly #agent: https.Agent;

  /**
   * A transport for one session.
   *
   * @throws {TypeError} when no CA is named.
   */
  constructor(options: NodeTlsOptions) {
    if (options.caCerts.length === 0) {
      throw new TypeError("NodeTlsTransport needs at least one CA certificate");
    }
    this.#options = options;
    // One connection per session (the ACS tracks sessions by it); no TLS session cache, so every
    // connection shows its certificate and is checked in full.
    this.#agent = new https.Agent({
      keepAlive: true,
      maxSockets: 1,
      maxCachedSessions: 0,
    });
  }

  /** Sends one exchange. */
  send(exchange: HttpExchange): Promise<HttpReply> {
    if (exchange.url.protocol !== "https:") {
      throw new TypeError(
        `NodeTlsTransport carries https only, not ${exchange.url.protocol}`,
      );
    }
    const pins = this.#options.pins ?? [];
    const headers: Record<string, string> = Object.fromEntries(
      exchange.headers,
    );
    const streamed = isStreamed(exchange.body) ? exchange.body : undefined;
    const body = isStreamed(exchange.body)
      ? new Uint8Array()
      : wholeBody(exchange.body);
    // An explicit length: some ACSs do not take chunked requests.
    headers["content-length"] = String(streamed?.size ?? body.length);
    return new Promise<HttpReply>((resolve, reject) => {
      let replied = false;
      const request = https.request(exchange.url, {
        method: exchange.method ?? "POST",
        agent: this.#agent,
        headers,
        ca: [...this.#options.caCerts],
        ...(this.#options.cert && this.#options.key
          ? { cert: this.#options.cert, key: this.#options.key }
          : {}),
        minVersion: this.#options.minVersion ?? "TLSv1.2",
        rejectUnauthorized: true,
        checkServerIdentity: (host, certificate) => {
          const nameError = tls.checkServerIdentity(host, certificate);
          if (nameError) return nameError;
          if (!chainMatchesPins(chainOf(certificate), pins)) {
            return new PinMismatchError(
              "the certificate chain matches none of the profile's pins",
            );
          }
          return undefined;
        },
      }, (response) => {
        const socket = response.socket as tls.TLSSocket;
        // Belt and braces: the request is only answered on a verified socket.
        if (!socket.authorized) {
          response.destroy();
          reject(
            new TransportError(
              "tls",
              `TLS with ${exchange.url.host} failed: the connection is not verified (${
                socket.authorizationError ?? "no reason"
              })`,
            ),
          );
          return;
        }
        replied = true;
        response.once("close", () => {
          clearTimeout(timer);
          clearTimeout(idle);
        });
        // Errors reach the reader through the body stream; an unread body must not crash the agent.
        response.on("error", () => {});
        resolve(reply(response, () => timedOut, exchange, () => {
          clearTimeout(idle);
          if (exchange.idleTimeoutMs === undefined) return;
          idle = setTimeout(() => {
            stalled = true;
            request.destroy(new ExchangeTimeout());
          }, exchange.idleTimeoutMs);
        }, () => stalled));
      });
      // Headers and body may leave as separate writes; without this, Nagle's algorithm would hold
      // the second for the peer's delayed ACK (tens of ms). Node's own agent sets it by default.
      request.on("socket", (socket) => socket.setNoDelay(true));
      // Once the headers are in, the body stream sees only "aborted" when
      // this fires: the flag tells it why.
      let timedOut = false;
      let stalled = false;
      let idle: ReturnType<typeof setTimeout> | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        request.destroy(new ExchangeTimeout());
      }, exchange.timeoutMs);
      request.on("error", (error) => {
        if (replied) return; // The body stream reports it.
        clearTimeout(timer);
        this.#explain(error, exchange).then(reject, reject);
      });
      if (streamed) void writeStream(request, streamed);
      else request.end(body.length > 0 ? body : undefined);
    });
  }

  async #explain(
    error: Error,
    exchange: HttpExchange,
  ): Promise<TransportError> {
    const host = exchange.url.host;
    if (error instanceof ExchangeTimeout) {
      return new TransportError(
        "timeout",
        `No response from ${peerOf(exchange)} within ${exchange.timeoutMs} ms`,
        { cause: error },
      );
    }
    const code = String((error as { code?: unknown }).code ?? "");
    if (error instanceof PinMismatchError || code === "CWMP_PIN_MISMATCH") {
      return new TransportError(
        "tls",
        `TLS with ${host} failed: ${error.message}`,
        { cause: error },
      );
    }
    if (CERTIFICATE_CODES.test(code)) {
      const reason = await diagnoseCertificateFailure(exchange.url, {
        caCerts: this.#options.caCerts,
        timeoutMs: Math.min(exchange.timeoutMs, 10_000),
        peer: peerOf(exchange),
      });
      return new TransportError(
        "tls",
        `TLS with ${host} failed: ${
          reason ?? `not issued by a CA this profile trusts (${error.message})`
        }`,
        { cause: error },
      );
    }
    if (
      TLS_CODES.test(code) || /alert|handshake|certificate/i.test(error.message)
    ) {
      return new TransportError(
        "tls",
        `TLS with ${host} failed: ${
          certificateReason(error.message, peerOf(exchange))
        }`,
        { cause: error },
      );
    }
    return new TransportError(
      "network",
      `Cannot reach ${peerOf(exchange)} at ${host}: ${error.message}`,
      { cause: error },
    );
  }

  /** Closes the connection. */
  close(): void {
    this.#agent.destroy();
  }
}

function chainOf(certificate: LinkedCertificate): Uint8Array[] {
  const chain: Uint8Array[] = [];
  for (
    let current: LinkedCertificate | undefined = certificate;
    current?.raw && chain.length < 10;
    current = current.issuerCertificate
  ) {
    chain.push(new Uint8Array(current.raw));
    // A self-signed root links to itself.
    if (current.issuerCertificate === current) break;
  }
  return chain;
}

/** Writes a streamed body with backpressure; a failure ends the request. */
async function writeStream(
  request: import("node:http").ClientRequest,
  body: StreamedBody,
): Promise<void> {
  let sent = 0;
  try {
    for await (const chunk of body.stream) {
      if (request.destroyed) break;
      sent += chunk.byteLength;
      body.onBytes?.(sent);
      if (!request.write(chunk)) {
        await new Promise((resolve) => {
          request.once("drain", resolve);
          request.once("close", resolve);
        });
      }
    }
    request.end();
  } catch (error) {
    request.destroy(error as Error);
  }
}

function reply(
  response: IncomingMessage,
  timedOut: () => boolean,
  exchange: HttpExchange,
  rearm: () => void,
  stalled: () => boolean,
): HttpReply {
  return {
    status: response.statusCode ?? 0,
    headers: toHeaders(response.headers),
    body: chunks(response, timedOut, exchange, rearm, stalled),
    discard: () =>
      new Promise<void>((resolve) => {
        response.once("end", resolve);
        response.once("close", resolve);
        response.resume();
      }),
  };
}

async function* chunks(
  response: IncomingMessage,
  timedOut: () => boolean,
  exchange: HttpExchange,
  rearm: () => void,
  stalled: () => boolean,
): AsyncIterable<Uint8Array> {
  try {
    rearm();
    for await (const chunk of response) {
      rearm();
      yield typeof chunk === "string"
        ? new TextEncoder().encode(chunk)
        : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
  } catch (error) {
    // The exchange's timer (or the idle one) went off while the body was still coming.
    if (error instanceof ExchangeTimeout || timedOut() || stalled()) {
      throw bodyTimeout(exchange, stalled(), error);
    }
    throw error;
  }
  // A body cut short ends the stream without an error in some versions.
  if (!response.complete) throw new Error("connection closed mid-body");
}

function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      headers.append(name, item);
    }
  }
  return headers;
}
