/**
 * STUN messages as TR-069 Annex G uses them (classic STUN, RFC 3489): the
 * CPE's Binding Request from its UDP Connection Request port, with the
 * TR-111 attributes CONNECTION-REQUEST-BINDING and BINDING-CHANGE, and the
 * server's Binding Response or Error Response.
 *
 * The transaction id starts with RFC 5389's magic cookie, so a current
 * server answers with XOR-MAPPED-ADDRESS and a classic one, for which the
 * cookie is just part of the id, with MAPPED-ADDRESS; both are read.
 * MESSAGE-INTEGRITY is computed the RFC 3489 way, as CPE STUN clients in
 * the field do (icwmp's, for one): the header's length already counts the
 * attribute, and the HMAC-SHA1 (keyed with STUNPassword) runs over the
 * message before it, zero-padded to a multiple of 64 bytes.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";

/** Binding Request, Response and Error Response. */
export const BINDING_REQUEST = 0x0001;
/** A Binding Response. */
export const BINDING_RESPONSE = 0x0101;
/** A Binding Error Response. */
export const BINDING_ERROR_RESPONSE = 0x0111;

/** Attribute types this module writes or reads. */
export const STUN_ATTRIBUTE = {
  MAPPED_ADDRESS: 0x0001,
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  XOR_MAPPED_ADDRESS: 0x0020,
  CONNECTION_REQUEST_BINDING: 0xc001,
  BINDING_CHANGE: 0xc002,
} as const;

/** The value of CONNECTION-REQUEST-BINDING: 20 bytes, the space included. */
export const TR111_BINDING_VALUE = "dslforum.org/TR-111 ";

const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;
/** Longer than any answer a server gives to a Binding Request. */
export const MAX_STUN_BYTES = 1500;

/** An IPv4 or IPv6 address and a port. */
export interface StunAddress {
  /** The address family. */
  readonly family: "IPv4" | "IPv6";
  /** Dotted quad, or eight hex groups for IPv6. */
  readonly address: string;
  /** The port. */
  readonly port: number;
}

/** What a Binding Request carries. */
export interface BindingRequestOptions {
  /** 16 bytes; the first four are replaced by the magic cookie. */
  readonly transactionId: Uint8Array;
  /** CONNECTION-REQUEST-BINDING: the request comes from the UDP CR port. */
  readonly connectionRequestBinding?: boolean;
  /** BINDING-CHANGE: the public mapping changed since the last request. */
  readonly bindingChange?: boolean;
  /** USERNAME and MESSAGE-INTEGRITY, when the server asked for them. */
  readonly credentials?: {
    readonly username: string;
    readonly password: string;
  };
}

/** A decoded STUN message, as far as a Binding exchange needs it. */
export interface StunMessage {
  /** The message type ({@linkcode BINDING_RESPONSE}, say). */
  readonly type: number;
  /** The 16 bytes after the length, the magic cookie included. */
  readonly transactionId: Uint8Array;
  /** XOR-MAPPED-ADDRESS when present, else MAPPED-ADDRESS. */
  readonly mapped?: StunAddress;
  /** ERROR-CODE: the number and the reason phrase. */
  readonly error?: { readonly code: number; readonly reason: string };
  /** Attribute types present, in order. */
  readonly attributes: readonly number[];
  /** USERNAME, when present. */
  readonly username?: string;
  /** Where MESSAGE-INTEGRITY starts, when present (for a server to check it). */
  readonly integrityAt?: number;
}

/**
 * A new transaction id: 16 random bytes with the magic cookie first.
 *
 * @example
 * ```ts
 * import { newTransactionId } from "./stun_message.ts";
 * console.log(newTransactionId().length); // 16
 * ```
 */
export function newTransactionId(): Uint8Array {
  const id = crypto.getRandomValues(new Uint8Array(16));
  new DataView(id.buffer).setUint32(0, MAGIC_COOKIE);
  return id;
}

/**
 * Encodes a Binding Request.
 *
 * @example
 * ```ts
 * import { encodeBindingRequest, newTransactionId } from "./stun_message.ts";
 * const bytes = await encodeBindingRequest({ transactionId: newTransactionId(), connectionRequestBinding: true });
 * console.log(bytes.length); // 44: the header and CONNECTION-REQUEST-BINDING
 * ```
 */
