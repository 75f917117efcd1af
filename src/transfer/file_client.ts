/**
 * HTTP to a file server: one GET streamed into a sink, or one PUT streamed
 * from the device, under the same TLS settings as the ACS connection (the
 * CA store, pins, TLS floor and client certificate), with Basic or Digest
 * credentials answered on challenge, redirects checked against the
 * file-server policy, a cap on the bytes taken and a limit on how long the
 * body may stall. Every failure comes out as a {@linkcode CwmpFault} with
 * the code TR-069 gives it and a reason an operator can act on.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import { parseTransferUrl } from "../rpc/transfer_request.ts";
import type { UploadContent } from "../datamodel/transfer_adapter.ts";
import {
  digestAuthorization,
  parseDigestChallenge,
} from "../transport/digest.ts";
import { contentLength } from "../transport/_exchange.ts";
import type { HttpReply, HttpTransport } from "../transport/http_transport.ts";
import { TransportError } from "../transport/transport_error.ts";
import { transportFor, type TransportTls } from "../transport/transport_for.ts";

/** TLS and limits of a file transfer (the ACS connection's TLS settings). */
export interface FileClientOptions extends TransportTls {
  /** How long the body may go without a byte (default 60 s). */
  readonly idleTimeoutMs?: number;
  /** How long one transfer may take in all (default 6 h). */
  readonly timeoutMs?: number;
  /** Told of the bytes an upload has sent so far. */
  readonly uploaded?: (bytes: number) => void;
  /** Ends the transfer at once (the agent is stopping): its connections close. */
  readonly signal?: AbortSignal;
  /** Why a URL (the first, or a redirect target) may not be used, or undefined. */
  readonly urlProblem?: (url: URL) => string | undefined;
}

