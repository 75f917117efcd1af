/**
 * A file server to test a CPE's transfers against: it serves files (GET)
 * and takes uploads (PUT) over http or https, optionally behind Basic or
 * Digest authentication, and can misbehave the ways real servers do — a
 * body cut short, a server that never answers. It records every request.
 * Listens on 127.0.0.1 only.
 *
 * @module
 */
import { DigestVerifier } from "../transport/digest_server.ts";
import { unauthorized } from "./_http_auth.ts";

/** A file to serve, and how. */
export interface ServedFile {
  /** The content (bytes, or a file on disk streamed as it is read). */
  readonly body: Uint8Array | { readonly path: string };
  /** Announce this Content-Length but close the connection after half the bytes. */
  readonly truncate?: boolean;
  /** Send the headers, then nothing: the body never comes. */
  readonly stall?: boolean;
}

/** Options for {@linkcode FileServer}. */
export interface FileServerOptions {
  /** Files by URL path (`/fw.bin`). */
  readonly files?: Readonly<Record<string, ServedFile>>;
  /** Require authentication. */
  readonly auth?: {
    readonly scheme: "basic" | "digest";
    readonly username: string;
    readonly password: string;
  };
  /** Serve https with this certificate chain and key. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Never answer anything (a hung server). */
  readonly hang?: boolean;
  /** Largest upload kept (default 256 MiB); a larger one is answered 413. */
  readonly maxUploadBytes?: number;
  /** Keep uploads as files in this directory instead of in memory. */
  readonly uploadDir?: string;
}

/** A request the server received. */
export interface FileRequest {
  /** GET or PUT. */
  readonly method: string;
  /** The URL path. */
  readonly path: string;
  /** The status answered (0: the server hung). */
  readonly status: number;
  /** Whether it carried credentials. */
  readonly authorization: boolean;
}

/**
 * The server.
 *
 * @example
 * ```ts
 * import { FileServer } from "./file_server.ts";
 * const server = new FileServer({ files: { "/hello.txt": { body: new TextEncoder().encode("hi") } } });
 * await server.start();
 * console.log((await (await fetch(server.url("/hello.txt"))).text())); // "hi"
 * await server.stop();
 * ```
 */
export class FileServer {
  readonly #options: FileServerOptions;
  readonly #files = new Map<string, ServedFile>();
  readonly #uploads = new Map<string, Uint8Array | string>();
  readonly #verifier = new DigestVerifier({ realm: "file-server" });
  readonly #requests: FileRequest[] = [];
  readonly #hung = new Set<() => void>();
  #server: Deno.HttpServer | undefined;
  #port = 0;

  /** A server; {@linkcode FileServer.start} listens. */
  constructor(options: FileServerOptions = {}) {
    this.#options = options;
    for (const [path, file] of Object.entries(options.files ?? {})) {
      this.#files.set(path, file);
    }
  }

  /** Every request so far. */
  get requests(): readonly FileRequest[] {
    return this.#requests;
  }

  /** The URL of `path` on this server. */
  url(path: string): string {
    const scheme = this.#options.tls ? "https" : "http";
    return `${scheme}://127.0.0.1:${this.#port}${path}`;
  }

  /** Adds or replaces a file. */
  serve(path: string, file: ServedFile): void {
    this.#files.set(path, file);
  }

  /** What was uploaded to `path` (bytes, or the file it was kept in). */
  upload(path: string): Uint8Array | string | undefined {
    return this.#uploads.get(path);
  }

  /** Listens on a free port of 127.0.0.1. */
  start(): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    const tls = this.#options.tls;
    this.#server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      ...(tls ? { cert: tls.cert, key: tls.key } : {}),
      onListen: ({ port }) => {
        this.#port = port;
        resolve();
      },
      onError: () => new Response("internal error", { status: 500 }),
    }, (request) => this.handle(request));
    return promise;
  }

  /** Stops listening; hung requests are let go. */
  async stop(): Promise<void> {
    for (const release of this.#hung) release();
    await this.#server?.shutdown();
  }

  /**
   * Answers one request (what the listener does; another server, such as
   * the fixture ACS, can hand its file requests here). `prefix` is taken
   * off the path first.
   */
  async handle(request: Request, prefix = ""): Promise<Response> {
    const path = new URL(request.url).pathname.slice(prefix.length) || "/";
    const record = (status: number) => {
      this.#requests.push({
        method: request.method,
        path,
        status,
        authorization: request.headers.has("authorization"),
      });
    };
    if (this.#options.hang) {
      await new Promise<void>((resolve) => this.#hung.add(resolve));
      record(0);
      return new Response(null, { status: 503 });
    }
    const auth = this.#options.auth;
    const refused = auth &&
      await unauthorized(request, auth, this.#verifier, "file-server");
    if (refused) {
      record(401);
      return refused;
    }
    if (request.method === "PUT") {
      const status = await this.#receive(request, path);
      record(status);
      return new Response(null, { status });
    }
    if (request.method !== "GET") {
      record(405);
      return new Response(null, { status: 405 });
    }
    const file = this.#files.get(path);
    if (!file) {
      record(404);
      return new Response("not found", { status: 404 });
    }
    record(200);
    return await this.#send(file);
  }

  async #send(file: ServedFile): Promise<Response> {
    const size = file.body instanceof Uint8Array
      ? file.body.byteLength
      : (await Deno.stat(file.body.path)).size;
    const headers = { "content-length": String(size) };
    if (file.stall) {
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#hung.add(resolve);
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await promise;
          controller.close();
        },
      });
      return new Response(body, { headers });
    }
    const source = file.body instanceof Uint8Array
      ? new Blob([file.body as Uint8Array<ArrayBuffer>]).stream()
      : (await Deno.open(file.body.path)).readable;
    if (!file.truncate) return new Response(source, { headers });
    const limit = Math.floor(size / 2);
    let sent = 0;
    const reader = source.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done || sent >= limit) {
          await reader.cancel().catch(() => {});
          controller.error(new Error("cut short"));
          return;
        }
        const part = value.subarray(0, limit - sent);
        sent += part.byteLength;
        controller.enqueue(part);
      },
    });
    return new Response(body, { headers });
  }

  async #receive(request: Request, path: string): Promise<number> {
    const max = this.#options.maxUploadBytes ?? 256 * 1024 * 1024;
    const dir = this.#options.uploadDir;
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    const file = dir
      ? await Deno.open(`${dir}/${encodeURIComponent(path)}`, {
        write: true,
        create: true,
        truncate: true,
      })
      : undefined;
    try {
      for await (const chunk of request.body ?? []) {
        bytes += chunk.byteLength;
        if (bytes > max) return 413;
        if (file) await file.write(chunk);
        else chunks.push(chunk);
      }
    } catch {
      return 400;
    } finally {
      file?.close();
    }
    if (dir) {
      this.#uploads.set(path, `${dir}/${encodeURIComponent(path)}`);
    } else {
      const all = new Uint8Array(bytes);
      let at = 0;
      for (const chunk of chunks) {
        all.set(chunk, at);
        at += chunk.byteLength;
      }
      this.#uploads.set(path, all);
    }
    return 201;
  }
}
