/**
 * HTTP/1.1 on a socket of its own, for file transfers that node:tls does
 * not carry (http, and https against Deno's root store). Deno's fetch moves
 * a large body at a fraction of the socket's speed — measured on Deno
 * 2.9.6 over loopback: a 50 MB streamed PUT in ~950 ms where curl,
 * node:http and a plain socket take ~200 ms, and a 200 MB GET allocating a
 * new chunk every ~60 KiB, which the CPE's small V8 heap pays for in GC and
 * RSS. Here a GET is read into one reused 256 KiB buffer and a PUT's body
 * is piped to the socket. Trust is Deno's, as for fetch: its root store for
 * https, the client certificate when one is configured. One request per
 * connection (`Connection: close`); a response head is at most 16 KiB.
 *
 * The chunks a reply's body yields are views of that reused buffer: each
 * is valid until the next one is asked for (every reader in the agent
 * consumes a chunk before it pulls the next).
 *
 * @module
 */
import { socketBuffers } from "./_buffer_pool.ts";
import { contentLength, isStreamed, peerOf, wholeBody } from "./_exchange.ts";
import { SocketBytes } from "./_socket_body.ts";
import { certificateReason } from "./_tls_diagnosis.ts";
import type {
  HttpExchange,
  HttpReply,
  HttpTransport,
  StreamedBody,
} from "./http_transport.ts";
import { TransportError } from "./transport_error.ts";

const MAX_HEAD_BYTES = 16 * 1024;

/**
 * The transport.
 *
 * @example
 * ```ts
 * import { Http1Transport } from "./http1_transport.ts";
 * const transport = new Http1Transport();
 * // const reply = await transport.send({ method: "GET", url: new URL("http://127.0.0.1:8080/fw.bin"), headers: new Headers(), body: "", timeoutMs: 60_000 });
 * transport.close();
 * ```
 */
export class Http1Transport implements HttpTransport {
  readonly #clientCert: { readonly cert?: string; readonly key?: string };
  readonly #unixPath: string | undefined;
  readonly #open = new Set<Deno.Conn>();

  /**
   * A transport; `cert` and `key` are presented when an https server asks.
   * With `unixPath`, every request goes to that Unix socket (the URL gives
   * only the path and the Host header).
   */
  constructor(
    options: {
      readonly cert?: string;
      readonly key?: string;
      readonly unixPath?: string;
    } = {},
  ) {
    this.#clientCert = options;
    this.#unixPath = options.unixPath;
  }

