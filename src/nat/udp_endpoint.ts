/**
 * The CPE's UDP Connection Request port (TR-069 Annex G): one socket that
 * receives UDP Connection Requests and, because a NAT maps the port the
 * requests come back to, also sends the STUN Binding Requests that learn
 * and keep that mapping.
 *
 * A datagram that is a STUN message answers a Binding Request in flight
 * (matched by transaction id; anything else is dropped); any other is read
 * as a UDP Connection Request, verified against the credentials and the
 * replay marks, limited by the same token bucket as HTTP connection
 * requests, and counted in the same refusal log.
 *
 * @module
 */
import { RefusalLog } from "../connreq/refusals.ts";
import { TokenBucket } from "../connreq/rate_limit.ts";
import {
  BINDING_ERROR_RESPONSE,
  BINDING_RESPONSE,
  decodeStunMessage,
  encodeBindingRequest,
  newTransactionId,
  type StunAddress,
  type StunMessage,
} from "./stun_message.ts";
import {
  MAX_UDP_REQUEST_BYTES,
  parseUdpConnectionRequest,
  UdpRequestVerifier,
} from "./udp_connection_request.ts";

/**
 * Waits between transmissions of one Binding Request (RFC 3489 §9.3: from
 * 100 ms doubling to 1.6 s, 9.5 s in all).
 */
export const STUN_RETRANSMIT_MS: readonly number[] = [
  100,
  200,
  400,
  800,
  1600,
  1600,
  1600,
  1600,
  1600,
];

/** Settings of a {@linkcode UdpEndpoint}. */
export interface UdpEndpointOptions {
  /** Address to bind (default 0.0.0.0: the WAN side). */
  readonly hostname?: string;
  /** Port (0 picks a free one). */
  readonly port: number;
  /** Reads the current ConnectionRequestUsername and Password. */
  readonly credentials: () => {
    readonly username: string;
    readonly password: string;
  };
  /** Called for each accepted UDP Connection Request. */
  readonly onRequest: () => void;
  /** Accepted requests at once, then one per `rateIntervalMs` (10, 3000). */
  readonly rateLimit?: number;
  /** See `rateLimit`. */
  readonly rateIntervalMs?: number;
  /** Counts and logs refusals (shared with the HTTP listener, say). */
  readonly refusals?: RefusalLog;
  /** Where what goes wrong is said (never with credentials). */
  readonly log?: (msg: string, details: Record<string, unknown>) => void;
  /** The clock (ms). */
  readonly now?: () => number;
  /** Waits between transmissions (tests shorten them). */
  readonly retransmitMs?: readonly number[];
}

/** Where the STUN server is and what it may ask for. */
export interface StunTarget {
  /** The server's host (an IP address or a name). */
  readonly hostname: string;
  /** Its port (3478 by default in the data model). */
  readonly port: number;
  /** STUNUsername and STUNPassword: sent only when the server asks. */
  readonly credentials?: {
    readonly username: string;
    readonly password: string;
  };
}

/** What one Binding exchange found. */
export type BindingResult =
  | { readonly ok: true; readonly mapped: StunAddress }
  | { readonly ok: false; readonly reason: string };

/**
 * The socket and what it does.
 *
 * @example
 * ```ts
 * import { UdpEndpoint } from "./udp_endpoint.ts";
 * const endpoint = UdpEndpoint.start({
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   credentials: () => ({ username: "acs", password: "secret" }),
 *   onRequest: () => console.log("session"),
 * });
 * console.log(endpoint.local.port > 0); // true
 * await endpoint.stop();
 * ```
 */
export class UdpEndpoint {
  readonly #options: UdpEndpointOptions;
  readonly #socket: Deno.DatagramConn;
  readonly #verifier = new UdpRequestVerifier();
  readonly #bucket: TokenBucket;
  readonly #refusals: RefusalLog;
  /** Binding Requests in flight, by transaction id in hex. */
  readonly #pending = new Map<
    string,
    (message: StunMessage | undefined) => void
  >();
  readonly #receiving: Promise<void>;
  #stopped = false;
  #retransmissions = 0;

