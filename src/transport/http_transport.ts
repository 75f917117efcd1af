/**
 * What the session client needs from an HTTP stack: send one POST on a
 * kept-alive connection, get the status, headers and a body stream. Two
 * implementations: `NodeTlsTransport` for https with named CAs (the only
 * Deno TLS client that can pin, set the TLS version and trust exactly the
 * given CAs) and {@link FetchTransport} for plain http and for https against
 * Deno's root store.
 *
 * @module
 */
import { bodyLength, bodyTimeout, isStreamed, peerOf } from "./_exchange.ts";
import { certificateReason } from "./_tls_diagnosis.ts";
import { TransportError } from "./transport_error.ts";

/** A request body streamed from somewhere else (a file being uploaded), with its length. */
export interface StreamedBody {
  /** The bytes, read once. */
  readonly stream: ReadableStream<Uint8Array>;
  /** How many bytes the stream holds (sent as Content-Length). */
  readonly size: number;
  /** Told of the bytes sent so far, as they go. */
  readonly onBytes?: (sent: number) => void;
}

/** One request: a POST to the ACS, or a GET or PUT of a file transfer. */
export interface HttpExchange {
  /** POST unless said. */
  readonly method?: "POST" | "GET" | "PUT";
  /** Where to. */
  readonly url: URL;
  /** Request headers. */
  readonly headers: Headers;
  /**
   * The body: text, bytes (a large CWMP message is encoded straight to
   * UTF-8) or a stream; "" or no bytes sends none.
   */
  readonly body: string | Uint8Array<ArrayBuffer> | StreamedBody;
  /** How long the whole exchange, body included, may take. */
  readonly timeoutMs: number;
  /** How long the body may go without a byte arriving (default: no such limit). */
  readonly idleTimeoutMs?: number;
  /** Who the server is, for error messages ("the ACS" unless said). */
  readonly peer?: string;
}

/** The reply, its body not yet read. */
export interface HttpReply {
  /** HTTP status. */
  readonly status: number;
  /** Response headers (`getSetCookie` works). */
  readonly headers: Headers;
  /** The body, chunk by chunk; an error while reading means the connection was lost. */
  readonly body: AsyncIterable<Uint8Array> | null;
  /** Drops the body unread. */
  discard(): Promise<void>;
}

/** An HTTP stack bound to one session. */
export interface HttpTransport {
  /**
   * Sends one exchange.
   *
   * @throws {TransportError} kind `network`, `tls` or `timeout`.
   */
  send(exchange: HttpExchange): Promise<HttpReply>;
  /** Closes the connection. */
  close(): void;
}

/**
 * http, or https trusting Deno's root store, through Deno's fetch on one
 * kept-alive connection.
 *
 * @example
 * ```ts
 * import { FetchTransport } from "./http_transport.ts";
 * const transport = new FetchTransport();
 * // const reply = await transport.send({ url: new URL("http://127.0.0.1:7547/"), headers: new Headers(), body: "", timeoutMs: 30_000 });
 * transport.close();
 * ```
 */
export class FetchTransport implements HttpTransport {
  readonly #client: Deno.HttpClient;

  /** A transport for one session; `cert` and `key` are presented when an https ACS asks. */
  constructor(options: { readonly cert?: string; readonly key?: string } = {}) {
    this.#client = Deno.createHttpClient({
      poolMaxIdlePerHost: 1,
      ...(options.cert && options.key
        ? { cert: options.cert, key: options.key }
        : {}),
    });
  }

  /** Sends one exchange. */
  async send(exchange: HttpExchange): Promise<HttpReply> {
    // One timer per exchange, cleared as soon as the body is read or dropped:
    // AbortSignal.timeout would keep each one (and what it holds) alive for
    // the whole timeout, so a fast, endless session would pile them up.
    const controller = new AbortController();
    const peer = peerOf(exchange);
    const timer = setTimeout(
      () =>
        controller.abort(
          new DOMException(
            `No response from ${peer} within ${exchange.timeoutMs} ms`,
            "TimeoutError",
          ),
        ),
      exchange.timeoutMs,
    );
    const finish = () => clearTimeout(timer);
    const body = exchange.body;
    const headers = new Headers(exchange.headers);
    if (isStreamed(body)) headers.set("content-length", String(body.size));
    let response: Response;
    try {
      response = await fetch(exchange.url, {
        method: exchange.method ?? "POST",
        body: isStreamed(body)
          ? body.stream
          : bodyLength(body) === 0
          ? undefined
          : body,
        headers,
        client: this.#client,
        redirect: "manual",
        signal: controller.signal,
      });
    } catch (error) {
      finish();
      if (
        (error instanceof DOMException && error.name === "TimeoutError") ||
        controller.signal.aborted
      ) {
        throw new TransportError(
          "timeout",
          `No response from ${peer} within ${exchange.timeoutMs} ms`,
          { cause: error },
        );
      }
      const cause = (error as { cause?: unknown }).cause;
      const detail = cause instanceof Error ? cause.message : "";
      if (/invalid peer certificate|certificate|handshake|tls/i.test(detail)) {
        throw new TransportError(
          "tls",
          `TLS with ${exchange.url.host} failed: ${
            certificateReason(detail, peer)
          }`,
          { cause: error },
        );
      }
      throw new TransportError(
        "network",
        `Cannot reach ${peer} at ${exchange.url.host}: ${
          (error as Error).message
        }${detail ? `: ${certificateReason(detail, peer)}` : ""}`,
        { cause: error },
      );
    }
    const stream = response.body;
    if (!stream) finish();
    return {
      status: response.status,
      headers: response.headers,
      body: stream ? timedBody(stream, controller, exchange, finish) : null,
      discard: async () => {
        finish();
        await stream?.cancel();
      },
    };
  }

  /** Closes the connection. */
  close(): void {
    this.#client.close();
  }
}

/** The body's chunks; a timeout while reading is a timeout, not a lost connection. */
async function* timedBody(
  stream: ReadableStream<Uint8Array>,
  controller: AbortController,
  exchange: HttpExchange,
  finish: () => void,
): AsyncIterable<Uint8Array> {
  // One check every quarter of the idle limit against the time of the last
  // chunk, not a timer reset per chunk (thousands for a large download).
  const idleMs = exchange.idleTimeoutMs;
  let lastAt = Date.now();
  let stalled = false;
  const idle = idleMs === undefined ? undefined : setInterval(() => {
    if (Date.now() - lastAt < idleMs) return;
    stalled = true;
    controller.abort();
  }, Math.max(10, Math.floor(idleMs / 4)));
  try {
    for await (const chunk of stream) {
      lastAt = Date.now();
      yield chunk;
    }
  } catch (error) {
    if (controller.signal.aborted) throw bodyTimeout(exchange, stalled, error);
    throw error;
  } finally {
    clearInterval(idle);
    finish();
  }
}
