/**
 * The connection-request listener: the ACS asks the CPE to open a session
 * with an HTTP GET to ManagementServer.ConnectionRequestURL, authenticated
 * with Digest against ConnectionRequestUsername/Password (digest §11.1).
 *
 * @module
 */
import { DigestVerifier } from "../transport/digest_server.ts";

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
  /** Most accepted requests per window (default 5). */
  readonly rateLimit?: number;
  /** The rate-limit window (default 60 s). */
  readonly rateWindowMs?: number;
  /** The clock. */
  readonly now?: () => number;
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
  const limit = options.rateLimit ?? 5;
  const window = options.rateWindowMs ?? 60_000;
  let accepted: number[] = [];
  const log = options.log ?? (() => {});

  const handler = (
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
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
    const t = now();
    accepted = accepted.filter((a) => t - a < window);
    if (accepted.length >= limit) {
      log("connection request rate-limited", {
        from: info.remoteAddr.hostname,
      });
      return new Response(null, { status: 503 });
    }
    accepted.push(t);
    // Answer first, then start the session (digest §11.1).
    queueMicrotask(options.onRequest);
    return new Response(null, {
      status: 200,
      headers: { "content-length": "0" },
    });
  };

  const ready = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 7547,
    onListen: (addr) => ready.resolve(addr),
    onError: () => new Response(null, { status: 500 }),
  }, handler);
  const addr = await ready.promise;
  const host = addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  return {
    url: `http://${host}:${addr.port}${path}`,
    stop: () => server.shutdown(),
  };
}
