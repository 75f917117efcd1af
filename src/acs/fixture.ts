/**
 * A fixture ACS: a real HTTP server on 127.0.0.1 that runs scripted sessions
 * against a CPE and records every message. The agent's own tests use it, and
 * so can anyone testing a device: it speaks the ACS side of CWMP with Basic
 * or Digest authentication, cookies, redirects, HoldRequests, faults
 * (including 8005) and broken behaviour on demand, and it can send
 * connection requests.
 *
 * @module
 */
import { decodeCpeMessage } from "../cwmp/decode.ts";
import { encodeAcsMessage } from "../cwmp/encode.ts";
import { CwmpFault } from "../cwmp/faults.ts";
import { sendConnectionRequest } from "./connection_request_client.ts";
import { FileServer } from "./file_server.ts";
import { droppedResponse } from "./_dropped.ts";
import { unauthorized } from "./_http_auth.ts";
import type { AcsBody, CpeMessage, SoapHeader } from "../cwmp/messages.ts";
import type { CwmpNamespaceName } from "../cwmp/namespaces.ts";
import { randomNonce } from "../transport/digest.ts";
import { DigestVerifier } from "../transport/digest_server.ts";
import type { ContentCoding } from "../transport/content_coding.ts";
import { codedResponse, readCoded } from "./_coded.ts";
import { validateEnvelopes } from "./xsd.ts";
import { type NodeHttpsServer, serveNodeHttps } from "./_node_https.ts";
import type {
  FixtureAcsOptions,
  RecordedSession,
  SessionScript,
} from "./fixture_types.ts";

export type {
  FixtureAcsOptions,
  RecordedMessage,
  RecordedSession,
  SessionScript,
} from "./fixture_types.ts";

interface CurrentSession {
  session: RecordedSession;
  script: SessionScript;
  next: number;
  posts: number;
  namespace: CwmpNamespaceName;
  cookie: string;
  id: number;
}

/**
 * The fixture ACS.
 *
 * @example
 * ```ts
 * import { FixtureAcs } from "./fixture.ts";
 * const acs = new FixtureAcs({ sessions: [{ requests: [
 *   { kind: "request", method: "GetParameterNames", args: { parameterPath: "Device.", nextLevel: true } },
 * ] }] });
 * await acs.start();
 * console.log(acs.url.startsWith("http://127.0.0.1:")); // true
 * await acs.stop();
 * ```
 */
export class FixtureAcs {
  readonly #options: FixtureAcsOptions;
  #server: Deno.HttpServer<Deno.NetAddr> | NodeHttpsServer | undefined;
  #url = "";
  readonly #verifier = new DigestVerifier({ realm: "fixture-acs" });
  readonly #sessions: RecordedSession[] = [];
  #current: CurrentSession | undefined;
  /** The content coding of the request being answered, if any. */
  #replyCoding: ContentCoding | undefined;
  /** The content coding of every POST so far, in order ("" for none). */
  readonly postCodings: string[] = [];
  readonly #scripts = new Map<number, SessionScript>();
  /** The session the last 204 ended: a CPE may still send its requests in it. */
  #ending: CurrentSession | undefined;
  #hanging: (() => void)[] = [];
  #sessionWaiters: { count: number; resolve: () => void }[] = [];

  /** A fixture ACS; call {@linkcode FixtureAcs.start}. */
  constructor(options: FixtureAcsOptions = {}) {
    this.#options = options;
    if (options.files) this.files = new FileServer(options.files);
  }

  /** The files served under `/files/` (with the `files` option). */
  readonly files: FileServer | undefined;

  /** Sets the script of session `index` (0 is the first), e.g. once the file URLs are known. */
  script(index: number, script: SessionScript): void {
    this.#scripts.set(index, script);
  }

  /** The URL of a file served under `/files/`. */
  fileUrl(path: string): string {
    return new URL(`/files${path}`, this.#url).href;
  }

  /** `performance.now()` when the first CPE message arrived (for benchmarks). */
  firstMessageAt: number | undefined;

  /** Every session so far. */
  get sessions(): readonly RecordedSession[] {
    return this.#sessions;
  }

  /** The URL the CPE should use as ManagementServer.URL. */
  get url(): string {
    return this.#url;
  }

  /**
   * Validates every non-empty CPE message recorded so far against the
   * Broadband Forum XSDs in `bbfDir` and returns the ones that fail, with
   * the reasons (empty when all are valid).
   */
  async validateRecorded(
    bbfDir: string,
  ): Promise<{ session: number; message: number; errors: string[] }[]> {
    const messages = new Map<string, string>();
    this.#sessions.forEach((s, i) =>
      s.messages.forEach((m, j) => {
        if (m.direction === "CPE→ACS" && m.xml !== "") {
          messages.set(`${i}:${j}`, m.xml);
        }
      })
    );
    const results = await validateEnvelopes(messages, bbfDir);
    return [...results].filter(([, r]) => !r.valid).map(([key, r]) => {
      const [session, message] = key.split(":").map(Number);
      return { session, message, errors: r.errors };
    });
  }