/** Credentials from the request's Username and Password. */
export interface FileCredentials {
  /** Username ("" for none). */
  readonly username: string;
  /** Password. */
  readonly password: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const DEFAULT_IDLE_MS = 60_000;
const DEFAULT_TOTAL_MS = 6 * 3600_000;

/** What a GET moved. */
export interface DownloadResult {
  /** Bytes written to the sink. */
  readonly bytes: number;
}

/**
 * GETs `url` into `sink`, chunk by chunk: the body is never held whole.
 * More than `maxBytes` ends the transfer (fault 9010) without reading on.
 *
 * @throws {CwmpFault} 9012 credentials refused, 9013 scheme not http(s),
 * 9015 server not reached (TLS included), 9016 the file not served,
 * 9017 the body cut short or stalled, 9010 too large or refused by policy.
 *
 * @example
 * ```ts
 * import { downloadFile } from "./file_client.ts";
 * // const { bytes } = await downloadFile("https://cdn.example.net/fw.bin", { username: "", password: "" }, (chunk) => file.write(chunk), 1 << 30);
 * ```
 */
export async function downloadFile(
  url: string,
  credentials: FileCredentials,
  sink: (chunk: Uint8Array) => Promise<void>,
  maxBytes: number,
  options: FileClientOptions = {},
): Promise<DownloadResult> {
  const connection = new FileConnection(options, "Download");
  try {
    let target = parseTransferUrl(url);
    for (let redirects = 0;; redirects++) {
      connection.check(target, 9010);
      const reply = await connection.send("GET", target, credentials);
      if (REDIRECTS.has(reply.status)) {
        const location = reply.headers.get("location");
        await reply.discard();
        if (!location || redirects >= MAX_REDIRECTS) {
          throw new CwmpFault(
            9016,
            `Cannot access the file: ${
              location ? "too many redirects" : "a redirect without Location"
            } at ${target.host}`,
          );
        }
        target = parseTransferUrl(new URL(location, target).href);
        continue;
      }
      if (reply.status < 200 || reply.status > 299) {
        await reply.discard();
        throw new CwmpFault(
          9016,
          `Cannot access the file: ${target.host} answered HTTP ${reply.status} for ${target.pathname}`,
        );
      }
      const length = contentLength(reply.headers.get("content-length"));
      // A malformed length fails as the body is read (9017, naming it).
      const declared = typeof length === "number" ? length : NaN;
      if (Number.isFinite(declared) && declared > maxBytes) {
        await reply.discard();
        throw new CwmpFault(
          9010,
          `The file is ${declared} bytes, more than the ${maxBytes} bytes the device has room for`,
        );
      }
      const bytes = await readBody(reply, sink, maxBytes, target);
      if (Number.isFinite(declared) && bytes < declared) {
        throw new CwmpFault(
          9017,
          `Download incomplete: ${bytes} of ${declared} bytes arrived from ${target.host}`,
        );
      }
      return { bytes };
    }
  } finally {
    connection.close();
  }
}

/**
 * PUTs the content `produce` makes to `url` (produced again when a
 * challenge asks for credentials). Redirects are not followed: the body
 * cannot be taken back.
 *
 * @throws {CwmpFault} 9012 credentials refused, 9013 scheme not http(s),
 * 9011 anything else (server not reached, refused, cut short).
 *
 * @example
 * ```ts
 * import { uploadFile } from "./file_client.ts";
 * // await uploadFile("https://files.example.net/up/cfg", { username: "u", password: "p" }, () => device.transfers.produceUpload("1 Vendor Configuration File"));
 * ```
 */
export async function uploadFile(
  url: string,
  credentials: FileCredentials,
  produce: () => Promise<UploadContent>,
  options: FileClientOptions = {},
): Promise<{ readonly bytes: number }> {
  const connection = new FileConnection(options, "Upload");
  try {
    const target = parseTransferUrl(url);
    connection.check(target, 9011);
    const reply = await connection.send("PUT", target, credentials, produce);
    await reply.reply.discard();
    if (reply.reply.status < 200 || reply.reply.status > 299) {
      throw new CwmpFault(
        9011,
        `Upload failed: ${target.host} answered HTTP ${reply.reply.status} for ${target.pathname}`,
      );
    }
    return { bytes: reply.bytes };
  } finally {
    connection.close();
  }
}

async function readBody(
  reply: HttpReply,
  sink: (chunk: Uint8Array) => Promise<void>,
  maxBytes: number,
  target: URL,
): Promise<number> {
  let bytes = 0;
  if (!reply.body) return 0;
  try {
    for await (const chunk of reply.body) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) {
        throw new CwmpFault(
          9010,
          `The file is larger than the ${maxBytes} bytes the device has room for (stopped at ${bytes})`,
        );
      }
      await sink(chunk);
    }
  } catch (error) {
    if (error instanceof CwmpFault) {
      await reply.discard().catch(() => {});
      throw error;
    }
    const reason = error instanceof TransportError
      ? error.message
      : `the connection was lost (${(error as Error).message})`;
    throw new CwmpFault(
      9017,
      `Download incomplete after ${bytes} bytes from ${target.host}: ${reason}`,
    );
  }
  return bytes;
}

/** One transfer's connection: transports per scheme, the challenge answered, faults worded. */
class FileConnection {
  readonly #options: FileClientOptions;
  readonly #method: "Download" | "Upload";
  readonly #transports = new Map<string, HttpTransport>();
  #nc = 0;
  readonly #cnonce = crypto.randomUUID().replaceAll("-", "");

  constructor(options: FileClientOptions, method: "Download" | "Upload") {
    this.#options = options;
    this.#method = method;
    options.signal?.addEventListener("abort", () => this.close(), {
      once: true,
    });
  }

  /** Refuses a URL the policy does not allow, before any connection. */
  check(url: URL, code: 9010 | 9011): void {
    const problem = this.#options.urlProblem?.(url);
    if (problem) throw new CwmpFault(code, problem);
  }

