/**
 * HTTP Digest authentication (RFC 7616, RFC 2617) for both sides: the CPE
 * answering an ACS challenge, and the connection-request listener checking
 * an ACS. MD5, MD5-sess, SHA-256 and SHA-256-sess with qop=auth.
 *
 * @module
 */
// Pure ES-module hashes rather than node:crypto: loading node:crypto
// brought the Node compatibility layer into every agent (~40 ms of start-up
// and ~10 MB), and WebCrypto has no MD5, which Digest needs.
import { md5 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";

/** The digest algorithms supported. */
export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess";

/** A parsed `WWW-Authenticate: Digest …` challenge. */
export interface DigestChallenge {
  /** The protection space. */
  readonly realm: string;
  /** The server nonce. */
  readonly nonce: string;
  /** Echoed back when present. */
  readonly opaque?: string;
  /** The algorithm; MD5 when the server names none. */
  readonly algorithm: DigestAlgorithm;
  /** Offered qop values (we use `auth`); empty for RFC 2069 servers. */
  readonly qop: readonly string[];
  /** The server says the nonce is stale: retry with the new one. */
  readonly stale: boolean;
}

/**
 * Parses the parameters of an auth header (`key=value, key="quoted"`),
 * tolerating the quirks real servers produce: unquoted values, extra spaces,
 * lower-case or upper-case names, quoted commas, backslash escapes.
 *
 * @example
 * ```ts
 * import { parseAuthParams } from "./digest.ts";
 * console.log(parseAuthParams('realm="a, b", nonce=xyz, QOP="auth,auth-int"'));
 * // { realm: "a, b", nonce: "xyz", qop: "auth,auth-int" }
 * ```
 */
export function parseAuthParams(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re =
    /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/gy;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null && match[0] !== "") {
    out[match[1].toLowerCase()] = match[2] !== undefined
      ? match[2].replace(/\\(.)/g, "$1")
      : match[3];
  }
  return out;
}

/**
 * The Digest challenge among the `WWW-Authenticate` values, or undefined.
 * When a server offers several, the strongest algorithm we support wins.
 *
 * @example
 * ```ts
 * import { parseDigestChallenge } from "./digest.ts";
 * const c = parseDigestChallenge('Digest realm="acs", nonce="n1", qop="auth"');
 * console.log(c?.algorithm, c?.qop); // "MD5" ["auth"]
 * ```
 */
export function parseDigestChallenge(
  header: string | null,
): DigestChallenge | undefined {
  if (!header) return undefined;
  const challenges = header.split(/(?:^|,)\s*(?=Digest\s|Basic\s|Bearer\s)/i)
    .filter((c) => /^digest\s/i.test(c.trim()));
  let best: DigestChallenge | undefined;
  const strength = (a: DigestAlgorithm) => (a.startsWith("SHA-256") ? 2 : 1);
  for (const raw of challenges) {
    const params = parseAuthParams(raw.trim().slice(6));
    if (!params.nonce) continue;
    const algorithm = normalizeAlgorithm(params.algorithm);
    if (!algorithm) continue;
    const challenge: DigestChallenge = {
      realm: params.realm ?? "",
      nonce: params.nonce,
      ...(params.opaque !== undefined ? { opaque: params.opaque } : {}),
      algorithm,
      qop: (params.qop ?? "").split(",").map((q) => q.trim().toLowerCase())
        .filter(Boolean),
      stale: (params.stale ?? "").toLowerCase() === "true",
    };
    if (!best || strength(challenge.algorithm) > strength(best.algorithm)) {
      best = challenge;
    }
  }
  return best;
}

function normalizeAlgorithm(
  value: string | undefined,
): DigestAlgorithm | undefined {
  switch ((value ?? "MD5").toUpperCase()) {
    case "MD5":
      return "MD5";
    case "MD5-SESS":
      return "MD5-sess";
    case "SHA-256":
      return "SHA-256";
    case "SHA-256-SESS":
      return "SHA-256-sess";
    default:
      return undefined;
  }
}

function hash(algorithm: DigestAlgorithm, text: string): string {
  const bytes = new TextEncoder().encode(text);
  return toHex(algorithm.startsWith("SHA-256") ? sha256(bytes) : md5(bytes));
}

