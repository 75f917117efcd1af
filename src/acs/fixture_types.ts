/**
 * What the fixture ACS (`fixture.ts`) is told and what it records: session
 * scripts, its options, and the recorded sessions and messages.
 *
 * @module
 */
import type { AcsRequest, CpeMessage } from "../cwmp/messages.ts";
import type { CwmpNamespaceName } from "../cwmp/namespaces.ts";
import type { FileServerOptions } from "./file_server.ts";

/** What the ACS does in one session. */
export interface SessionScript {
  /** Requests sent to the CPE, in order, after its empty POST. */
  readonly requests?: readonly AcsRequest[];
  /** Answer the Inform with this ACS fault instead of InformResponse (e.g. 8005). */
  readonly informFault?: number;
  /** Put HoldRequests=true on the InformResponse and on every request. */
  readonly holdRequests?: boolean;
  /** Answer in this namespace (default: the CPE's). */
  readonly namespace?: CwmpNamespaceName;
  /** Send UseCWMPVersion in the InformResponse (only in cwmp-1-2). */
  readonly useCwmpVersion?: string;
  /**
   * Misbehave: `http500` answers the Inform with HTTP 500; `drop` breaks the
   * connection in the middle of the InformResponse; `hang` never answers
   * (until the server stops).
   */
  readonly failure?: "http500" | "drop" | "hang";
  /**
   * Misbehave later: answer the CPE's POST number `post` after the
   * InformResponse (1 is the first) with HTTP 500 or a broken connection,
   * ending the session there — a session that fails after its events were
   * delivered (say, while the ACS provisions).
   */
  readonly failAfterInform?: {
    readonly post: number;
    readonly failure: "http500" | "drop";
  };
  /**
   * How CPE requests (TransferComplete, …) are answered: with this ACS
   * fault (8005: retry later) instead of their response, or never (`hang`).
   */
  readonly cpeRequests?: { readonly fault: number } | "hang";
}

/** Options for {@linkcode FixtureAcs}. */
export interface FixtureAcsOptions {
  /**
   * Serve files under `/files/` on the ACS's own listener (and its TLS), and
   * take uploads there: a firmware for a Download of
   * `${acs.fileUrl("/fw.bin")}`, say.
   */
  readonly files?: FileServerOptions;
  /** Scripts for the sessions, in order; later sessions get `defaultScript`. */
  readonly sessions?: readonly SessionScript[];
  /** The script after the listed ones (default: no requests). */
  readonly defaultScript?: SessionScript;
  /** Require HTTP authentication of the CPE. */
  readonly auth?: {
    readonly scheme: "basic" | "digest";
    readonly username: string;
    readonly password: string;
  };
  /** Track sessions with a cookie and refuse (HTTP 403) POSTs that do not return it. */
  readonly cookies?: boolean;
  /** Redirect each Inform through these many hops (307) before answering it. */
  readonly redirects?: number;
  /** Redirect every Inform to this absolute URL (another server, say). */
  readonly redirectTo?: string;
  /** The path the ACS serves (default "/acs"). */
  readonly path?: string;
  /** The port (default: any free one). */
  readonly port?: number;
  /**
   * Serve HTTPS with this certificate chain and key (PEM); with `clientCa`,
   * the CPE must present a certificate issued by one of those CAs.
   */
  readonly tls?: {
    readonly cert: string;
    readonly key: string;
    readonly clientCa?: readonly string[];
  };
  /**
   * CPE responses larger than this are recorded raw, not decoded, so a
   * benchmark measures the CPE rather than the fixture's parser.
   */
  readonly maxDecodeBytes?: number;
}

/** One message of a recorded session. */
export interface RecordedMessage {
  /** Who sent it. */
  readonly direction: "CPE→ACS" | "ACS→CPE";
  /** The raw XML ("" for empty messages and 204). */
  readonly xml: string;
  /** The decoded CPE message (CPE→ACS only), when it decoded. */
  readonly decoded?: CpeMessage;
  /** The decode error, if the CPE sent something unreadable. */
  readonly error?: string;
}

/** A session as the ACS saw it. */
export interface RecordedSession {
  /** Every message, both directions. */
  readonly messages: RecordedMessage[];
  /** The Inform's event codes. */
  readonly events: string[];
  /** The session ended with the ACS's 204. */
  ended: boolean;
}
