/**
 * A raw HTTP ACS that misbehaves the ways the fixture ACS cannot: it answers
 * every POST with another request, or challenges every POST with a stale
 * nonce. It binds 127.0.0.1 only and counts what it got.
 */
import { encodeAcsMessage } from "../../src/cwmp/encode.ts";
import { randomNonce } from "../../src/transport/digest.ts";

/** How the ACS misbehaves. */
export type Hostility =
  /** The Inform is answered, then every POST gets a GetRPCMethods request back. */
  | { readonly kind: "endless-requests"; readonly holdRequests?: boolean }
  /** Every POST gets 401 with a fresh nonce marked stale. */
  | { readonly kind: "stale-nonces" }
  /** After the InformResponse, these raw bodies one per POST, then 204. */
  | { readonly kind: "messages"; readonly bodies: readonly string[] }
  /** Behaves, but its InformResponse carries this cwmp:ID (none when null). */
  | { readonly kind: "inform-response-id"; readonly id: string | null };

/** A running hostile ACS. */
export interface HostileAcs {
  readonly url: string;
  /** POSTs received. */
  readonly posts: number;
  /** InformResponses sent while hostile (events delivered then). */
  readonly hostileAcks: number;
  /** Switches to behaving: an InformResponse, then 204 to everything. */
  behave(): void;
  /** Sessions that reached 204 since `behave()`. */
  readonly goodSessions: number;
  /** With `messages`: what the CPE posted after each (its answers). */
  readonly replies: readonly string[];
  stop(): Promise<void>;
}

/** Starts a hostile ACS. */
export function startHostileAcs(hostility: Hostility): HostileAcs {
  let posts = 0;
  let good = false;
  let goodSessions = 0;
  let hostileAcks = 0;
  let id = 0;
  let sent = 0;
  const replies: string[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  }, async (request) => {
    const body = await request.text();
    posts++;
    const inform = /<(\w+:)?Inform[\s>]/.test(body);
    if (inform && (good || hostility.kind !== "stale-nonces")) {
      if (!good) hostileAcks++;
      return new Response(
        encodeAcsMessage({
          namespace: "1-2",
          header: hostility.kind === "inform-response-id"
            ? (hostility.id === null ? {} : { id: hostility.id })
            : { id: /ID[^>]*>([^<]*)</.exec(body)?.[1] ?? "1" },
          body: {
            kind: "response",
            method: "Inform",
            args: { maxEnvelopes: 1 },
          },
        }),
        { headers: { "content-type": "text/xml" } },
      );
    }
    if (good || hostility.kind === "inform-response-id") {
      if (body === "") goodSessions++;
      return new Response(null, { status: 204 });
    }
    if (hostility.kind === "messages") {
      replies.push(body);
      const next = hostility.bodies[sent++];
      return next === undefined
        ? new Response(null, { status: 204 })
        : new Response(next, { headers: { "content-type": "text/xml" } });
    }
    if (hostility.kind === "stale-nonces") {
      return new Response(null, {
        status: 401,
        headers: {
          "www-authenticate":
            `Digest realm="hostile", qop="auth", nonce="${randomNonce()}", stale=true`,
        },
      });
    }
    return new Response(
      encodeAcsMessage({
        namespace: "1-2",
        header: {
          id: `h${++id}`,
          ...(hostility.holdRequests ? { holdRequests: true } : {}),
        },
        body: { kind: "request", method: "GetRPCMethods", args: {} },
      }),
      { headers: { "content-type": "text/xml" } },
    );
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/acs`,
    get posts() {
      return posts;
    },
    get hostileAcks() {
      return hostileAcks;
    },
    behave() {
      good = true;
    },
    get goodSessions() {
      return goodSessions;
    },
    replies,
    stop: () => server.shutdown(),
  };
}

/** Resident set size of a process in MB, read with ps (no /proc permission needed). */
export async function rssMb(pid: number): Promise<number> {
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "rss=", "-p", String(pid)],
    stdout: "piped",
  }).output();
  return Number(new TextDecoder().decode(stdout).trim()) / 1024;
}
