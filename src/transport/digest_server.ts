/**
 * The server side of HTTP Digest: issue challenges, check answers. Used by
 * the connection-request listener (the ACS authenticates to the CPE) and by
 * the fixture ACS. Nonces expire, a nonce count may not go backwards (no
 * replay), and the final comparison is constant-time.
 *
 * @module
 */
import {
  constantTimeEqual,
  type DigestAlgorithm,
  digestResponse,
  parseAuthParams,
  randomNonce,
} from "./digest.ts";

/** Options for {@linkcode DigestVerifier}. */
export interface DigestVerifierOptions {
  /** The realm announced in challenges. */
  readonly realm: string;
  /** The algorithm required (default MD5, the one every ACS supports). */
  readonly algorithm?: DigestAlgorithm;
  /** How long a nonce stays valid (default 5 minutes). */
  readonly nonceLifetimeMs?: number;
  /** Most nonces remembered at once; the oldest are forgotten first. */
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
  /** nonce → issue time and highest nonce count seen. */
  readonly #nonces = new Map<string, { issued: number; nc: number }>();

  /** A verifier. */
  constructor(options: DigestVerifierOptions) {
    this.#options = options;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  /** A `WWW-Authenticate` value with a fresh nonce. */
  challenge(stale = false): string {
    const nonce = randomNonce();
    this.#nonces.set(nonce, { issued: this.#now(), nc: 0 });
    const max = this.#options.maxNonces ?? 1024;
    while (this.#nonces.size > max) {
      this.#nonces.delete(this.#nonces.keys().next().value!);
    }
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
    const known = this.#nonces.get(p.nonce);
    if (!known) return { ok: false, stale: true, reason: "unknown nonce" };
    if (
      this.#now() - known.issued > (this.#options.nonceLifetimeMs ?? 300_000)
    ) {
      this.#nonces.delete(p.nonce);
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
    if (nc <= known.nc) {
      return { ok: false, stale: false, reason: "replayed nonce count" };
    }
    known.nc = nc;
    return { ok: true, username: p.username };
  }
}
