/**
 * What the agent is built from: the device context, the clock, the log,
 * and how sessions and the connection-request listener are set up.
 *
 * @module
 */
import type { ConnectionRequestOptions } from "../connreq/server.ts";
import type { RpcContext } from "../rpc/context.ts";
import type { SessionResult, TranscriptEntry } from "../session/runner.ts";
import type { AcsClientOptions } from "../transport/acs_client.ts";
import type { Clock } from "./clock.ts";
import type { AgentTransferOptions } from "./transfers.ts";
import type { UdpListenerSettings } from "./udp_listener.ts";

/** A structured log line. */
export type LogRecord = {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly msg: string;
} & Record<string, unknown>;

/** Options for {@linkcode CwmpAgent}. */
export interface CwmpAgentOptions {
  /** Device, handlers and stored state. */
  readonly context: RpcContext;
  /** The clock (fake in tests). */
  readonly clock?: Clock;
  /** Randomness for retry waits. */
  readonly random?: () => number;
  /** Where log records go; never receives a secret. */
  readonly log?: (record: LogRecord) => void;
  /** TLS and limits for the HTTP client (credentials come from ManagementServer). */
  readonly client?: Omit<AcsClientOptions, "username" | "password" | "now">;
  /**
   * The connection-request listener (address, port, path, limits, HTTPS,
   * a `refusals` log kept across its restarts), or false for none.
   */
  readonly connectionRequest?:
    | Omit<
      ConnectionRequestOptions,
      "credentials" | "onRequest" | "now" | "log"
    >
    | false;
  /**
   * The UDP Connection Request port (Annex G) and the STUN servers it may
   * use; without it the STUN parameters are not advertised either.
   */
  readonly udpConnectionRequest?: UdpListenerSettings;
  /** How often notified parameters are polled for changes (ms); 0 turns polling off. */
  readonly notificationPollMs?: number;
  /** Every message of every session, for transcripts. */
  readonly onMessage?: (entry: TranscriptEntry) => void;
  /** Called after each session. */
  readonly onSession?: (result: SessionResult) => void;
  /** Seconds announced in cwmp:SessionTimeout. */
  readonly sessionTimeout?: number;
  /** Bounds on one session: ACS requests and duration (defaults far above any real ACS). */
  readonly sessionLimits?: {
    readonly maxRequests?: number;
    readonly maxDurationMs?: number;
  };
  /** Where downloads land and the TLS of file transfers. */
  readonly transfers?: AgentTransferOptions;
  /**
   * Allow an http ACS URL (the lab TLS profile). When false (the default), a
   * session to an http URL fails without sending anything.
   */
  readonly allowPlainHttp?: boolean;
}