export async function encodeBindingRequest(
  options: BindingRequestOptions,
): Promise<Uint8Array> {
  const attributes: [number, Uint8Array][] = [];
  const text = new TextEncoder();
  if (options.credentials) {
    // RFC 3489 wants a multiple of four; field clients pad with spaces.
    const name = options.credentials.username;
    attributes.push([
      STUN_ATTRIBUTE.USERNAME,
      text.encode(name.padEnd(Math.ceil(name.length / 4) * 4, " ")),
    ]);
  }
  if (options.connectionRequestBinding) {
    attributes.push([
      STUN_ATTRIBUTE.CONNECTION_REQUEST_BINDING,
      text.encode(TR111_BINDING_VALUE),
    ]);
  }
  if (options.bindingChange) {
    attributes.push([STUN_ATTRIBUTE.BINDING_CHANGE, new Uint8Array()]);
  }
  const body = attributes.reduce((n, [, v]) => n + 4 + padded(v.length), 0);
  const integrity = options.credentials ? 24 : 0;
  const out = new Uint8Array(HEADER_BYTES + body + integrity);
  const view = new DataView(out.buffer);
  view.setUint16(0, BINDING_REQUEST);
  view.setUint16(2, body + integrity);
  out.set(options.transactionId.subarray(0, 16), 4);
  view.setUint32(4, MAGIC_COOKIE);
  let at = HEADER_BYTES;
  for (const [type, value] of attributes) {
    view.setUint16(at, type);
    view.setUint16(at + 2, value.length);
    out.set(value, at + 4);
    at += 4 + padded(value.length);
  }
  if (options.credentials) {
    const mac = await messageIntegrity(
      out.subarray(0, at),
      options.credentials.password,
    );
    view.setUint16(at, STUN_ATTRIBUTE.MESSAGE_INTEGRITY);
    view.setUint16(at + 2, 20);
    out.set(mac, at + 4);
  }
  return out;
}

/**
 * MESSAGE-INTEGRITY over `before` (the message up to the attribute, its
 * header's length already counting it), RFC 3489's way.
 *
 * @example
 * ```ts
 * import { messageIntegrity } from "./stun_message.ts";
 * console.log((await messageIntegrity(new Uint8Array(20), "pw")).length); // 20
 * ```
 */
export function messageIntegrity(
  before: Uint8Array,
  password: string,
): Promise<Uint8Array> {
  const input = new Uint8Array(Math.ceil(before.length / 64) * 64);
  input.set(before);
  // Not WebCrypto: it refuses the empty key an empty STUNPassword makes.
  return Promise.resolve(
    hmac(sha1, new TextEncoder().encode(password), input),
  );
}

/**
 * Decodes a STUN message, or returns undefined for anything that is not
 * one (a UDP Connection Request on the same port, garbage): every length
 * is checked against the datagram before it is trusted.
 *
 * @example
 * ```ts
 * import { decodeStunMessage } from "./stun_message.ts";
 * console.log(decodeStunMessage(new TextEncoder().encode("GET / HTTP/1.1"))); // undefined
 * ```
 */
