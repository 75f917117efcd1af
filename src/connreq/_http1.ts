/**
 * A small HTTP/1.1 server for connection requests, on raw sockets, so the
 * listener decides what a connection may cost: its request must arrive
 * whole within a few seconds and within a few KiB, it gets one answer and
 * is closed (no keep-alive), and past a number of open connections the one
 * that has waited longest for its request is dropped to make room — a
 * flood of idle or slow sockets cannot shut the real ACS out, since its
 * request completes in milliseconds.
 *
 * @module
 */
import type { RefusalReason } from "./refusals.ts";

/** What the handler gets and returns. */
export type Http1Handler = (
  request: Request,
  info: { readonly remoteAddr: { readonly hostname: string } },
) => Response;

/** Options for {@linkcode serveHttp1}. */
export interface Http1Options {
  readonly hostname: string;
  readonly port: number;
  readonly handler: Http1Handler;
  /** Open connections at most (default 256). */
  readonly maxConnections?: number;
  /** Time for a whole request to arrive (default 5 s). */
  readonly requestTimeoutMs?: number;
  /** Largest request head (default 8 KiB). */
  readonly maxHeaderBytes?: number;
  /** Told of each connection dropped or refused before the handler saw it. */
  readonly onDrop?: (
    reason: Extract<
      RefusalReason,
      "timeout" | "evicted" | "oversized" | "malformed"
    >,
    from: string,
  ) => void;
}

/** A running server. */
export interface Http1Server {
  readonly addr: Deno.NetAddr;
  /** Open connections now. */
  readonly connections: number;
  shutdown(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Starts the server; resolves once it listens. */
export function serveHttp1(options: Http1Options): Http1Server {
  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
  });
  const max = options.maxConnections ?? 256;
  const open = new Map<Deno.Conn, { done: boolean }>();
  let closing = false;

  const source = (conn: Deno.Conn) =>
    (conn.remoteAddr as Deno.NetAddr).hostname ?? "";
  const drop = (
    conn: Deno.Conn,
    reason: "timeout" | "evicted",
  ) => {
    options.onDrop?.(reason, source(conn));
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  };

  const serve = async (conn: Deno.Conn) => {
    const entry = { done: false };
    open.set(conn, entry);
    const timer = setTimeout(
      () => drop(conn, "timeout"),
      options.requestTimeoutMs ?? 5000,
    );
    try {
      const head = await readHead(conn, options.maxHeaderBytes ?? 8192);
      clearTimeout(timer);
      if (head === "oversized") {
        await answer(conn, new Response(null, { status: 431 }));
        options.onDrop?.("oversized", source(conn));
        return;
      }
      if (head === undefined) return;
      const request = toRequest(head);
      if (!request) {
        await answer(conn, new Response(null, { status: 400 }));
        options.onDrop?.("malformed", source(conn));
        return;
      }
      const remote = conn.remoteAddr as Deno.NetAddr;
      entry.done = true;
      let response: Response;
      try {
        response = options.handler(request, {
          remoteAddr: { hostname: remote.hostname },
        });
      } catch {
        response = new Response(null, { status: 500 });
      }
      await answer(conn, response);
    } catch {
      // A peer that goes away mid-request costs nothing more.
    } finally {
      clearTimeout(timer);
      open.delete(conn);
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  };

  const accepting = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        if (closing) return;
        continue;
      }
      if (open.size >= max) {
        // Room for the newcomer: the oldest connection still waiting for
        // its request goes (Map order is arrival order).
        for (const [old, entry] of open) {
          if (!entry.done) {
            open.delete(old);
            drop(old, "evicted");
            break;
          }
        }
      }
      void serve(conn);
    }
  })();

  return {
    addr: listener.addr as Deno.NetAddr,
    get connections() {
      return open.size;
    },
    async shutdown() {
      closing = true;
      listener.close();
      for (const conn of open.keys()) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
      open.clear();
      await accepting;
    },
  };
}

/** Reads up to the blank line; "oversized" past the limit; undefined when the peer left. */
async function readHead(
  conn: Deno.Conn,
  limit: number,
): Promise<string | "oversized" | undefined> {
  const buffer = new Uint8Array(limit + 4);
  let length = 0;
  for (;;) {
    if (length >= buffer.length) return "oversized";
    const n = await conn.read(buffer.subarray(length));
    if (n === null) return undefined;
    const from = Math.max(0, length - 3);
    length += n;
    for (let i = from; i + 3 < length; i++) {
      if (
        buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 &&
        buffer[i + 3] === 10
      ) {
        return new TextDecoder().decode(buffer.subarray(0, i));
      }
    }
    if (length > limit) return "oversized";
  }
}

function toRequest(head: string): Request | undefined {
  const [line, ...headerLines] = head.split("\r\n");
  const match = /^([A-Z]{1,16}) (\/\S{0,2048}) HTTP\/1\.[01]$/.exec(line);
  if (!match) return undefined;
  const headers = new Headers();
  for (const h of headerLines) {
    const colon = h.indexOf(":");
    if (colon <= 0) return undefined;
    try {
      headers.append(h.slice(0, colon).trim(), h.slice(colon + 1).trim());
    } catch {
      return undefined;
    }
  }
  try {
    // GET and HEAD carry no body; anything else is answered 405 unread.
    return new Request(`http://connection-request${match[2]}`, {
      method: match[1],
      headers,
    });
  } catch {
    return undefined;
  }
}

async function answer(conn: Deno.Conn, response: Response): Promise<void> {
  const lines = [
    `HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? ""}`,
    "content-length: 0",
    "connection: close",
  ];
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection") {
      lines.push(`${name}: ${value}`);
    }
  });
  await response.body?.cancel();
  const bytes = new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
  let offset = 0;
  while (offset < bytes.length) {
    offset += await conn.write(bytes.subarray(offset));
  }
}
