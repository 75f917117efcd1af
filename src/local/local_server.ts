/**
 * The local interface: HTTP/1.1 with JSON bodies on a Unix domain socket in
 * the state directory (mode 0600, or 0660 with a configured group), so
 * `curl --unix-socket` works from a shell. Every request carries an
 * application's bearer token; what it may read and write is its access
 * list's (`access.ts`), what each route does is `local_api.ts`'s. `GET
 * /v1/watch` streams value changes as Server-Sent Events, whoever made
 * them. Everything a client can make it spend is bounded: body size,
 * watchers, each watcher's queue (a watcher that does not read is
 * dropped, with a log line), and a bad request is a JSON error, never the
 * end of the agent.
 *
 * @module
 */
import { appForAuthorization, type LocalApp, underPrefixes } from "./access.ts";
import {
  LOCAL_ROUTES,
  LocalApiError,
  type LocalApiParts,
} from "./local_api.ts";

/** Options for {@linkcode LocalServer.start}. */
export interface LocalServerOptions {
  /** The socket's path (`<state-dir>/local.sock`). */
  readonly path: string;
  /** The applications and their access lists. */
  readonly apps: readonly LocalApp[];
  /** The device, the agent's hooks, the log. */
  readonly parts: LocalApiParts;
  /** A group id that may use the socket too (mode 0660 instead of 0600). */
  readonly group?: number;
  /** Largest request body (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Watch streams open at once (default 64). */
  readonly maxWatchers?: number;
  /** Events a watcher may leave unread before it is dropped (default 256). */
  readonly watchQueue?: number;
}

interface Watcher {
  readonly app: LocalApp;
  readonly prefixes: readonly string[];
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
}

const JSON_HEADERS = { "content-type": "application/json" };
const encoder = new TextEncoder();

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body) + "\n", {
    status,
    headers: JSON_HEADERS,
  });
}

function errorResponse(error: LocalApiError): Response {
  return json(error.status, {
    error: {
      code: error.code,
      message: error.message,
      ...(error.parameters.length ? { parameters: error.parameters } : {}),
    },
  });
}

/**
 * The running interface.
 *
 * @example
 * ```ts
 * import { LocalServer } from "./local_server.ts";
 * // const server = await LocalServer.start({ path: `${stateDir}/local.sock`, apps, parts });
 * // … await server.stop();
 * ```
 */
export class LocalServer {
  readonly #options: LocalServerOptions;
  readonly #watchers = new Set<Watcher>();
  readonly #unsubscribe: (() => void)[] = [];
  #server: Deno.HttpServer | undefined;
  #refusalsLoggedAt = 0;

  private constructor(options: LocalServerOptions) {
    this.#options = options;
  }

  /**
   * Listens on the socket (a stale socket file is replaced) with its mode
   * set before the first request can be answered.
   */
  static async start(options: LocalServerOptions): Promise<LocalServer> {
    const server = new LocalServer(options);
    await server.#listen();
    return server;
  }

  /** Watch streams open now. */
  get watchers(): number {
    return this.#watchers.size;
  }

