/**
 * The connection-request listener: the ACS asks the CPE to open a session
 * with an HTTP GET to ManagementServer.ConnectionRequestURL, authenticated
 * with Digest against ConnectionRequestUsername/Password (digest §11.1).
 *
 * @module
 */
import { DigestVerifier } from "../transport/digest_server.ts";
import { serveHttp1 } from "./_http1.ts";
import { RefusalLog, type RefusalReason } from "./refusals.ts";
import { TokenBucket } from "./rate_limit.ts";
import { SourceLimit } from "./source_limit.ts";

/** Open connections at most, by default: past it the longest waiting one goes. */
export const DEFAULT_MAX_CONNECTIONS = 256;
/** Time a connection has for its whole request, by default. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

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
  /**
   * Counts and logs refusals; give one to keep totals across restarts of
   * the listener (the default is a fresh one logging to `log`).
   */
  readonly refusals?: RefusalLog;
  /** Open connections at most (default 256); past it the longest waiting one is closed. */
  readonly maxConnections?: number;
  /** Time a connection has for its whole request (default 5 s). */
  readonly requestTimeoutMs?: number;
  /**
   * Requests without credentials a source may make at once (default 50),
   * then one per `challengeIntervalMs` (default 100): past it the source's
   * requests without credentials are answered 503.
   */
  readonly challengeBurst?: number;
  /** See `challengeBurst`. */
  readonly challengeIntervalMs?: number;
  /**
   * Failed requests (wrong credentials, path or method) a source may make
   * at once (default 10), then one per `failureIntervalMs` (default 6000):
   * past it every request of the source is answered 503 unchecked.
   */
  readonly failureBurst?: number;
  /** See `failureBurst`. */
  readonly failureIntervalMs?: number;
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
  /** Connections open now. */
  readonly connections: number;
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
  const refusals = options.refusals ??
    new RefusalLog({ ...(options.log ? { log: options.log } : {}), now });
  const challenges = new SourceLimit({
    burst: options.challengeBurst ?? 50,
    intervalMs: options.challengeIntervalMs ?? 100,
    now,
  });
  const failures = new SourceLimit({
    burst: options.failureBurst ?? 10,
    intervalMs: options.failureIntervalMs ?? 6000,
    now,
  });

  const handler = (
    request: Request,
    info: { readonly remoteAddr: { readonly hostname: string } },
  ): Response => {
    const from = info.remoteAddr.hostname;
    const refuse = (
      reason: RefusalReason,
      response: Response,
      detail?: string,
    ) => {
      (reason === "no-credentials" ? challenges : failures).charge(from);
      refusals.refuse(reason, from, detail);
      return response;
    };
    // Connection requests carry no data; a body is never read.
    request.body?.cancel().catch(() => {});
    // Throttled requests are not charged again: a source that keeps trying
    // waits as long as one that stops.
    const limit = !failures.allowed(from)
      ? failures
      : !request.headers.has("authorization") && !challenges.allowed(from)
      ? challenges
      : undefined;
    if (limit) {
      refusals.refuse("throttled", from);
      return new Response(null, {
        status: 503,
        headers: { "retry-after": String(limit.retryAfterSeconds(from)) },
      });
    }
    const url = new URL(request.url);
    if (url.pathname !== path) {
      return refuse("not-found", new Response(null, { status: 404 }));
    }
    if (request.method !== "GET") {
      return refuse(
        "method",
        new Response(null, { status: 405, headers: { allow: "GET" } }),
      );
    }
    const credentials = options.credentials();
    // The query string is ignored, but the Digest uri covers what the client requested.
    const check = verifier.verify(request.headers.get("authorization"), {
      method: "GET",
      uri: url.pathname + url.search,
    }, credentials);
    if (!check.ok) {
      const challenge = new Response(null, {
        status: 401,
        headers: { "www-authenticate": verifier.challenge(check.stale) },
      });
      return request.headers.has("authorization")
        ? refuse("bad-credentials", challenge, check.reason)
        : refuse("no-credentials", challenge);
    }
    if (!bucket.take()) {
      refusals.refuse("rate-limited", from);
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

  const onDrop = (reason: RefusalReason, from: string) =>
    refusals.refuse(reason, from);
  if (options.tls) {
    return await serveTls(
      options,
      options.tls,
      path,
      handler,
      onDrop,
      refusals,
    );
  }

  const server = serveHttp1({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 7547,
    handler,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    onDrop,
  });
  return {
    url: `http://${
      formatHost(server.addr.hostname)
    }:${server.addr.port}${path}`,
    get connections() {
      return server.connections;
    },
    stop: async () => {
      await server.shutdown();
      refusals.flush();
    },
  };
}

function formatHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/**
 * The HTTPS listener. Deno.serve cannot ask for client certificates, so
 * this one runs on node:https, which can; requests go through the same
 * handler, and connections get the same bounds as over plain HTTP: a
 * connection lives for the request timeout at most (one request, answered
 * at once, then closed), and past the cap the oldest one is closed.
 */
async function serveTls(
  options: ConnectionRequestOptions,
  tls: NonNullable<ConnectionRequestOptions["tls"]>,
  path: string,
  handler: (
    request: Request,
    info: { readonly remoteAddr: { readonly hostname: string } },
  ) => Response,
  onDrop: (reason: RefusalReason, from: string) => void,
  refusals: RefusalLog,
): Promise<ConnectionRequestServer> {
  const https = await import("node:https");
  const { Buffer } = await import("node:buffer");
  const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const max = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const server = https.createServer({
    cert: tls.cert,
    key: tls.key,
    minVersion: "TLSv1.2",
    // Session tickets of their own: a session resumed from another TLS
    // server in this process must not skip the client-certificate check.
    ticketKeys: Buffer.from(crypto.getRandomValues(new Uint8Array(48))),
    ...(tls.clientCa
      ? { ca: [...tls.clientCa], requestCert: true, rejectUnauthorized: true }
      : {}),
    // Backstops: the connection timer below ends (and counts) them first.
    handshakeTimeout: timeout + 1000,
    headersTimeout: timeout + 1000,
    requestTimeout: timeout + 1000,
    keepAliveTimeout: 0,
    maxHeaderSize: 8192,
  }, (req, res) => {
    const from = req.socket.remoteAddress ?? "";
    // The handshake should already have refused a client without a valid
    // certificate, but a TLS session resumed from another server in the same
    // process skips that check (seen on Deno 2.9.6): check the result here too.
    if (
      tls.clientCa &&
      (req.socket as { authorized?: boolean }).authorized !== true
    ) {
      refusals.refuse("client-certificate", from);
      res.statusCode = 403;
      res.setHeader("connection", "close");
      res.end();
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    let response: Response;
    try {
      response = handler(
        new Request(`https://connection-request${req.url ?? "/"}`, {
          method: req.method,
          headers,
        }),
        { remoteAddr: { hostname: from } },
      );
    } catch {
      refusals.refuse("malformed", from);
      response = new Response(null, { status: 400 });
    }
    req.resume();
    res.statusCode = response.status;
    response.headers.forEach((value, name) => res.setHeader(name, value));
    res.setHeader("connection", "close");
    res.end();
  });
  // Raw connections, oldest first, each with the timer that ends it.
  const open = new Map<
    import("node:net").Socket,
    ReturnType<typeof setTimeout>
  >();
  server.on("connection", (socket: import("node:net").Socket) => {
    const from = socket.remoteAddress ?? "";
    open.set(
      socket,
      setTimeout(() => {
        if (!socket.destroyed) {
          onDrop("timeout", from);
          socket.destroy();
        }
      }, timeout),
    );
    socket.on("close", () => {
      clearTimeout(open.get(socket));
      open.delete(socket);
    });
    socket.on("error", () => {});
    for (const [old] of open) {
      if (open.size <= max) break;
      clearTimeout(open.get(old));
      open.delete(old);
      onDrop("evicted", old.remoteAddress ?? "");
      old.destroy();
    }
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
    get connections() {
      return open.size;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const [socket, timer] of open) {
          clearTimeout(timer);
          socket.destroy();
        }
        open.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        refusals.flush();
      }),
  };
}