/** Lower-case hex of `bytes`. */
function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** What a digest response is computed from. */
export interface DigestInput {
  /** The challenge. */
  readonly challenge: DigestChallenge;
  /** User name. */
  readonly username: string;
  /** Password. */
  readonly password: string;
  /** HTTP method. */
  readonly method: string;
  /** Request-URI (path and query). */
  readonly uri: string;
  /** Client nonce. */
  readonly cnonce: string;
  /** Nonce count (1 for the first use of a nonce). */
  readonly nc: number;
}

/**
 * The `response` value of a digest computation.
 *
 * @example
 * ```ts
 * import { digestResponse } from "./digest.ts";
 * // RFC 2617 §3.5 example.
 * const r = digestResponse({
 *   challenge: { realm: "testrealm@host.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", algorithm: "MD5", qop: ["auth"], stale: false },
 *   username: "Mufasa", password: "Circle Of Life", method: "GET", uri: "/dir/index.html",
 *   cnonce: "0a4f113b", nc: 1,
 * });
 * console.log(r); // "6629fae49393a05397450978507c4ef1"
 * ```
 */
export function digestResponse(input: DigestInput): string {
  const { challenge: c, username, password, method, uri, cnonce } = input;
  const nc = formatNc(input.nc);
  let ha1 = hash(c.algorithm, `${username}:${c.realm}:${password}`);
  if (c.algorithm.endsWith("-sess")) {
    ha1 = hash(c.algorithm, `${ha1}:${c.nonce}:${cnonce}`);
  }
  const ha2 = hash(c.algorithm, `${method}:${uri}`);
  return c.qop.includes("auth")
    ? hash(c.algorithm, `${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`)
    : hash(c.algorithm, `${ha1}:${c.nonce}:${ha2}`);
}

function formatNc(nc: number): string {
  return nc.toString(16).padStart(8, "0");
}

function quote(value: string): string {
  return `"${value.replace(/(["\\])/g, "\\$1")}"`;
}

/**
 * The `Authorization` header answering a Digest challenge.
 *
 * @example
 * ```ts
 * import { digestAuthorization } from "./digest.ts";
 * const header = digestAuthorization({
 *   challenge: { realm: "r", nonce: "n", algorithm: "MD5", qop: ["auth"], stale: false },
 *   username: "u", password: "p", method: "POST", uri: "/acs", cnonce: "c", nc: 1,
 * });
 * console.log(header.startsWith('Digest username="u"')); // true
 * ```
 */
export function digestAuthorization(input: DigestInput): string {
  const c = input.challenge;
  const parts = [
    `username=${quote(input.username)}`,
    `realm=${quote(c.realm)}`,
    `nonce=${quote(c.nonce)}`,
    `uri=${quote(input.uri)}`,
    `algorithm=${c.algorithm}`,
    `response=${quote(digestResponse(input))}`,
  ];
  if (c.qop.includes("auth")) {
    parts.push(
      `qop=auth`,
      `nc=${formatNc(input.nc)}`,
      `cnonce=${quote(input.cnonce)}`,
    );
  }
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  return `Digest ${parts.join(", ")}`;
}

/**
 * A random client or server nonce (hex).
 *
 * @example
 * ```ts
 * import { randomNonce } from "./digest.ts";
 * console.log(randomNonce().length); // 32
 * ```
 */
export function randomNonce(bytes = 16): string {
  return toHex(crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * Compares two secrets in time that does not depend on where they differ.
 *
 * @example
 * ```ts
 * import { constantTimeEqual } from "./digest.ts";
 * console.log(constantTimeEqual("abc", "abc"), constantTimeEqual("abc", "abd")); // true false
 * ```
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  // Compare equal-length buffers so the length check leaks nothing beyond "different".
  const length = Math.max(x.length, y.length, 1);
  const xa = new Uint8Array(length);
  const ya = new Uint8Array(length);
  xa.set(x);
  ya.set(y);
  // Every byte is looked at, whatever the first difference.
  let difference = 0;
  for (let i = 0; i < length; i++) difference |= xa[i] ^ ya[i];
  return difference === 0 && x.length === y.length;
}
