/**
 * What both transports word the same way: who the peer is, and the
 * timeout that cut a body short.
 *
 * @module
 */
import type { HttpExchange, StreamedBody } from "./http_transport.ts";
import { TransportError } from "./transport_error.ts";

/** The peer's name in messages. */
export function peerOf(exchange: HttpExchange): string {
  return exchange.peer ?? "the ACS";
}

/** The timeout that cut a body short: the whole exchange's, or the idle one. */
export function bodyTimeout(
  exchange: HttpExchange,
  stalled: boolean,
  cause: unknown,
): TransportError {
  const peer = peerOf(exchange);
  const what = peer === "the ACS"
    ? "The ACS response"
    : `The body from ${peer}`;
  return new TransportError(
    "timeout",
    stalled
      ? `${what} stalled: no byte for ${exchange.idleTimeoutMs} ms`
      : `${what} did not arrive whole within ${exchange.timeoutMs} ms`,
    { cause },
  );
}

/** Whether the body is streamed (not held whole as text or bytes). */
export function isStreamed(body: HttpExchange["body"]): body is StreamedBody {
  return typeof body !== "string" && !(body instanceof Uint8Array);
}

/** The bytes of a body held whole (text as UTF-8). */
export function wholeBody(body: string | Uint8Array): Uint8Array {
  return typeof body === "string" ? new TextEncoder().encode(body) : body;
}

/** A body's length in bytes (a string's in UTF-16 units is enough to tell "none"). */
export function bodyLength(body: HttpExchange["body"]): number {
  if (typeof body === "string") return body.length;
  return body instanceof Uint8Array ? body.byteLength : body.size;
}

/**
 * A Content-Length header's value as a byte count: undefined when there is
 * none, the value quoted (at most 32 characters) when it is not one count
 * of decimal digits or a list of the same count repeated (RFC 9110 §8.6).
 */
export function contentLength(
  value: string | null,
): number | string | undefined {
  if (value === null) return undefined;
  const counts = new Set(value.split(",").map((part) => part.trim()));
  const [count] = counts;
  if (counts.size === 1 && /^\d{1,15}$/.test(count)) return Number(count);
  return JSON.stringify(value.slice(0, 32));
}
