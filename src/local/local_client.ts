/**
 * A small client of the local interface, for on-device applications in
 * TypeScript and for the `agent get|set|add|delete|watch` commands.
 *
 * @module
 */
import { Http1Transport } from "../transport/http1_transport.ts";
import type { HttpReply } from "../transport/http_transport.ts";

/** A refusal or fault the interface answered. */
export class LocalClientError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The CWMP fault code (0 for the interface's own refusals). */
  readonly code: number;
  /** Faults of single parameters. */
  readonly parameters: readonly {
    name: string;
    code: number;
    message: string;
  }[];

  /** An error from an answer. */
  constructor(
    status: number,
    code: number,
    message: string,
    parameters: readonly { name: string; code: number; message: string }[] = [],
  ) {
    super(message);
    this.name = "LocalClientError";
    this.status = status;
    this.code = code;
    this.parameters = parameters;
  }
}

/** A parameter and its value, as `get` answers. */
export interface LocalValue {
  /** The parameter. */
  readonly name: string;
  /** Its value, in canonical form. */
  readonly value: string;
  /** Its xsd type (`xsd:boolean`, …). */
  readonly type?: string;
}

/**
 * The client: one HTTP/1.1 request per connection to the socket. Deno asks
 * for `--allow-net=unix:PATH` and write access to the socket.
 *
 * @example
 * ```ts
 * import { LocalClient } from "./local_client.ts";
 * const client = new LocalClient("/var/lib/cwmp-agent/local.sock", "app-token");
 * // const [ssid] = await client.get(["Device.WiFi.SSID.1.SSID"]);
 * client.close();
 * ```
 */
export class LocalClient {
  readonly #http: Http1Transport;
  readonly #token: string;

  /** A client of the socket at `path`, calling as the application `token` names. */
  constructor(path: string, token: string) {
    this.#http = new Http1Transport({ unixPath: path });
    this.#token = token;
  }

  /** Values of parameters or partial paths. */
  async get(names: readonly string[]): Promise<LocalValue[]> {
    return (await this.#call("POST", "/v1/get", { names }))
      .parameters as LocalValue[];
  }

  /** Sets values, all or none; 0 when in effect, 1 when later. */
  async set(
    parameters: readonly { name: string; value: string; type?: string }[],
  ): Promise<0 | 1> {
    return (await this.#call("POST", "/v1/set", { parameters })).status as
      | 0
      | 1;
  }

  /** Names under a path (GetParameterNames). */
  async names(
    path: string,
    nextLevel = false,
  ): Promise<{ name: string; writable: boolean }[]> {
    return (await this.#call("POST", "/v1/names", { path, nextLevel }))
      .parameters as { name: string; writable: boolean }[];
  }

  /** Creates an instance of a table; its number. */
  async add(object: string): Promise<number> {
    return (await this.#call("POST", "/v1/add", { object })).instance as number;
  }

  /** Deletes an instance. */
  async delete(object: string): Promise<void> {
    await this.#call("POST", "/v1/delete", { object });
  }

  /** Asks for a session with a vendor event (`X <OUI> <event>`). */
  async inform(event: string): Promise<void> {
    await this.#call("POST", "/v1/inform", { event });
  }

  /** The agent's status. */
  status(): Promise<Record<string, unknown>> {
    return this.#call("GET", "/v1/status");
  }

  /**
   * Calls `onChange` for each value change under `paths` (all the
   * application may read when none), until the returned promise's stream
   * ends or `signal` aborts.
   */
  async watch(
    paths: readonly string[],
    onChange: (change: { name: string; value: string }) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const query = paths.map((p) => `path=${encodeURIComponent(p)}`).join("&");
    const reply = await this.#send(
      "GET",
      `/v1/watch${query ? `?${query}` : ""}`,
    );
    if (reply.status !== 200) throw await errorOf(reply);
    const stop = () => void reply.discard();
    signal?.addEventListener("abort", stop, { once: true });
    let buffer = "";
    const decoder = new TextDecoder();
    try {
      for await (const chunk of reply.body ?? []) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split("\n").find((l) => l.startsWith("data: "));
          if (data) onChange(JSON.parse(data.slice(6)));
        }
      }
    } catch (error) {
      if (!signal?.aborted) throw error;
    } finally {
      signal?.removeEventListener("abort", stop);
    }
  }

  /** Lets the connection go. */
  close(): void {
    this.#http.close();
  }

  async #call(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    const reply = await this.#send(method, path, body);
    if (reply.status !== 200) throw await errorOf(reply);
    return JSON.parse(await textOf(reply)) as Record<string, unknown>;
  }

  #send(method: "GET" | "POST", path: string, body?: unknown) {
    return this.#http.send({
      method,
      url: new URL(path, "http://local"),
      headers: new Headers({
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      }),
      body: body === undefined ? "" : JSON.stringify(body),
      // A watch stream lasts as long as the caller wants it.
      timeoutMs: path.startsWith("/v1/watch") ? 2 ** 31 - 1 : 30_000,
      peer: "the agent",
    });
  }
}

/** A reply's whole body as text (replies of the interface are small). */
async function textOf(reply: HttpReply): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of reply.body ?? []) {
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

async function errorOf(reply: HttpReply): Promise<LocalClientError> {
  let error: { code?: number; message?: string; parameters?: [] } = {};
  try {
    error = JSON.parse(await textOf(reply)).error ?? {};
  } catch {
    // Not JSON: the status says it.
  }
  return new LocalClientError(
    reply.status,
    error.code ?? 0,
    error.message ?? `HTTP ${reply.status}`,
    error.parameters ?? [],
  );
}
