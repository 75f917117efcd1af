/**
 * A fetch-style handler (Request → Response) served over `node:https`. The
 * fixture ACS uses it for https instead of `Deno.serve`, for two reasons
 * measured on Deno 2.9.6: `Deno.serve` with TLS writes a response's headers
 * and body apart and holds the body for the client's delayed ACK (about
 * 44 ms per exchange with a body over ~100 bytes, on loopback), and it
 * cannot ask for a client certificate.
 *
 * @module
 */
import https from "node:https";
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** TLS settings of the server. */
export interface NodeHttpsOptions {
  /** Certificate chain (PEM). */
  readonly cert: string;
  /** Private key (PEM). */
  readonly key: string;
  /** When set, clients must present a certificate issued by one of these. */
  readonly clientCa?: readonly string[];
}

/** A running server. */
export interface NodeHttpsServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 over https. */
export async function serveNodeHttps(
  options: NodeHttpsOptions,
  port: number,
  handler: (request: Request) => Promise<Response>,
): Promise<NodeHttpsServer> {
  const server = https.createServer({
    cert: options.cert,
    key: options.key,
    // Its own ticket keys: tickets from other servers in this process are not honoured.
    ticketKeys: randomBytes(48),
    ...(options.clientCa
      ? {
        ca: [...options.clientCa],
        requestCert: true,
        rejectUnauthorized: true,
      }
      : {}),
  }, (req, res) => void answer(req, res, options, handler));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  options: NodeHttpsOptions,
  handler: (request: Request) => Promise<Response>,
): Promise<void> {
  // A TLS session resumed from elsewhere can skip the certificate check (Deno 2.9.6): check again.
  if (
    options.clientCa &&
    (req.socket as { authorized?: boolean }).authorized !== true
  ) {
    res.statusCode = 403;
    res.end("a valid client certificate is required");
    return;
  }
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of req) chunks.push(chunk as Uint8Array);
  } catch {
    res.destroy();
    return;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      headers.append(name, item);
    }
  }
  const body = concat(chunks);
  let response: Response;
  try {
    response = await handler(
      new Request(`https://127.0.0.1${req.url ?? "/"}`, {
        method: req.method,
        headers,
        ...(req.method === "GET" || req.method === "HEAD" ? {} : { body }),
      }),
    );
  } catch (error) {
    response = new Response(`server error: ${error}`, { status: 500 });
  }
  // The server may have been stopped while the handler waited (a scripted "hang").
  if (res.destroyed || req.socket.destroyed) return;
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  // Whole bodies go out in one write with their length; a body that fails midway (a scripted
  // "drop") goes out as far as it got, then the connection is cut.
  const parts: Uint8Array[] = [];
  try {
    if (response.body) {
      for await (const part of response.body) parts.push(part);
    }
  } catch {
    res.writeHead(response.status, out);
    for (const part of parts) res.write(part);
    res.destroy();
    return;
  }
  const bytes = concat(parts);
  if (response.status !== 204 && response.status !== 304) {
    out["content-length"] = String(bytes.length);
  }
  res.writeHead(response.status, out);
  res.end(bytes);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
