/**
 * UDP Connection Requests (TR-069 Annex G): an ACS that cannot reach a CPE
 * behind a NAT over TCP sends one datagram to the public address STUN
 * found, an HTTP/1.1 GET whose query carries `ts`, `id`, `un`, `cn` and
 * `sig` = HMAC-SHA1(ConnectionRequestPassword, ts ‖ id ‖ un ‖ cn) in hex.
 * Nothing is answered: a message that does not check out is dropped, and
 * the caller logs why.
 *
 * What real ACSs send shapes the parser: GenieACS writes
 * `GET http://HOST:PORT?ts=…&id=…&un=…&cn=…&sig=… HTTP/1.1` with the
 * username as it is (not percent-encoded), a lower-case signature, and the
 * same datagram three times.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { constantTimeEqual } from "../transport/digest.ts";

/** A datagram larger than this is not a connection request (the ACS's are ~200 bytes). */
export const MAX_UDP_REQUEST_BYTES = 2048;
/** Longest `un` and `cn` taken: ConnectionRequestUsername is string(256). */
const MAX_FIELD_CHARS = 256;
/** Message ids remembered for the newest timestamp (a flood of ids stays bounded). */
const MAX_IDS_PER_TS = 64;

/** The five arguments of a UDP Connection Request. */
export interface UdpConnectionRequest {
  /** Seconds since 1970 when the ACS made the request. */
  readonly ts: number;
  /** The message id: retransmissions of one request share it. */
  readonly id: number;
  /** The username (ConnectionRequestUsername). */
  readonly un: string;
  /** The ACS's cnonce. */
  readonly cn: string;
  /** The signature, 40 hex digits. */
  readonly sig: string;
}

/** Why a datagram was dropped. */
export type UdpRequestRefusal =
  | { readonly reason: "malformed"; readonly detail: string }
  | { readonly reason: "replayed"; readonly detail: string }
  /** The accepted request again: the ACS sends each one several times. */
  | { readonly reason: "retransmission"; readonly detail: string }
  | { readonly reason: "no-credentials"; readonly detail: string }
  | { readonly reason: "bad-credentials"; readonly detail: string };

/**
 * Reads a datagram as a UDP Connection Request, or says what is wrong with
 * it. Pure and bounded: the text is looked at only up to the end of the
 * request line.
 *
 * @example
 * ```ts
 * import { parseUdpConnectionRequest } from "./udp_connection_request.ts";
 * const text = "GET http://192.0.2.1:7547?ts=1700000000&id=7&un=acs&cn=ab&sig=" +
 *   "0".repeat(40) + " HTTP/1.1\r\nHost: 192.0.2.1:7547\r\n\r\n";
 * const parsed = parseUdpConnectionRequest(new TextEncoder().encode(text));
 * console.log("request" in parsed && parsed.request.id); // 7
 * ```
 */
export function parseUdpConnectionRequest(
  datagram: Uint8Array,
): { readonly request: UdpConnectionRequest } | UdpRequestRefusal {
  const malformed = (detail: string) => ({
    reason: "malformed" as const,
    detail,
  });
  if (datagram.byteLength > MAX_UDP_REQUEST_BYTES) {
    return malformed(`${datagram.byteLength} bytes`);
  }
  const text = new TextDecoder("latin1").decode(datagram);
  const lineEnd = text.indexOf("\r\n");
  const line = lineEnd === -1 ? text : text.slice(0, lineEnd);
  const parts = line.split(" ");
  if (parts.length !== 3 || !/^HTTP\/1\.[01]$/.test(parts[2])) {
    return malformed("not an HTTP request line");
  }
  if (parts[0] !== "GET") return malformed(`method ${parts[0].slice(0, 16)}`);
  const query = parts[1].indexOf("?");
  if (query === -1) return malformed("no query");
  const args = queryArguments(parts[1].slice(query + 1));
  const missing = ["ts", "id", "un", "cn", "sig"].filter((k) => !args.has(k));
  if (missing.length > 0) return malformed(`no ${missing.join(", ")}`);
  const ts = unsigned32(args.get("ts")!);
  const id = unsigned32(args.get("id")!);
  if (ts === undefined) return malformed("ts is not an unsigned integer");
  if (id === undefined) return malformed("id is not an unsigned integer");
  const un = args.get("un")!;
  const cn = args.get("cn")!;
  const sig = args.get("sig")!;
  if (un.length > MAX_FIELD_CHARS || cn.length > MAX_FIELD_CHARS) {
    return malformed("un or cn too long");
  }
  if (!/^[0-9a-fA-F]{40}$/.test(sig)) {
    return malformed("sig is not 40 hex digits");
  }
  return { request: { ts, id, un, cn, sig } };
}