  private constructor(options: UdpEndpointOptions, socket: Deno.DatagramConn) {
    this.#options = options;
    this.#socket = socket;
    this.#bucket = new TokenBucket({
      ...(options.rateLimit !== undefined ? { burst: options.rateLimit } : {}),
      ...(options.rateIntervalMs !== undefined
        ? { intervalMs: options.rateIntervalMs }
        : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.#refusals = options.refusals ??
      new RefusalLog({
        ...(options.log ? { log: options.log } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
    this.#receiving = this.#receive();
  }

  /**
   * Binds the port.
   *
   * @throws {Deno.errors.AddrInUse} when the port is taken (and the
   * permission errors of `Deno.listenDatagram`).
   */
  static start(options: UdpEndpointOptions): UdpEndpoint {
    const socket = Deno.listenDatagram({
      transport: "udp",
      hostname: options.hostname ?? "0.0.0.0",
      port: options.port,
    });
    return new UdpEndpoint(options, socket);
  }

  /** The bound address and port. */
  get local(): { readonly hostname: string; readonly port: number } {
    const addr = this.#socket.addr as Deno.NetAddr;
    return { hostname: addr.hostname, port: addr.port };
  }

  /** Refusals so far, by reason. */
  refusals(): Readonly<Record<string, number>> {
    return this.#refusals.totals();
  }

  /** Copies of accepted requests dropped (protocol, not refusal: never logged). */
  get retransmissions(): number {
    return this.#retransmissions;
  }

  /**
   * One Binding exchange with the server from this port: the request with
   * CONNECTION-REQUEST-BINDING (and BINDING-CHANGE when asked), sent again
   * on the RFC 3489 schedule until an answer comes; a 401 is answered once
   * with USERNAME and MESSAGE-INTEGRITY when credentials are configured.
   */
  async bind(
    target: StunTarget,
    options: { readonly bindingChange?: boolean } = {},
  ): Promise<BindingResult> {
    let answer = await this.#exchange(target, options, false);
    if (
      typeof answer === "object" &&
      answer.type === BINDING_ERROR_RESPONSE && answer.error?.code === 401 &&
      target.credentials && target.credentials.username !== ""
    ) {
      answer = await this.#exchange(target, options, true);
    }
    if (typeof answer === "string") return { ok: false, reason: answer };
    if (!answer) {
      return {
        ok: false,
        reason:
          `no answer from the STUN server ${target.hostname}:${target.port}`,
      };
    }
    if (answer.type === BINDING_ERROR_RESPONSE) {
      const error = answer.error;
      return {
        ok: false,
        reason: error
          ? `the STUN server answered ${error.code} ${error.reason}`.trim()
          : "the STUN server answered an error without a code",
      };
    }
    if (!answer.mapped) {
      return {
        ok: false,
        reason: "the STUN server's answer had no mapped address",
      };
    }
    return { ok: true, mapped: answer.mapped };
  }

  /** Closes the port; Binding Requests in flight end at once, unanswered. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const resolve of this.#pending.values()) resolve(undefined);
    try {
      this.#socket.close();
    } catch {
      // Already closed.
    }
    await this.#receiving;
    this.#refusals.flush();
  }

  async #exchange(
    target: StunTarget,
    options: { readonly bindingChange?: boolean },
    withCredentials: boolean,
  ): Promise<StunMessage | string | undefined> {
    const transactionId = newTransactionId();
    const request = await encodeBindingRequest({
      transactionId,
      connectionRequestBinding: true,
      ...(options.bindingChange ? { bindingChange: true } : {}),
      ...(withCredentials && target.credentials
        ? { credentials: target.credentials }
        : {}),
    });
    const key = hex(transactionId);
    const { promise, resolve } = Promise.withResolvers<
      StunMessage | undefined
    >();
    this.#pending.set(key, resolve);
    const to = {
      transport: "udp" as const,
      hostname: target.hostname,
      port: target.port,
    };
    try {
      for (const waitMs of this.#options.retransmitMs ?? STUN_RETRANSMIT_MS) {
        if (this.#stopped) return undefined;
        try {
          await this.#socket.send(request, to);
        } catch (error) {
          // The caller says it (once per reason, for a keep-alive).
          return `cannot send to the STUN server ${target.hostname}:${target.port}: ${
            (error as Error).message
          }`;
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<"late">((r) => {
          timer = setTimeout(r, waitMs, "late");
        });
        const answer = await Promise.race([promise, late]);
        clearTimeout(timer);
        if (answer !== "late") return answer;
      }
      return undefined;
    } finally {
      this.#pending.delete(key);
    }
  }

  async #receive(): Promise<void> {
    // One byte more than a request may have, so an oversized one shows.
    // Reused: each datagram is done with before the next is received.
    const buffer = new Uint8Array(MAX_UDP_REQUEST_BYTES + 1);
    let lastError = "";
    // Bounded by the socket: it ends when stop() closes it.
    for (;;) {
      let datagram: [Uint8Array, Deno.Addr];
      try {
        datagram = await this.#socket.receive(buffer);
      } catch (error) {
        if (this.#stopped || error instanceof Deno.errors.BadResource) return;
        const reason = (error as Error).message;
        if (reason !== lastError) {
          lastError = reason;
          this.#options.log?.("UDP receive failed", { reason });
        }
        // A receive error (an ICMP unreachable reported on the socket, say)
        // is not the end of the port: go on, after a beat so that a
        // persistent one does not spin.
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const [bytes, addr] = datagram;
      const from = `${(addr as Deno.NetAddr).hostname}:${
        (addr as Deno.NetAddr).port
      }`;
      const stun = decodeStunMessage(bytes);
      if (stun) {
        if (
          stun.type === BINDING_RESPONSE || stun.type === BINDING_ERROR_RESPONSE
        ) {
          this.#pending.get(hex(stun.transactionId))?.(stun);
        }
        continue;
      }
      try {
        await this.#connectionRequest(bytes, from);
      } catch (error) {
        // A datagram, or what it set off, must never end the port.
        this.#options.log?.("UDP datagram not handled", {
          from,
          reason: String((error as Error)?.message ?? error),
        });
      }
    }
  }

  async #connectionRequest(bytes: Uint8Array, from: string): Promise<void> {
    const parsed = parseUdpConnectionRequest(bytes);
    if (!("request" in parsed)) {
      this.#refusals.refuse("malformed", from, parsed.detail);
      return;
    }
    const refusal = await this.#verifier.verify(
      parsed.request,
      this.#options.credentials(),
    );
    if (refusal?.reason === "retransmission") {
      this.#retransmissions++;
      return;
    }
    if (refusal) {
      this.#refusals.refuse(refusal.reason, from, refusal.detail);
      return;
    }
    if (!this.#bucket.take()) {
      this.#refusals.refuse("rate-limited", from);
      return;
    }
    this.#options.onRequest();
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
