/**
 * What both transports word the same way: who the peer is, and the
 * timeout that cut a body short.
 *
 * @module
 */
import type { HttpExchange } from "./http_transport.ts";
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