  /** Stops listening and ends every watch stream. */
  async stop(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    for (const watcher of this.#watchers) this.#drop(watcher);
    await this.#server?.shutdown();
    await Deno.remove(this.#options.path).catch(() => {});
  }

  async #listen(): Promise<void> {
    const { path, group } = this.#options;
    await Deno.remove(path).catch(() => {});
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#server = Deno.serve({
      path,
      transport: "unix",
      onListen: () => resolve(),
      onError: (error) => {
        this.#options.parts.log("error", "local request failed", {
          error: String((error as Error)?.message ?? error),
        });
        return json(500, { error: { code: 9002, message: "Internal error" } });
      },
    }, (request) => this.#handle(request));
    await promise;
    await Deno.chmod(path, group === undefined ? 0o600 : 0o660);
    if (group !== undefined) await Deno.chown(path, null, group);
    const device = this.#options.parts.context.device;
    this.#unsubscribe.push(
      device.watch((paths) => void this.#publish(paths)),
      device.onManagementServerChange((names) =>
        void this.#publish(
          names.map((n) => `${device.root}.ManagementServer.${n}`),
        )
      ),
    );
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    const app = await appForAuthorization(
      this.#options.apps,
      request.headers.get("authorization"),
    );
    if (!app) {
      await request.body?.cancel();
      this.#logRefusal(route);
      return json(401, {
        error: {
          code: 0,
          message: "an application's bearer token is required",
        },
      });
    }
    try {
      if (route === "GET /v1/watch") return this.#watch(app, url);
      const handler = Object.hasOwn(LOCAL_ROUTES, route)
        ? LOCAL_ROUTES[route]
        : undefined;
      if (!handler) {
        await request.body?.cancel();
        const known = Object.keys(LOCAL_ROUTES).some((r) =>
          r.endsWith(` ${url.pathname}`)
        );
        return json(known ? 405 : 404, {
          error: {
            code: 0,
            message: known
              ? `${request.method} is not allowed on ${url.pathname}`
              : `no such route: ${url.pathname}`,
          },
        });
      }
      const body = request.method === "GET"
        ? undefined
        : await this.#body(request);
      return json(200, await handler(body, app, this.#options.parts));
    } catch (error) {
      if (error instanceof LocalApiError) return errorResponse(error);
      this.#options.parts.log("error", "local request failed", {
        app: app.name,
        route,
        error: String((error as Error)?.message ?? error),
      });
      return json(500, { error: { code: 9002, message: "Internal error" } });
    }
  }

  /** The JSON body, at most `maxBodyBytes`, read without holding more. */
  async #body(request: Request): Promise<unknown> {
    const max = this.#options.maxBodyBytes ?? 1 << 20;
    const declared = Number(request.headers.get("content-length") ?? NaN);
    if (declared > max) {
      await request.body?.cancel();
      throw new LocalApiError(413, 0, `a body of at most ${max} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    for await (const chunk of request.body ?? []) {
      bytes += chunk.byteLength;
      if (bytes > max) {
        throw new LocalApiError(413, 0, `a body of at most ${max} bytes`);
      }
      chunks.push(chunk);
    }
    const all = new Uint8Array(bytes);
    let at = 0;
    for (const chunk of chunks) {
      all.set(chunk, at);
      at += chunk.byteLength;
    }
    try {
      return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(all));
    } catch (error) {
      throw new LocalApiError(
        400,
        0,
        `malformed JSON: ${(error as Error).message.slice(0, 120)}`,
      );
    }
  }

  #watch(app: LocalApp, url: URL): Response {
    const asked = url.searchParams.getAll("path");
    const prefixes = asked.length > 0 ? asked : app.read;
    for (const prefix of prefixes) {
      if (!underPrefixes(app.read, prefix)) {
        throw new LocalApiError(
          403,
          9001,
          `${app.name} may not read ${prefix}`,
        );
      }
    }
    if (this.#watchers.size >= (this.#options.maxWatchers ?? 64)) {
      throw new LocalApiError(503, 0, "too many watch streams are open");
    }
    let watcher: Watcher | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        watcher = { app, prefixes, controller };
        this.#watchers.add(watcher);
        controller.enqueue(encoder.encode(": watching\n\n"));
      },
      cancel: () => {
        if (watcher) this.#watchers.delete(watcher);
      },
    }, { highWaterMark: 1 });
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
      },
    });
  }

  /** Sends changed values to every watcher whose paths cover them. */
  async #publish(paths: readonly string[]): Promise<void> {
    if (this.#watchers.size === 0 || paths.length === 0) return;
    // Through the data model, as `get` reads: a password reads as "".
    let values: ReadonlyMap<string, string>;
    try {
      values = await this.#options.parts.context.model.view().values(paths);
    } catch {
      return;
    }
    const limit = this.#options.watchQueue ?? 256;
    for (const watcher of this.#watchers) {
      for (const path of paths) {
        if (
          !underPrefixes(watcher.prefixes, path) ||
          !underPrefixes(watcher.app.read, path)
        ) continue;
        const value = values.get(path);
        if (value === undefined) continue;
        // A client that does not read must not make the agent hold an
        // ever longer queue for it.
        if ((watcher.controller.desiredSize ?? 0) <= -limit) {
          this.#options.parts.log("warn", "local watcher dropped", {
            app: watcher.app.name,
            reason: `more than ${limit} events unread`,
          });
          this.#drop(watcher);
          break;
        }
        watcher.controller.enqueue(
          encoder.encode(
            `event: change\ndata: ${JSON.stringify({ name: path, value })}\n\n`,
          ),
        );
      }
    }
  }

  /**
   * Ends a watch stream at once: an error, not a close, so the response is
   * torn down instead of waiting to flush to a client that does not read.
   */
  #drop(watcher: Watcher): void {
    this.#watchers.delete(watcher);
    try {
      watcher.controller.error(new Error("watch stream ended"));
    } catch {
      // Already ended.
    }
  }

  #logRefusal(route: string): void {
    // At most one line per 10 s: a flood of bad tokens does not flood the log.
    const now = Date.now();
    if (now - this.#refusalsLoggedAt < 10_000) return;
    this.#refusalsLoggedAt = now;
    this.#options.parts.log("warn", "local request refused", {
      route,
      reason: "no or unknown bearer token",
    });
  }
}