  /** Starts listening on 127.0.0.1. */
  async start(): Promise<void> {
    const path = this.#options.path ?? "/acs";
    if (this.#options.tls) {
      // https on node:https: see _node_https.ts for why not Deno.serve.
      const server = await serveNodeHttps(
        this.#options.tls,
        this.#options.port ?? 0,
        (request) => this.#handle(request),
      );
      this.#server = server;
      this.#url = `https://127.0.0.1:${server.port}${path}`;
      return;
    }
    const ready = Promise.withResolvers<void>();
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: this.#options.port ?? 0,
      onListen: () => ready.resolve(),
      onError: (error) =>
        new Response(`fixture ACS error: ${error}`, { status: 500 }),
    }, (request) => this.#handle(request));
    this.#server = server;
    await ready.promise;
    this.#url = `http://127.0.0.1:${server.addr.port}${path}`;
  }

  /** Stops the server and releases hanging requests. */
  async stop(): Promise<void> {
    for (const release of this.#hanging) release();
    this.#hanging = [];
    await this.files?.stop();
    const server = this.#server;
    if (server && "shutdown" in server) await server.shutdown();
    else await server?.close();
  }

  /** Resolves once `count` sessions have ended with the ACS's 204; rejects after `timeoutMs`. */
  waitForSessions(count: number, timeoutMs = 15_000): Promise<void> {
    if (this.#sessions.filter((s) => s.ended).length >= count) {
      return Promise.resolve();
    }
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const timer = setTimeout(() => {
      this.#sessionWaiters = this.#sessionWaiters.filter((w) => w !== waiter);
      reject(
        new Error(
          `${count} ended session(s) expected within ${timeoutMs} ms; ${
            this.#sessions.filter((s) => s.ended).length
          } ended of ${this.#sessions.length}`,
        ),
      );
    }, timeoutMs);
    const waiter = {
      count,
      resolve: () => {
        clearTimeout(timer);
        resolve();
      },
    };
    this.#sessionWaiters.push(waiter);
    return promise;
  }

  #ended(): void {
    const done = this.#sessions.filter((s) => s.ended).length;
    this.#sessionWaiters = this.#sessionWaiters.filter((w) => {
      if (w.count <= done) w.resolve();
      return w.count > done;
    });
  }

  async #handle(request: Request): Promise<Response> {
    this.firstMessageAt ??= performance.now();
    const url = new URL(request.url);
    const path = this.#options.path ?? "/acs";
    if (this.files && url.pathname.startsWith("/files/")) {
      return await this.files.handle(request, "/files");
    }
    if (request.method !== "POST" || !url.pathname.startsWith(path)) {
      return new Response("not found", { status: 404 });
    }

    const auth = this.#options.auth;
    const refused = auth &&
      await unauthorized(request, auth, this.#verifier, "fixture-acs");
    if (refused) return refused;

    const read = await readCoded(request);
    if (read instanceof Response) return read;
    const raw = read.raw;
    this.#replyCoding = read.coding;
    this.postCodings.push(read.coding ?? "");
    const xml = new TextDecoder().decode(raw);
    const current0 = this.#current;
    if (current0 && raw.length > (this.#options.maxDecodeBytes ?? Infinity)) {
      current0.session.messages.push({ direction: "CPE→ACS", xml });
      return this.#next(current0);
    }
    let decoded: CpeMessage;
    try {
      decoded = decodeCpeMessage(raw);
    } catch (error) {
      const message = error instanceof CwmpFault
        ? error.message
        : String(error);
      this.#current?.session.messages.push({
        direction: "CPE→ACS",
        xml,
        error: message,
      });
      return new Response(message, { status: 400 });
    }

    const body = decoded.body;
    if (body.kind === "request" && body.method === "Inform") {
      if (this.#options.redirectTo) {
        return new Response(null, {
          status: 307,
          headers: { location: this.#options.redirectTo },
        });
      }
      const hops = Number(url.searchParams.get("hop") ?? "0");
      if (hops < (this.#options.redirects ?? 0)) {
        return new Response(null, {
          status: 307,
          headers: { location: `${path}?hop=${hops + 1}` },
        });
      }
      return await this.#inform(decoded, xml);
    }
    // After the ACS's 204 the CPE sends what it held back (HoldRequests):
    // the same session goes on.
    if (!this.#current && body.kind === "request" && this.#ending) {
      this.#current = this.#ending;
      this.#current.session.ended = false;
    }
    this.#ending = undefined;
    const current = this.#current;
    if (!current) {
      return new Response("no session: the first message must be an Inform", {
        status: 400,
      });
    }
    if (
      this.#options.cookies &&
      !(request.headers.get("cookie") ?? "").includes(
        `cwmpsession=${current.cookie}`,
      )
    ) {
      return new Response("missing session cookie", { status: 403 });
    }
    current.session.messages.push({ direction: "CPE→ACS", xml, decoded });
    const late = current.script.failAfterInform;
    if (late && ++current.posts === late.post) {
      this.#current = undefined;
      return late.failure === "http500"
        ? new Response("internal error", { status: 500 })
        : droppedResponse();
    }
    if (body.kind === "request") {
      const answer = current.script.cpeRequests;
      if (answer === "hang") {
        await new Promise<void>((resolve) => this.#hanging.push(resolve));
        return new Response(null, { status: 503 });
      }
      return this.#reply(
        current.namespace,
        { id: decoded.header.id },
        answer
          ? {
            kind: "fault",
            faultCode: answer.fault,
            faultString: answer.fault === 8005 ? "Retry request" : "Fault",
            parameterFaults: [],
          }
          : { kind: "response", method: body.method, args: {} } as AcsBody,
      );
    }
    return this.#next(current);
  }

  /** The next scripted request of the session, or 204 when the script is done. */
  #next(current: CurrentSession): Response {
    const script = current.script;
    const requests = script.requests ?? [];
    if (current.next < requests.length) {
      const next = requests[current.next++];
      const header: SoapHeader = {
        id: `acs-${current.id}-${current.next}`,
        ...(script.holdRequests ? { holdRequests: true } : {}),
      };
      return this.#reply(current.namespace, header, next);
    }
    current.session.ended = true;
    current.session.messages.push({ direction: "ACS→CPE", xml: "" });
    this.#current = undefined;
    this.#ending = current;
    this.#ended();
    return new Response(null, { status: 204 });
  }

  async #inform(decoded: CpeMessage, xml: string): Promise<Response> {
    const index = this.#sessions.length;
    const script = this.#scripts.get(index) ??
      this.#options.sessions?.[index] ?? this.#options.defaultScript ?? {};
    const session: RecordedSession = {
      messages: [{ direction: "CPE→ACS", xml, decoded }],
      events:
        decoded.body.kind === "request" && decoded.body.method === "Inform"
          ? decoded.body.args.event.map((e) => e.eventCode)
          : [],
      ended: false,
    };
    this.#sessions.push(session);
    const namespace = script.namespace ?? decoded.namespace ?? "1-2";
    const cookie = randomNonce(8);
    this.#current = {
      session,
      script,
      next: 0,
      posts: 0,
      namespace,
      cookie,
      id: index + 1,
    };
    switch (script.failure) {
      case "http500":
        this.#current = undefined;
        return new Response("internal error", { status: 500 });
      case "hang": {
        const { promise, resolve } = Promise.withResolvers<void>();
        this.#hanging.push(resolve);
        await promise;
        return new Response(null, { status: 503 });
      }
      case "drop":
        this.#current = undefined;
        return droppedResponse();
    }
    if (script.informFault !== undefined) {
      this.#current = undefined;
      return this.#reply(namespace, { id: decoded.header.id }, {
        kind: "fault",
        faultCode: script.informFault,
        faultString: "fixture fault",
        parameterFaults: [],
      });
    }
    const header: SoapHeader = {
      id: decoded.header.id,
      ...(script.holdRequests ? { holdRequests: true } : {}),
      ...(script.useCwmpVersion && namespace === "1-2"
        ? { useCwmpVersion: script.useCwmpVersion }
        : {}),
    };
    const response = this.#reply(namespace, header, {
      kind: "response",
      method: "Inform",
      args: { maxEnvelopes: 1 },
    });
    if (this.#options.cookies) {
      response.headers.append(
        "set-cookie",
        `cwmpsession=${cookie}; Path=/; HttpOnly`,
      );
    }
    return response;
  }

  #reply(
    namespace: CwmpNamespaceName,
    header: SoapHeader,
    body: AcsBody,
  ): Response {
    const xml = encodeAcsMessage({ namespace, header, body });
    this.#current?.session.messages.push({ direction: "ACS→CPE", xml });
    return codedResponse(xml, this.#replyCoding);
  }

  /**
   * Sends a connection request (HTTP GET with Digest authentication) to a
   * CPE, as an ACS does, and returns the final HTTP status. `client` carries
   * the CA and client certificate for an HTTPS listener.
   */
  static connectionRequest(
    url: string,
    username: string,
    password: string,
    client?: Deno.HttpClient,
  ): Promise<number> {
    return sendConnectionRequest(url, username, password, client);
  }
}
