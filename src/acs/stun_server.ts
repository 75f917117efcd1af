/**
 * A STUN server to test a CPE's Annex G behaviour against: it answers
 * Binding Requests on 127.0.0.1 with the address they came from (or with
 * a mapping of the test's choosing, to play a NAT), can ask for
 * credentials (401 until USERNAME and a right MESSAGE-INTEGRITY come), can
 * drop requests to make the client retransmit, and records every request
 * with the TR-111 attributes it carried. The port can also send UDP
 * Connection Requests, from the same socket, as an ACS that shares its
 * STUN server's port does (GenieACS's way through a NAT).
 *
 * @module
 */
import {
  BINDING_REQUEST,
  decodeStunMessage,
  encodeBindingResponse,
  MAX_STUN_BYTES,
  messageIntegrity,
  STUN_ATTRIBUTE,
  type StunAddress,
} from "../nat/stun_message.ts";
import { udpRequestSignature } from "../nat/udp_connection_request.ts";

/** A Binding Request the server received. */
export interface StunRequestSeen {
  /** Where it came from. */
  readonly from: { readonly hostname: string; readonly port: number };
  /** It carried CONNECTION-REQUEST-BINDING with the TR-111 value. */
  readonly connectionRequestBinding: boolean;
  /** It carried BINDING-CHANGE. */
  readonly bindingChange: boolean;
  /** Its USERNAME, if any. */
  readonly username?: string;
  /** Its MESSAGE-INTEGRITY checked out (undefined: it had none). */
  readonly integrityOk?: boolean;
  /** What was done with it. */
  readonly answer: "mapped" | "401" | "431" | "dropped";
}

/** Settings of a {@linkcode StunServer}. */
export interface StunServerOptions {
  /** The address to answer for a source (default: the source itself). */
  readonly mapping?: (from: { hostname: string; port: number }) => StunAddress;
  /** Ask for USERNAME and MESSAGE-INTEGRITY with these credentials. */
  readonly credentials?: {
    readonly username: string;
    readonly password: string;
  };
  /** Drop this many requests first (the client must retransmit). */
  readonly drop?: number;
}

/**
 * The server.
 *
 * @example
 * ```ts
 * import { StunServer } from "./stun_server.ts";
 * const server = new StunServer();
 * await server.start();
 * console.log(server.port > 0); // true
 * await server.stop();
 * ```
 */
export class StunServer {
  readonly #options: StunServerOptions;
  readonly #requests: StunRequestSeen[] = [];
  #socket: Deno.DatagramConn | undefined;
  #serving: Promise<void> | undefined;
  #dropped = 0;
  /** Mutable, so a test can move the NAT's mapping. */
  mapping: StunServerOptions["mapping"];

  /** A server; {@linkcode StunServer.start} binds it. */
  constructor(options: StunServerOptions = {}) {
    this.#options = options;
    this.mapping = options.mapping;
  }

  /** Every Binding Request so far. */
  get requests(): readonly StunRequestSeen[] {
    return this.#requests;
  }

  /** The port it listens on (127.0.0.1). */
  get port(): number {
    return (this.#socket?.addr as Deno.NetAddr | undefined)?.port ?? 0;
  }

  /** Binds a free port of 127.0.0.1 and starts answering. */
  start(): Promise<void> {
    this.#socket = Deno.listenDatagram({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 0,
    });
    this.#serving = this.#serve(this.#socket);
    return Promise.resolve();
  }

  /** Stops answering and closes the port. */
  async stop(): Promise<void> {
    try {
      this.#socket?.close();
    } catch {
      // Already closed.
    }
    await this.#serving;
  }

  /**
   * Sends a UDP Connection Request to `to` from this server's port, as
   * GenieACS writes one (`times` copies with the same id), signed with the
   * credentials; `ts` and `id` may be chosen to test replay.
   */
  async sendConnectionRequest(
    to: { readonly hostname: string; readonly port: number },
    credentials: { readonly username: string; readonly password: string },
    options: { ts?: number; id?: number; times?: number; sig?: string } = {},
  ): Promise<void> {
    const socket = this.#socket;
    if (!socket) throw new Error("the STUN server is not started");
    const ts = options.ts ?? Math.floor(Date.now() / 1000);
    const id = options.id ?? Math.floor(Math.random() * 0xffffffff);
    const cn = Array.from(
      crypto.getRandomValues(new Uint8Array(8)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const sig = options.sig ??
      await udpRequestSignature(
        credentials.password,
        ts,
        id,
        credentials.username,
        cn,
      );
    const host = `${to.hostname}:${to.port}`;
    const message = new TextEncoder().encode(
      `GET http://${host}?ts=${ts}&id=${id}&un=${credentials.username}&cn=${cn}&sig=${sig} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    );
    for (let i = 0; i < (options.times ?? 3); i++) {
      await socket.send(message, { transport: "udp", ...to });
    }
  }

  async #serve(socket: Deno.DatagramConn): Promise<void> {
    // Bounded by the socket: the loop ends when stop() closes it.
    for (;;) {
      let datagram: [Uint8Array, Deno.Addr];
      try {
        datagram = await socket.receive(new Uint8Array(MAX_STUN_BYTES));
      } catch {
        return;
      }
      const [bytes, addr] = datagram;
      const from = addr as Deno.NetAddr;
      const message = decodeStunMessage(bytes);
      if (!message || message.type !== BINDING_REQUEST) continue;
      const answer = await this.#answer(bytes, message, from);
      if (answer) {
        await socket.send(answer, from).catch(() => {});
      }
    }
  }

  async #answer(
    bytes: Uint8Array,
    message: NonNullable<ReturnType<typeof decodeStunMessage>>,
    from: Deno.NetAddr,
  ): Promise<Uint8Array | undefined> {
    const record = (
      answer: StunRequestSeen["answer"],
      integrityOk?: boolean,
    ) =>
      this.#requests.push({
        from: { hostname: from.hostname, port: from.port },
        connectionRequestBinding: message.attributes.includes(
          STUN_ATTRIBUTE.CONNECTION_REQUEST_BINDING,
        ) &&
          new TextDecoder().decode(bytes).includes("dslforum.org/TR-111 "),
        bindingChange: message.attributes.includes(
          STUN_ATTRIBUTE.BINDING_CHANGE,
        ),
        ...(message.username !== undefined
          ? { username: message.username }
          : {}),
        ...(integrityOk !== undefined ? { integrityOk } : {}),
        answer,
      });
    if (this.#dropped < (this.#options.drop ?? 0)) {
      this.#dropped++;
      record("dropped");
      return undefined;
    }
    const credentials = this.#options.credentials;
    let integrityOk: boolean | undefined;
    if (message.integrityAt !== undefined) {
      const at = message.integrityAt;
      const expected = await messageIntegrity(
        bytes.subarray(0, at),
        credentials?.password ?? "",
      );
      integrityOk = expected.every((b, i) => b === bytes[at + 4 + i]);
    }
    if (credentials) {
      if (message.integrityAt === undefined) {
        record("401");
        return encodeBindingResponse(message.transactionId, {
          error: { code: 401, reason: "Unauthorized" },
        });
      }
      if (!integrityOk || message.username !== credentials.username) {
        record("431", integrityOk);
        return encodeBindingResponse(message.transactionId, {
          error: { code: 431, reason: "Integrity Check Failure" },
        });
      }
    }
    record("mapped", integrityOk);
    const source = { hostname: from.hostname, port: from.port };
    return encodeBindingResponse(message.transactionId, {
      mapped: this.mapping?.(source) ??
        { family: "IPv4", address: from.hostname, port: from.port },
    });
  }
}
