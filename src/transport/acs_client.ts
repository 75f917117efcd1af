/**
 * The HTTP side of one CWMP session: POSTs to the ACS over one kept-alive
 * connection, with cookies, HTTP Basic or Digest authentication, redirects
 * and a timeout on every exchange.
 *
 * @module
 */
import type { Pin } from "../tls/pins.ts";
import { CookieJar } from "./cookies.ts";
import {
  digestAuthorization,
  type DigestChallenge,
  parseDigestChallenge,
  randomNonce,
} from "./digest.ts";
import {
  type ContentCoding,
  decodeBody,
  encodeBody,
  stillEncoded,
} from "./content_coding.ts";
import type { HttpReply, HttpTransport } from "./http_transport.ts";
import { transportFor } from "./transport_for.ts";
import { TransportError } from "./transport_error.ts";

/** Credentials and limits for a session. */
export interface AcsClientOptions {
  /** ManagementServer.Username. */
  readonly username?: string;
  /** ManagementServer.Password. */
  readonly password?: string;
  /** How long to wait for each HTTP response; TR-069 requires at least 30 s. */
  readonly timeoutMs?: number;
  /** Largest response body accepted. */
  readonly maxResponseBytes?: number;
  /** Most redirects followed in one session (digest §1.6: 5). */
  readonly maxRedirects?: number;
  /** PEM CA certificates trusted for https: exactly these; none means Deno's bundled roots. */
  readonly caCerts?: readonly string[];
  /** https only when some certificate of the ACS's chain matches one of these. */
  readonly pins?: readonly Pin[];
  /** Lowest TLS version (default TLS 1.2). */
  readonly minTlsVersion?: "TLSv1.2" | "TLSv1.3";
  /** PEM client certificate chain, presented when the ACS asks for one. */
  readonly cert?: string;
  /** PEM private key of the client certificate. */
  readonly key?: string;
  /** Decides whether a redirect target may be followed (the TLS issue's allow-list). */
  readonly allowRedirect?: (url: URL) => boolean;
  /** The clock, for cookies. */
  readonly now?: () => number;
  /** HTTP compression of the CPE's messages (ManagementServer.HTTPCompression). */
  readonly compression?: ContentCoding;
}

/** An ACS reply. */
export interface AcsReply {
  /** HTTP status. */
  readonly status: number;
  /** The body (empty for 204). */
  readonly body: Uint8Array;
}

const REDIRECTS = new Set([301, 302, 307, 308]);

/** Challenges answered for one message: the first, then two stale nonces. */
const MAX_CHALLENGES_PER_MESSAGE = 3;
/** Challenges answered in one session: nonces expire, but not every message. */
const MAX_CHALLENGES_PER_SESSION = 64;

/**
 * The HTTP client of one session. Create one per session and close it at the
 * end: it owns the connection, the cookies and the current ACS URL.
 *
 * @example
 * ```ts
 * import { AcsClient } from "./acs_client.ts";
 * const client = new AcsClient("http://127.0.0.1:7547/acs", { username: "cpe", password: "secret" });
 * // const reply = await client.post(informXml, { soapAction: true });
 * client.close();
 * ```
 */
export class AcsClient {
  #url: URL;
  readonly #options: AcsClientOptions;
  readonly #transports = new Map<string, HttpTransport>();
  readonly #cookies: CookieJar;
  #challenge: DigestChallenge | undefined;
  #nc = 0;
  #cnonce = randomNonce();
  #basic = false;
  #redirects = 0;
  #sessionChallenges = 0;

  /** A client for a session with the ACS at `url`. */
  constructor(url: string, options: AcsClientOptions = {}) {
    this.#url = new URL(url);
    if (this.#url.protocol !== "http:" && this.#url.protocol !== "https:") {
      throw new TypeError(`ACS URL must be http or https: ${url}`);
    }
    this.#options = options;
    this.#cookies = new CookieJar(options.now);
    // With TLS the ACS may ask for Basic; send it up front to save a round trip (digest §1.4).
    this.#basic = this.#url.protocol === "https:" && !!options.username;
  }

  /** The URL the session currently talks to (after redirects). */
  get url(): string {
    return this.#url.href;
  }