  /** Sends one exchange on a new connection. */
  async send(exchange: HttpExchange): Promise<HttpReply> {
    const { url } = exchange;
    const peer = peerOf(exchange);
    const https = url.protocol === "https:";
    let conn: Deno.Conn | undefined;
    let timedOut = false;
    const close = () => {
      if (!conn) return;
      this.#open.delete(conn);
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      close();
    }, exchange.timeoutMs);
    try {
      const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
      const port = Number(url.port || (https ? 443 : 80));
      const { cert, key } = this.#clientCert;
      conn = this.#unixPath !== undefined
        ? await Deno.connect({ transport: "unix", path: this.#unixPath })
        : https
        ? await Deno.connectTls({
          hostname,
          port,
          ...(cert && key ? { cert, key } : {}),
        })
        : await Deno.connect({ hostname, port });
      this.#open.add(conn);
      if (https) await (conn as Deno.TlsConn).handshake();
      const body = exchange.body;
      // Text is encoded once: its byte length goes in the head.
      const whole = isStreamed(body) ? undefined : wholeBody(body);
      const length = whole
        ? whole.byteLength
        : isStreamed(body)
        ? body.size
        : 0;
      await writeAll(conn, new TextEncoder().encode(head(exchange, length)));
      if (isStreamed(body)) {
        try {
          await writeBody(conn, body);
        } catch (error) {
          // A server may answer (401, 413) and close before the body is
          // in: its answer is what counts, if there is one.
          if (timedOut) throw error;
        }
      } else if (whole && whole.byteLength > 0) {
        await writeAll(conn, whole);
      }
      const response = await readHead(conn);
      return reply(conn, response, exchange, () => {
        clearTimeout(timer);
        close();
      }, () => timedOut);
    } catch (error) {
      clearTimeout(timer);
      close();
      throw explain(error, exchange, peer, timedOut);
    }
  }

  /** Closes every connection still open. */
  close(): void {
    for (const conn of this.#open) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
    this.#open.clear();
  }
}

function explain(
  error: unknown,
  exchange: HttpExchange,
  peer: string,
  timedOut: boolean,
): TransportError {
  if (error instanceof TransportError) return error;
  const message = (error as Error)?.message ?? String(error);
  const host = exchange.url.host;
  if (timedOut) {
    return new TransportError(
      "timeout",
      `No response from ${peer} within ${exchange.timeoutMs} ms`,
      { cause: error },
    );
  }
  if (/certificate|handshake|tls|alert/i.test(message)) {
    return new TransportError(
      "tls",
      `TLS with ${host} failed: ${certificateReason(message, peer)}`,
      { cause: error },
    );
  }
  return new TransportError(
    "network",
    `Cannot reach ${peer} at ${host}: ${message}`,
    { cause: error },
  );
}

function head(exchange: HttpExchange, length: number): string {
  const { url } = exchange;
  const lines = [
    `${exchange.method ?? "POST"} ${url.pathname}${url.search} HTTP/1.1`,
    `host: ${url.host}`,
  ];
  for (const [name, value] of exchange.headers) {
    // Headers come from the agent, but a value with a line break would
    // split the request: never written.
    if (/[\r\n]/.test(name + value)) continue;
    if (name === "content-length" || name === "connection") continue;
    lines.push(`${name}: ${value}`);
  }
  if (length > 0 || exchange.method === "PUT" || exchange.method === "POST") {
    lines.push(`content-length: ${length}`);
  }
  lines.push("connection: close");
  return lines.join("\r\n") + "\r\n\r\n";
}

/**
 * Writes a streamed body: a byte stream (a file's `readable`) is read into
 * one reused buffer, anything else chunk by chunk as it comes.
 */
async function writeBody(conn: Deno.Conn, body: StreamedBody): Promise<void> {
  let sent = 0;
  let reader: ReadableStreamBYOBReader | undefined;
  try {
    reader = body.stream.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream.
  }
  if (reader) {
    // A read hands the buffer to the stream and back (a new view over it),
    // so the one to give back is the last view's.
    let buffer = socketBuffers.take();
    try {
      for (;;) {
        const { value, done } = await reader.read(buffer);
        if (value) buffer = new Uint8Array(value.buffer);
        if (done || !value) break;
        await writeAll(conn, value);
        sent += value.byteLength;
        body.onBytes?.(sent);
      }
      socketBuffers.give(buffer);
    } finally {
      reader.releaseLock();
    }
    return;
  }
  for await (const chunk of body.stream) {
    await writeAll(conn, chunk);
    sent += chunk.byteLength;
    body.onBytes?.(sent);
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    done += await conn.write(bytes.subarray(done));
  }
}

interface ResponseHead {
  readonly status: number;
  readonly headers: Headers;
  /** Bytes of the body that came with the head. */
  readonly rest: Uint8Array;
}

async function readHead(conn: Deno.Conn): Promise<ResponseHead> {
  const buffer = new Uint8Array(MAX_HEAD_BYTES);
  let length = 0;
  for (;;) {
    const n = await conn.read(buffer.subarray(length));
    if (n === null) throw new Error("the connection closed before a response");
    length += n;
    const end = indexOfHeadEnd(buffer, length);
    if (end !== -1) {
      const text = new TextDecoder("latin1").decode(buffer.subarray(0, end));
      const [statusLine, ...lines] = text.split("\r\n");
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      if (!match) {
        throw new Error(`not an HTTP response: ${statusLine.slice(0, 64)}`);
      }
      const headers = new Headers();
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        try {
          headers.append(
            line.slice(0, colon).trim(),
            line.slice(colon + 1).trim(),
          );
        } catch {
          // A header Headers refuses is one the agent does not need.
        }
      }
      return {
        status: Number(match[1]),
        headers,
        rest: buffer.slice(end + 4, length),
      };
    }
    if (length === buffer.length) {
      throw new Error(`a response head over ${MAX_HEAD_BYTES} bytes`);
    }
  }
}

function indexOfHeadEnd(buffer: Uint8Array, length: number): number {
  for (let i = 3; i < length; i++) {
    if (
      buffer[i] === 10 && buffer[i - 1] === 13 && buffer[i - 2] === 10 &&
      buffer[i - 3] === 13
    ) return i - 3;
  }
  return -1;
}

function reply(
  conn: Deno.Conn,
  response: ResponseHead,
  exchange: HttpExchange,
  done: () => void,
  timedOut: () => boolean,
): HttpReply {
  const { status, headers } = response;
  const chunked = /chunked/i.test(headers.get("transfer-encoding") ?? "");
  const declared = contentLength(headers.get("content-length"));
  const bodyless = status === 204 ||
    status === 304 || (status >= 100 && status < 200);
  const source = new SocketBytes(
    conn,
    response.rest,
    exchange,
    timedOut,
    bodyless
      ? 0
      : !chunked && typeof declared === "number"
      ? declared
      : undefined,
  );
  async function* body(): AsyncIterable<Uint8Array> {
    try {
      if (bodyless) return;
      if (chunked) {
        yield* source.chunked();
      } else if (typeof declared === "string") {
        // Neither a length to trust nor the end of the connection: a
        // hostile server would have us take a truncated file for whole.
        throw new TransportError(
          "http",
          `${exchange.url.host} sent a malformed Content-Length (${declared})`,
        );
      } else if (declared !== undefined) {
        yield* source.exactly(declared);
      } else {
        yield* source.untilClose();
      }
    } finally {
      source.stop();
      done();
    }
  }
  return {
    status,
    headers,
    body: body(),
    discard: () => {
      source.stop();
      done();
      return Promise.resolve();
    },
  };
}
