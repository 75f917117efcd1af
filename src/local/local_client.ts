/**
 * A small client of the local interface, for on-device applications in
 * TypeScript and for the `agent get|set|add|delete|watch` commands.
 *
 * @module
 */

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
 * The client. Deno asks for network permission for the socket
 * (`--allow-net=unix:PATH`) and, since fetch names a host even through a
 * socket, for `127.0.0.1:80` (no connection is made to it).
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
  readonly #http: Deno.HttpClient;
  readonly #token: string;

  /** A client of the socket at `path`, calling as the application `token` names. */
  constructor(path: string, token: string) {
    this.#http = Deno.createHttpClient({ proxy: { transport: "unix", path } });
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
    const response = await fetch(
      `http://127.0.0.1/v1/watch${query ? `?${query}` : ""}`,
      {
        headers: { authorization: `Bearer ${this.#token}` },
        client: this.#http,
        ...(signal ? { signal } : {}),
      },
    );
    if (!response.ok) throw await errorOf(response);
    let buffer = "";
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body ?? []) {
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
    const response = await fetch(`http://127.0.0.1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      client: this.#http,
    });
    if (!response.ok) throw await errorOf(response);
    return await response.json() as Record<string, unknown>;
  }
}

async function errorOf(response: Response): Promise<LocalClientError> {
  let error: { code?: number; message?: string; parameters?: [] } = {};
  try {
    error = (await response.json()).error ?? {};
  } catch {
    // Not JSON: the status says it.
  }
  return new LocalClientError(
    response.status,
    error.code ?? 0,
    error.message ?? `HTTP ${response.status}`,
    error.parameters ?? [],
  );
}
