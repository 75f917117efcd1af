/**
 * The server side of HTTP Digest: issue challenges, check answers. Used by
 * the connection-request listener (the ACS authenticates to the CPE) and by
 * the fixture ACS. Nonces expire, a nonce count may not go backwards (no
 * replay), and the final comparison is constant-time.
 *
 * A nonce is its issue time and an HMAC of it under a key drawn at start:
 * checking one needs no memory of having issued it, so a flood of
 * unauthenticated requests cannot push the real ACS's nonce out of a table.
 * Only nonces that authenticated a request are remembered (for their count),
 * and those are few — the listener's rate limit sees to it.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  constantTimeEqual,
  type DigestAlgorithm,
  digestResponse,
  parseAuthParams,
} from "./digest.ts";

/** Options for {@linkcode DigestVerifier}. */
export interface DigestVerifierOptions {
  /** The realm announced in challenges. */
  readonly realm: string;
  /** The algorithm required (default MD5, the one every ACS supports). */
  readonly algorithm?: DigestAlgorithm;
  /** How long a nonce stays valid (default 5 minutes). */
  readonly nonceLifetimeMs?: number;
  /**
   * Most used nonces remembered at once (for their nonce count); past it the
   * oldest are forgotten, and a nonce issued before the forgotten ones is
   * answered as stale.
   */
  readonly maxNonces?: number;
  /** The clock (ms). */
  readonly now?: () => number;
}

/** The outcome of checking an Authorization header. */
export type DigestCheck =
  | { readonly ok: true; readonly username: string }
  | { readonly ok: false; readonly stale: boolean; readonly reason: string };

/**
 * Issues Digest challenges and verifies answers against one user.
 *
 * @example
 * ```ts
 * import { DigestVerifier } from "./digest_server.ts";
 * const verifier = new DigestVerifier({ realm: "cwmp" });
 * console.log(verifier.challenge().startsWith('Digest realm="cwmp"')); // true
 * ```
 */
export class DigestVerifier {
  readonly #options: DigestVerifierOptions;
  readonly #key = crypto.getRandomValues(new Uint8Array(32));
  /** Used nonce → highest nonce count seen, oldest first. */
  readonly #used = new Map<string, number>();
  /** Nonces issued before this were forgotten: answered as stale. */
  #floor = 0;
  #counter = 0;

  /** A verifier. */
  constructor(options: DigestVerifierOptions) {
    this.#options = options;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #mac(body: string): string {
    const mac = hmac(sha256, this.#key, new TextEncoder().encode(body));
    // base64url; 22 characters carry 128 bits of the MAC.
    return btoa(String.fromCharCode(...mac.subarray(0, 17)))
      .replaceAll("+", "-").replaceAll("/", "_").slice(0, 22);
  }

  /** The issue time of a nonce this verifier made, or undefined. */
  #issued(nonce: string): number | undefined {
    const dot = nonce.lastIndexOf(".");
    if (dot <= 0 || nonce.length > 96) return undefined;
    const body = nonce.slice(0, dot);
    if (!constantTimeEqual(nonce.slice(dot + 1), this.#mac(body))) {
      return undefined;
    }
    const issued = parseInt(body.split("-")[0], 36);
    return Number.isSafeInteger(issued) ? issued : undefined;
  }

  /** A `WWW-Authenticate` value with a fresh nonce. */
  challenge(stale = false): string {
    // Time and a counter: two challenges in one millisecond differ.
    const body = `${this.#now().toString(36)}-${
      (this.#counter++).toString(36)
    }`;
    const nonce = `${body}.${this.#mac(body)}`;
    const algorithm = this.#options.algorithm ?? "MD5";
    return `Digest realm="${this.#options.realm}", qop="auth", nonce="${nonce}", algorithm=${algorithm}` +
      (stale ? ", stale=true" : "");
  }

  /**
   * Checks an `Authorization` header for `method` on `uri` against the
   * expected user and password.
   */
  verify(
    header: string | null,
    request: { method: string; uri: string },
    credentials: { username: string; password: string },
  ): DigestCheck {
    if (!header || !/^\s*digest\s/i.test(header)) {
      return { ok: false, stale: false, reason: "no Digest credentials" };
    }
    const p = parseAuthParams(header.trim().slice(6));
    const algorithm = this.#options.algorithm ?? "MD5";
    if (!p.nonce || !p.response || p.username === undefined) {
      return {
        ok: false,
        stale: false,
        reason: "incomplete Digest credentials",
      };
    }
    if ((p.algorithm ?? "MD5").toUpperCase() !== algorithm.toUpperCase()) {
      return {
        ok: false,
        stale: false,
        reason: `algorithm ${p.algorithm} not accepted`,
      };
    }
    if (p.realm !== this.#options.realm) {
      return { ok: false, stale: false, reason: "wrong realm" };
    }
    if (p.uri !== request.uri) {
      return {
        ok: false,
        stale: false,
        reason: "uri does not match the request",
      };
    }
    if (
      (p.qop ?? "").toLowerCase() !== "auth" || !p.cnonce ||
      !/^[0-9a-fA-F]{8}$/.test(p.nc ?? "")
    ) {
      return {
        ok: false,
        stale: false,
        reason: "qop=auth with nc and cnonce is required",
      };
    }
    const issued = this.#issued(p.nonce);
    if (issued === undefined) {
      return { ok: false, stale: true, reason: "unknown nonce" };
    }
    const lifetime = this.#options.nonceLifetimeMs ?? 300_000;
    if (this.#now() - issued > lifetime || issued < this.#floor) {
      this.#used.delete(p.nonce);
      return { ok: false, stale: true, reason: "expired nonce" };
    }
    const nc = parseInt(p.nc!, 16);
    const expected = digestResponse({
      challenge: {
        realm: this.#options.realm,
        nonce: p.nonce,
        algorithm,
        qop: ["auth"],
        stale: false,
      },
      username: credentials.username,
      password: credentials.password,
      method: request.method,
      uri: request.uri,
      cnonce: p.cnonce,
      nc,
    });
    // Compare user and response both, always, so timing says nothing about which failed.
    const userOk = constantTimeEqual(p.username, credentials.username);
    const responseOk = constantTimeEqual(p.response.toLowerCase(), expected);
    if (!(userOk && responseOk)) {
      return { ok: false, stale: false, reason: "wrong credentials" };
    }
    if (nc <= (this.#used.get(p.nonce) ?? 0)) {
      return { ok: false, stale: false, reason: "replayed nonce count" };
    }
    this.#used.delete(p.nonce);
    this.#used.set(p.nonce, nc);
    const max = this.#options.maxNonces ?? 1024;
    for (const [old] of this.#used) {
      if (this.#used.size <= max) break;
      this.#used.delete(old);
      // Its count is forgotten, so nothing issued up to it may be used again.
      this.#floor = Math.max(this.#floor, (this.#issued(old) ?? 0) + 1);
    }
    return { ok: true, username: p.username };
  }
}
