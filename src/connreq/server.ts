/**
 * The connection-request listener: the ACS asks the CPE to open a session
 * with an HTTP GET to ManagementServer.ConnectionRequestURL, authenticated
 * with Digest against ConnectionRequestUsername/Password (digest §11.1).
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { DigestVerifier } from "../transport/digest_server.ts";
import { TokenBucket } from "./rate_limit.ts";

/** Settings of the listener. */
export interface ConnectionRequestOptions {
  /** Address to bind (default 127.0.0.1; a CPE binds its WAN address). */
  readonly hostname?: string;
  /** Port (default 7547, the IANA CWMP port; 0 picks a free one). */
  readonly port?: number;
  /** Path; random and unguessable when not given. */
  readonly path?: string;
  /** Reads the current credentials (they may change through SetParameterValues). */
  readonly credentials: () => {
    readonly username: string;
    readonly password: string;
  };
  /** Called for each authenticated request; the agent opens a session. */
  readonly onRequest: () => void;
  /** Requests accepted at once, the burst (default 10). */
  readonly rateLimit?: number;
  /** After the burst, one more request per this many ms (default 3000). */
  readonly rateIntervalMs?: number;
  /**
   * Deprecated: the window of the old "N per window" limit. When given
   * without `rateIntervalMs`, the interval is `rateWindowMs / rateLimit`.
   */
  readonly rateWindowMs?: number;
  /** The clock. */
  readonly now?: () => number;
  /**
   * Serve HTTPS with this certificate and key (PEM). With `clientCa`, the
   * ACS must also present a client certificate that chains to one of these
   * CAs; a connection without one is refused during the handshake.
   */
  readonly tls?: {
    readonly cert: string;
    readonly key: string;
    readonly clientCa?: readonly string[];
  };
  /** Where to log a refused request (never with credentials). */
  readonly log?: (event: string, details: Record<string, unknown>) => void;
}

/**
 * A running listener.
 *
 * @example
 * ```ts
 * import { startConnectionRequestServer } from "./server.ts";
 * const server = await startConnectionRequestServer({
 *   port: 0,
 *   credentials: () => ({ username: "acs", password: "secret" }),
 *   onRequest: () => console.log("session!"),
 * });
 * console.log(server.url.startsWith("http://127.0.0.1:")); // true
 * await server.stop();
 * ```
 */
export interface ConnectionRequestServer {
  /** The ConnectionRequestURL to publish. */
  readonly url: string;
  /** Stops listening. */
  stop(): Promise<void>;
}

/** Starts the listener. */
export async function startConnectionRequestServer(
  options: ConnectionRequestOptions,
): Promise<ConnectionRequestServer> {
  const now = options.now ?? Date.now;
  const path = options.path ?? `/${crypto.randomUUID().replaceAll("-", "")}`;
  const verifier = new DigestVerifier({
    realm: "cwmp-connection-request",
    now,
  });
  const bucket = new TokenBucket({
    ...(options.rateLimit !== undefined ? { burst: options.rateLimit } : {}),
    ...(options.rateIntervalMs !== undefined
      ? { intervalMs: options.rateIntervalMs }
      : options.rateWindowMs !== undefined
      ? { intervalMs: options.rateWindowMs / (options.rateLimit ?? 1) }
      : {}),
    now,
  });
  const log = options.log ?? (() => {});

  const handler = (
    request: Request,
    info: { readonly remoteAddr: { readonly hostname: string } },
  ): Response => {
    const url = new URL(request.url);
    // Connection requests carry no data; a body is never read.
    request.body?.cancel().catch(() => {});
    if (url.pathname !== path) return new Response(null, { status: 404 });
    if (request.method !== "GET") {
      return new Response(null, { status: 405, headers: { allow: "GET" } });
    }
    const credentials = options.credentials();
    // The query string is ignored, but the Digest uri covers what the client requested.
    const check = verifier.verify(request.headers.get("authorization"), {
      method: "GET",
      uri: url.pathname + url.search,
    }, credentials);
    if (!check.ok) {
      if (request.headers.has("authorization")) {
        log("connection request refused", {
          reason: check.reason,
          from: info.remoteAddr.hostname,
        });
      }
      return new Response(null, {
        status: 401,
        headers: { "www-authenticate": verifier.challenge(check.stale) },
      });
    }
    if (!bucket.take()) {
      log("connection request rate-limited", {
        from: info.remoteAddr.hostname,
      });
      return new Response(null, {
        status: 503,
        headers: { "retry-after": String(bucket.retryAfterSeconds()) },
      });
    }
    // Answer first, then start the session (digest §11.1).
    queueMicrotask(options.onRequest);
    return new Response(null, {
      status: 200,
      headers: { "content-length": "0" },
    });
  };

  if (options.tls) return await serveTls(options, options.tls, path, handler);

  const ready = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 7547,
    onListen: (addr) => ready.resolve(addr),
    onError: () => new Response(null, { status: 500 }),
  }, handler);
  const addr = await ready.promise;
  return {
    url: `http://${formatHost(addr.hostname)}:${addr.port}${path}`,
    stop: () => server.shutdown(),
  };
}

function formatHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/**
 * The HTTPS listener. Deno.serve cannot ask for client certificates, so
 * this one runs on node:https, which can; requests go through the same
 * handler.
 */
async function serveTls(
  options: ConnectionRequestOptions,
  tls: NonNullable<ConnectionRequestOptions["tls"]>,
  path: string,
  handler: (
    request: Request,
    info: { readonly remoteAddr: { readonly hostname: string } },
  ) => Response,
): Promise<ConnectionRequestServer> {
  const https = await import("node:https");
  const server = https.createServer({
    cert: tls.cert,
    key: tls.key,
    minVersion: "TLSv1.2",
    // Session tickets of their own: a session resumed from another TLS
    // server in this process must not skip the client-certificate check.
    ticketKeys: randomBytes(48),
    ...(tls.clientCa
      ? { ca: [...tls.clientCa], requestCert: true, rejectUnauthorized: true }
      : {}),
    // A slow client may hold only its own connection, and not for long.
    headersTimeout: 10_000,
    requestTimeout: 10_000,
    maxHeaderSize: 8192,
  }, (req, res) => {
    // The handshake should already have refused a client without a valid
    // certificate, but a TLS session resumed from another server in the same
    // process skips that check (seen on Deno 2.9.6): check the result here too.
    if (
      tls.clientCa &&
      (req.socket as { authorized?: boolean }).authorized !== true
    ) {
      options.log?.("connection request refused", {
        reason: "no valid client certificate",
        from: req.socket.remoteAddress ?? "",
      });
      res.statusCode = 403;
      res.end();
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const response = handler(
      new Request(`https://connection-request${req.url ?? "/"}`, {
        method: req.method,
        headers,
      }),
      { remoteAddr: { hostname: req.socket.remoteAddress ?? "" } },
    );
    req.resume();
    res.statusCode = response.status;
    response.headers.forEach((value, name) => res.setHeader(name, value));
    res.end();
  });
  await new Promise<void>((resolve) =>
    server.listen(
      options.port ?? 7547,
      options.hostname ?? "127.0.0.1",
      resolve,
    )
  );
  const address = server.address() as { address: string; port: number };
  return {
    url: `https://${formatHost(address.address)}:${address.port}${path}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
