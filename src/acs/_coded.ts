/**
 * HTTP compression on the fixture ACS's side (TR-069 §3.4.7): a CPE's
 * POST read in the coding it names, and the answer written in that coding,
 * as GenieACS does.
 *
 * @module
 */
import { type ContentCoding, decodeBody } from "../transport/content_coding.ts";

/** Bodies larger than this once decompressed are refused (400). */
const MAX_DECODED_BYTES = 64 << 20;

/** The request's body, decoded, and its coding; or the 400 it earns. */
export async function readCoded(
  request: Request,
): Promise<{ raw: Uint8Array; coding?: ContentCoding } | Response> {
  const raw = new Uint8Array(await request.arrayBuffer());
  const named = request.headers.get("content-encoding")?.trim().toLowerCase();
  if (named !== "gzip" && named !== "deflate") return { raw };
  if (raw.length === 0) return { raw, coding: named };
  try {
    return {
      raw: await decodeBody(raw, named, MAX_DECODED_BYTES),
      coding: named,
    };
  } catch (error) {
    return new Response(`not ${named}: ${error}`, { status: 400 });
  }
}

/** A SOAP answer, compressed in `coding` when there is one. */
export function codedResponse(
  xml: string,
  coding: ContentCoding | undefined,
): Response {
  const headers: Record<string, string> = {
    "content-type": 'text/xml; charset="utf-8"',
  };
  if (!coding) return new Response(xml, { status: 200, headers });
  headers["content-encoding"] = coding;
  return new Response(
    new Blob([xml]).stream().pipeThrough(new CompressionStream(coding)),
    { status: 200, headers },
  );
}