  /**
   * POSTs a body (text or UTF-8; empty for the empty POST) and returns the
   * ACS reply; follows redirects, answers authentication challenges once,
   * returns cookies.
   *
   * @throws {TransportError} for network failures, timeouts, a second 401,
   * too many redirects, an oversized body.
   */
  async post(
    body: string | Uint8Array<ArrayBuffer>,
    options: { soapAction?: boolean } = {},
  ): Promise<AcsReply> {
    let challenges = 0;
    for (;;) {
      const response = await this.#send(body, options.soapAction ?? false);
      const status = response.status;
      if (status === 401) {
        await response.discard();
        const challenge = parseDigestChallenge(
          response.headers.get("www-authenticate"),
        );
        const stale = challenge?.stale ?? false;
        if (!this.#options.username || (challenges > 0 && !stale)) {
          throw new TransportError(
            "auth",
            "The ACS refused the credentials (HTTP 401)",
            { status },
          );
        }
        // A stale nonce is answered with a fresh one, but not forever: an
        // ACS that calls every nonce stale would keep the CPE posting.
        if (++challenges > MAX_CHALLENGES_PER_MESSAGE) {
          throw new TransportError(
            "auth",
            `The ACS sent ${challenges} authentication challenges for one message (stale nonces); giving up`,
            { status },
          );
        }
        if (++this.#sessionChallenges > MAX_CHALLENGES_PER_SESSION) {
          throw new TransportError(
            "auth",
            `The ACS sent more than ${MAX_CHALLENGES_PER_SESSION} authentication challenges in one session; giving up`,
            { status },
          );
        }
        if (challenge) {
          this.#challenge = challenge;
          this.#nc = 0;
          this.#basic = false;
        } else if (
          /^\s*basic/i.test(response.headers.get("www-authenticate") ?? "")
        ) {
          this.#basic = true;
        } else {
          throw new TransportError(
            "auth",
            "The ACS asked for an authentication scheme this CPE does not support",
            {
              status,
            },
          );
        }
        continue;
      }
      if (REDIRECTS.has(status)) {
        await response.discard();
        const location = response.headers.get("location");
        if (!location) {
          throw new TransportError(
            "redirect",
            `HTTP ${status} without a Location`,
          );
        }
        const max = this.#options.maxRedirects ?? 5;
        if (++this.#redirects > max) {
          throw new TransportError(
            "redirect",
            `More than ${max} redirects in one session`,
          );
        }
        const target = new URL(location, this.#url);
        if (target.protocol !== "http:" && target.protocol !== "https:") {
          throw new TransportError(
            "redirect",
            `Redirect to a non-HTTP URL: ${target.protocol}`,
          );
        }
        if (this.#url.protocol === "https:" && target.protocol === "http:") {
          throw new TransportError(
            "redirect",
            "Refusing a redirect from https to plain http",
          );
        }
        if (
          this.#options.allowRedirect && !this.#options.allowRedirect(target)
        ) {
          throw new TransportError(
            "redirect",
            `Redirect to a host outside the allow-list: ${target.host}`,
          );
        }
        if (target.origin !== this.#url.origin) {
          // Credentials negotiated with one server are not replayed to another.
          this.#challenge = undefined;
          this.#basic = target.protocol === "https:" &&
            !!this.#options.username;
        }
        this.#url = target;
        continue;
      }
      return { status, body: await this.#readBody(response) };
    }
  }

  async #send(
    body: string | Uint8Array<ArrayBuffer>,
    soapAction: boolean,
  ): Promise<HttpReply> {
    const headers = new Headers();
    const coding = this.#options.compression;
    if (body.length > 0) {
      headers.set("content-type", 'text/xml; charset="utf-8"');
      // Requests carry SOAPAction (empty value); responses and faults an empty header too (digest §1.2).
      headers.set("soapaction", soapAction ? '""' : "");
      if (coding) {
        body = await encodeBody(
          typeof body === "string" ? new TextEncoder().encode(body) : body,
          coding,
        );
        headers.set("content-encoding", coding);
      }
    }
    if (coding) headers.set("accept-encoding", coding);
    const cookie = this.#cookies.header(this.#url);
    if (cookie) headers.set("cookie", cookie);
    const authorization = this.#authorization();
    if (authorization) headers.set("authorization", authorization);
    const url = this.#url;
    const response = await (await this.#transport()).send({
      url,
      headers,
      body,
      timeoutMs: this.#options.timeoutMs ?? 30_000,
    });
    // Cookies belong to the host that answered (a redirect may move on).
    this.#cookies.store(response.headers.getSetCookie(), url);
    return response;
  }

  /**
   * One transport per scheme: a redirect may move an http session to https
   * (lab). `transportFor` says which stack carries it.
   */
  async #transport(): Promise<HttpTransport> {
    const scheme = this.#url.protocol;
    let transport = this.#transports.get(scheme);
    if (!transport) {
      transport = await transportFor(scheme, this.#options);
      this.#transports.set(scheme, transport);
    }
    return transport;
  }

  #authorization(): string | undefined {
    const { username, password } = this.#options;
    if (!username) return undefined;
    if (this.#challenge) {
      return digestAuthorization({
        challenge: this.#challenge,
        username,
        password: password ?? "",
        method: "POST",
        uri: this.#url.pathname + this.#url.search,
        cnonce: this.#cnonce,
        nc: ++this.#nc,
      });
    }
    if (this.#basic) {
      const bytes = new TextEncoder().encode(`${username}:${password ?? ""}`);
      return `Basic ${btoa(String.fromCharCode(...bytes))}`;
    }
    return undefined;
  }

  async #readBody(response: HttpReply): Promise<Uint8Array> {
    const limit = this.#options.maxResponseBytes ?? 4 * 1024 * 1024;
    if (!response.body) return new Uint8Array();
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body) {
        total += chunk.length;
        if (total > limit) {
          throw new TransportError(
            "too_large",
            `ACS response larger than ${limit} bytes`,
          );
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof TransportError) throw error;
      throw new TransportError(
        "network",
        `Connection lost while reading the ACS response: ${
          (error as Error)?.message ?? error
        }`,
        { cause: error },
      );
    }
    const out = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    // An ACS answers in the coding it was sent (GenieACS does); fetch has
    // decoded such a body already, node:https has not.
    const coding = response.headers.get("content-encoding")?.trim()
      .toLowerCase();
    if (
      (coding === "gzip" || coding === "deflate") && stillEncoded(out, coding)
    ) {
      return await decodeBody(out, coding, limit);
    }
    return out;
  }

  /** Closes the connection; the session is over. */
  close(): void {
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
  }
}
