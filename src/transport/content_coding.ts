/**
 * HTTP content codings for CWMP messages (TR-069 §3.4.7, HTTP compression):
 * the CPE's POST bodies compressed with the coding ManagementServer.
 * HTTPCompression names, and an ACS's answer decoded — never past a byte
 * limit, so a small compressed body cannot expand into all of memory.
 *
 * Decision (the digest marks the negotiation unverified; recorded here):
 * the coding goes in Content-Encoding of each POST with a body, and
 * Accept-Encoding offers the same coding, as GenieACS expects — it answers
 * in the coding the request came in. `Deflate` is the zlib format
 * (RFC 1950), what HTTP's "deflate" means and what GenieACS writes.
 *
 * @module
 */
import { TransportError } from "./transport_error.ts";

/** A content coding the agent writes and reads. */
export type ContentCoding = "gzip" | "deflate";

/**
 * The coding for a value of HTTPCompression, or undefined for none.
 *
 * @example
 * ```ts
 * import { codingOf } from "./content_coding.ts";
 * console.log(codingOf("GZIP"), codingOf("Disabled")); // "gzip" undefined
 * ```
 */
export function codingOf(httpCompression: string): ContentCoding | undefined {
  return httpCompression === "GZIP"
    ? "gzip"
    : httpCompression === "Deflate"
    ? "deflate"
    : undefined;
}

/**
 * Compresses a body.
 *
 * @example
 * ```ts
 * import { decodeBody, encodeBody } from "./content_coding.ts";
 * const packed = await encodeBody(new TextEncoder().encode("<x/>"), "gzip");
 * console.log(new TextDecoder().decode(await decodeBody(packed, "gzip", 1024))); // "<x/>"
 * ```
 */
export async function encodeBody(
  bytes: Uint8Array,
  coding: ContentCoding,
): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream(coding));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Decompresses a body, at most `limit` bytes of output.
 *
 * @throws {TransportError} `too_large` past the limit, `http` for data
 * that is not in the coding it claims.
 */
export async function decodeBody(
  bytes: Uint8Array,
  coding: ContentCoding,
  limit: number,
): Promise<Uint8Array> {
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream(coding)).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        throw new TransportError(
          "too_large",
          `ACS response larger than ${limit} bytes once decompressed`,
        );
      }
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (error instanceof TransportError) throw error;
    throw new TransportError(
      "http",
      `ACS response is not valid ${coding}: ${
        (error as Error)?.message ?? error
      }`,
      { cause: error },
    );
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * Whether `bytes` still carry `coding` (a transport such as fetch may
 * already have decoded the body while leaving Content-Encoding in place):
 * gzip's magic number, or a zlib header whose check bits hold.
 */
export function stillEncoded(
  bytes: Uint8Array,
  coding: ContentCoding,
): boolean {
  if (bytes.length < 2) return false;
  if (coding === "gzip") return bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (bytes[0] & 0x0f) === 8 && ((bytes[0] << 8) | bytes[1]) % 31 === 0;
}