export function decodeStunMessage(bytes: Uint8Array): StunMessage | undefined {
  if (bytes.length < HEADER_BYTES || bytes.length > MAX_STUN_BYTES) {
    return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint16(0);
  // The two top bits of a STUN type are zero; "GE" of a GET is not.
  if (type & 0xc000) return undefined;
  const length = view.getUint16(2);
  if (length % 4 !== 0 || HEADER_BYTES + length > bytes.length) {
    return undefined;
  }
  const transactionId = bytes.slice(4, 20);
  const cookie = view.getUint32(4) === MAGIC_COOKIE;
  const attributes: number[] = [];
  let mapped: StunAddress | undefined;
  let xorMapped: StunAddress | undefined;
  let error: StunMessage["error"];
  let username: string | undefined;
  let integrityAt: number | undefined;
  const end = HEADER_BYTES + length;
  for (let at = HEADER_BYTES; at < end;) {
    if (at + 4 > end) return undefined;
    const attr = view.getUint16(at);
    const size = view.getUint16(at + 2);
    const value = at + 4;
    if (value + size > end) return undefined;
    attributes.push(attr);
    if (attr === STUN_ATTRIBUTE.MAPPED_ADDRESS) {
      mapped = address(view, value, size, undefined);
    } else if (attr === STUN_ATTRIBUTE.XOR_MAPPED_ADDRESS && cookie) {
      xorMapped = address(view, value, size, transactionId);
    } else if (attr === STUN_ATTRIBUTE.ERROR_CODE && size >= 4) {
      error = {
        code: (view.getUint8(value + 2) & 0x7) * 100 + view.getUint8(value + 3),
        reason: new TextDecoder().decode(
          bytes.subarray(value + 4, value + Math.min(size, 132)),
        ).replace(/[\0\s]+$/, ""),
      };
    } else if (attr === STUN_ATTRIBUTE.USERNAME) {
      username = new TextDecoder().decode(bytes.subarray(value, value + size))
        .replace(/[\0 ]+$/, "");
    } else if (attr === STUN_ATTRIBUTE.MESSAGE_INTEGRITY && size === 20) {
      integrityAt = at;
    }
    at = value + padded(size);
  }
  return {
    type,
    transactionId,
    ...(xorMapped ?? mapped ? { mapped: xorMapped ?? mapped } : {}),
    ...(error ? { error } : {}),
    attributes,
    ...(username !== undefined ? { username } : {}),
    ...(integrityAt !== undefined ? { integrityAt } : {}),
  };
}

/**
 * Encodes a Binding Response or Error Response (what a STUN server sends):
 * for a fixture server, and for tests.
 *
 * @example
 * ```ts
 * import { decodeStunMessage, encodeBindingResponse, newTransactionId } from "./stun_message.ts";
 * const id = newTransactionId();
 * const bytes = encodeBindingResponse(id, { mapped: { family: "IPv4", address: "198.51.100.7", port: 40000 } });
 * console.log(decodeStunMessage(bytes)?.mapped?.port); // 40000
 * ```
 */
export function encodeBindingResponse(
  transactionId: Uint8Array,
  answer: {
    readonly mapped?: StunAddress;
    readonly error?: { readonly code: number; readonly reason: string };
  },
): Uint8Array {
  const parts: [number, Uint8Array][] = [];
  const cookie = new DataView(
    transactionId.buffer,
    transactionId.byteOffset,
    4,
  ).getUint32(0) === MAGIC_COOKIE;
  if (answer.mapped) {
    parts.push([STUN_ATTRIBUTE.MAPPED_ADDRESS, addressValue(answer.mapped)]);
    if (cookie) {
      parts.push([
        STUN_ATTRIBUTE.XOR_MAPPED_ADDRESS,
        addressValue(answer.mapped, transactionId),
      ]);
    }
  }
  if (answer.error) {
    const reason = new TextEncoder().encode(answer.error.reason);
    const value = new Uint8Array(4 + reason.length);
    value[2] = Math.floor(answer.error.code / 100);
    value[3] = answer.error.code % 100;
    value.set(reason, 4);
    parts.push([STUN_ATTRIBUTE.ERROR_CODE, value]);
  }
  const body = parts.reduce((n, [, v]) => n + 4 + padded(v.length), 0);
  const out = new Uint8Array(HEADER_BYTES + body);
  const view = new DataView(out.buffer);
  view.setUint16(0, answer.error ? BINDING_ERROR_RESPONSE : BINDING_RESPONSE);
  view.setUint16(2, body);
  out.set(transactionId.subarray(0, 16), 4);
  let at = HEADER_BYTES;
  for (const [type, value] of parts) {
    view.setUint16(at, type);
    view.setUint16(at + 2, value.length);
    out.set(value, at + 4);
    at += 4 + padded(value.length);
  }
  return out;
}

function padded(length: number): number {
  return Math.ceil(length / 4) * 4;
}

function address(
  view: DataView,
  at: number,
  size: number,
  xorWith: Uint8Array | undefined,
): StunAddress | undefined {
  const family = view.getUint8(at + 1);
  const bytes = family === 1 ? 4 : family === 2 ? 16 : 0;
  if (bytes === 0 || size < 4 + bytes) return undefined;
  const mask = (i: number) => xorWith ? xorWith[i] : 0;
  const port = view.getUint16(at + 2) ^ (xorWith ? MAGIC_COOKIE >>> 16 : 0);
  const raw = Array.from(
    { length: bytes },
    (_, i) => view.getUint8(at + 4 + i) ^ mask(i),
  );
  if (family === 1) {
    return { family: "IPv4", address: raw.join("."), port };
  }
  const groups = Array.from(
    { length: 8 },
    (_, i) => ((raw[2 * i] << 8) | raw[2 * i + 1]).toString(16),
  );
  return { family: "IPv6", address: groups.join(":"), port };
}

function addressValue(mapped: StunAddress, xorWith?: Uint8Array): Uint8Array {
  const raw = mapped.family === "IPv4"
    ? mapped.address.split(".").map(Number)
    : expandIpv6(mapped.address);
  const value = new Uint8Array(4 + raw.length);
  const view = new DataView(value.buffer);
  value[1] = mapped.family === "IPv4" ? 1 : 2;
  view.setUint16(2, mapped.port ^ (xorWith ? MAGIC_COOKIE >>> 16 : 0));
  raw.forEach((b, i) => value[4 + i] = b ^ (xorWith ? xorWith[i] : 0));
  return value;
}

function expandIpv6(address: string): number[] {
  const [head, tail = ""] = address.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t]
    : h;
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}