  /** Sends once; answers one authentication challenge. */
  async send(
    method: "GET",
    url: URL,
    credentials: FileCredentials,
  ): Promise<HttpReply>;
  async send(
    method: "PUT",
    url: URL,
    credentials: FileCredentials,
    produce: () => Promise<UploadContent>,
  ): Promise<{ reply: HttpReply; bytes: number }>;
  async send(
    method: "GET" | "PUT",
    url: URL,
    credentials: FileCredentials,
    produce?: () => Promise<UploadContent>,
  ): Promise<HttpReply | { reply: HttpReply; bytes: number }> {
    let authorization: string | undefined;
    for (let attempt = 0;; attempt++) {
      const content = produce ? await this.#produce(produce) : undefined;
      const reply = await this.#exchange(method, url, authorization, content);
      if (reply.status !== 401) {
        return content ? { reply, bytes: content.size } : reply;
      }
      await reply.discard();
      await content?.stream.cancel().catch(() => {});
      const header = reply.headers.get("www-authenticate");
      if (!credentials.username || attempt > 0) {
        throw new CwmpFault(
          9012,
          `File server authentication failed: ${url.host} answered HTTP 401${
            credentials.username
              ? " to the credentials given"
              : " and no Username was given"
          }`,
        );
      }
      authorization = this.#answer(header, method, url, credentials);
    }
  }

  close(): void {
    for (const transport of this.#transports.values()) transport.close();
  }

  async #produce(
    produce: () => Promise<UploadContent>,
  ): Promise<UploadContent> {
    try {
      return await produce();
    } catch (error) {
      throw new CwmpFault(
        9011,
        `Upload failed: the device has no such file (${
          (error as Error).message
        })`,
      );
    }
  }

  #answer(
    header: string | null,
    method: string,
    url: URL,
    credentials: FileCredentials,
  ): string {
    const challenge = parseDigestChallenge(header);
    if (challenge) {
      return digestAuthorization({
        challenge,
        username: credentials.username,
        password: credentials.password,
        method,
        uri: url.pathname + url.search,
        cnonce: this.#cnonce,
        nc: ++this.#nc,
      });
    }
    if (header && /^\s*basic\b/i.test(header) || header?.includes("Basic ")) {
      const bytes = new TextEncoder().encode(
        `${credentials.username}:${credentials.password}`,
      );
      return `Basic ${btoa(String.fromCharCode(...bytes))}`;
    }
    throw new CwmpFault(
      9012,
      `File server authentication failed: ${url.host} asks for an authentication scheme this CPE does not offer (${
        (header ?? "none").slice(0, 64)
      })`,
    );
  }

  async #exchange(
    method: "GET" | "PUT",
    url: URL,
    authorization: string | undefined,
    content: UploadContent | undefined,
  ): Promise<HttpReply> {
    const headers = new Headers({ "user-agent": "cwmp-agent" });
    if (authorization) headers.set("authorization", authorization);
    if (content) {
      headers.set(
        "content-type",
        content.contentType ?? "application/octet-stream",
      );
    }
    try {
      const transport = await this.#transport(url);
      return await transport.send({
        method,
        url,
        headers,
        body: content
          ? {
            stream: content.stream,
            size: content.size,
            ...(this.#options.uploaded
              ? { onBytes: this.#options.uploaded }
              : {}),
          }
          : "",
        timeoutMs: this.#options.timeoutMs ?? DEFAULT_TOTAL_MS,
        idleTimeoutMs: this.#options.idleTimeoutMs ?? DEFAULT_IDLE_MS,
        peer: "the file server",
      });
    } catch (error) {
      if (error instanceof CwmpFault) throw error;
      const message = (error as Error).message;
      throw new CwmpFault(
        this.#method === "Upload" ? 9011 : 9015,
        this.#method === "Upload"
          ? `Upload failed: ${message}`
          : `Cannot contact the file server: ${message}`,
      );
    }
  }

  async #transport(url: URL): Promise<HttpTransport> {
    const known = this.#transports.get(url.protocol);
    if (known) return known;
    const transport = await transportFor(url.protocol, this.#options, {
      files: true,
    });
    this.#transports.set(url.protocol, transport);
    return transport;
  }
}