/**
 * The query's arguments, each value percent-decoded when it decodes (a raw
 * `%` in a username is kept as it is). `+` stays `+`: ACSs put the username
 * in unencoded, so reading `+` as a space would fail its signature.
 */
function queryArguments(query: string): Map<string, string> {
  const args = new Map<string, string>();
  for (const pair of query.split("&").slice(0, 16)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // Not percent-encoding: the text itself.
    }
    if (!args.has(name)) args.set(name, value);
  }
  return args;
}

function unsigned32(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xffffffff ? n : undefined;
}

/**
 * The signature the ACS should have written: HMAC-SHA1 keyed with the
 * password over `ts`, `id`, `un` and `cn` as decimal text, no separators,
 * in lower-case hex.
 *
 * @example
 * ```ts
 * import { udpRequestSignature } from "./udp_connection_request.ts";
 * console.log((await udpRequestSignature("secret", 1, 2, "acs", "ab")).length); // 40
 * ```
 */
export function udpRequestSignature(
  password: string,
  ts: number,
  id: number,
  un: string,
  cn: string,
): Promise<string> {
  // Not WebCrypto: it refuses an empty key, which HMAC allows and an
  // operator may well configure.
  const encoder = new TextEncoder();
  const mac = hmac(
    sha1,
    encoder.encode(password),
    encoder.encode(`${ts}${id}${un}${cn}`),
  );
  return Promise.resolve(
    Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join(""),
  );
}

/**
 * Checks requests against the credentials and against replay: it keeps the
 * newest accepted timestamp and the ids accepted with it.
 *
 * Decision (digest §11.2; Annex G asks for a new id and a timestamp that is
 * not older than the last accepted one): a request is new when its `ts` is
 * greater than the newest accepted, or equal to it with an id not yet seen
 * at that `ts`. Equal timestamps must pass: an ACS stamps in seconds, and
 * two operators' requests can fall in one second. Only a request that is
 * signed right moves the marks, so a forged datagram cannot push the
 * timestamp ahead and lock the ACS out. The CPE's own clock is not
 * compared: a CPE behind a NAT often has no trusted time at boot.
 *
 * @example
 * ```ts
 * import { UdpRequestVerifier, udpRequestSignature } from "./udp_connection_request.ts";
 * const verifier = new UdpRequestVerifier();
 * const sig = await udpRequestSignature("pw", 100, 1, "acs", "c");
 * const request = { ts: 100, id: 1, un: "acs", cn: "c", sig };
 * const credentials = { username: "acs", password: "pw" };
 * console.log(await verifier.verify(request, credentials)); // undefined: accepted
 * console.log((await verifier.verify(request, credentials))?.reason); // "retransmission"
 * ```
 */
export class UdpRequestVerifier {
  #newestTs = -1;
  readonly #idsAtNewest = new Set<number>();

  /** Undefined when the request is accepted (and remembered), else why not. */
  async verify(
    request: UdpConnectionRequest,
    credentials: { readonly username: string; readonly password: string },
  ): Promise<UdpRequestRefusal | undefined> {
    if (request.ts === this.#newestTs && this.#idsAtNewest.has(request.id)) {
      return {
        reason: "retransmission",
        detail: `id ${request.id} already accepted`,
      };
    }
    if (request.ts < this.#newestTs) {
      return {
        reason: "replayed",
        detail:
          `ts ${request.ts} older than the last accepted ${this.#newestTs}`,
      };
    }
    if (credentials.username === "" && credentials.password === "") {
      return {
        reason: "no-credentials",
        detail: "ConnectionRequestUsername and Password are empty",
      };
    }
    const expected = await udpRequestSignature(
      credentials.password,
      request.ts,
      request.id,
      request.un,
      request.cn,
    );
    // Both checks always run: which one failed is not told by the timing.
    const userOk = constantTimeEqual(request.un, credentials.username);
    const sigOk = constantTimeEqual(request.sig.toLowerCase(), expected);
    if (!userOk || !sigOk) {
      return {
        reason: "bad-credentials",
        detail: userOk ? "signature" : "username",
      };
    }
    if (request.ts > this.#newestTs) {
      this.#newestTs = request.ts;
      this.#idsAtNewest.clear();
    }
    if (this.#idsAtNewest.size >= MAX_IDS_PER_TS) {
      // Bounded: the oldest id at this ts is forgotten first.
      const [oldest] = this.#idsAtNewest;
      this.#idsAtNewest.delete(oldest);
    }
    this.#idsAtNewest.add(request.id);
    return undefined;
  }
}
