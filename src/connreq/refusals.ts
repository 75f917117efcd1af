/**
 * Counting and logging what the connection-request listener refuses. A
 * flood must not become a flood of log lines: the first refusal of each
 * kind is logged at once, later ones are summed and logged at most once per
 * interval, and the totals are kept for `agent status`.
 *
 * @module
 */

/** Why a connection request (or a connection) was refused. */
export type RefusalReason =
  /** A request without credentials (answered with a challenge). */
  | "no-credentials"
  /** Credentials that did not check out (wrong, stale or replayed). */
  | "bad-credentials"
  /** A source past its allowance of unauthenticated requests (503). */
  | "throttled"
  /** A valid request past the accepted-request rate (503). */
  | "rate-limited"
  /** Another path (404). */
  | "not-found"
  /** Another method (405). */
  | "method"
  /** A request that did not arrive whole in time (connection closed). */
  | "timeout"
  /** A waiting connection closed to make room for a new one. */
  | "evicted"
  /** A request head larger than the limit (431). */
  | "oversized"
  /** Not HTTP/1.x (400). */
  | "malformed"
  /** An HTTPS client without a valid client certificate (403). */
  | "client-certificate"
  /** A UDP request already accepted, or older than the last accepted one. */
  | "replayed";

/** Options for {@linkcode RefusalLog}. */
export interface RefusalLogOptions {
  /** Where a log line goes (never with credentials). */
  readonly log?: (msg: string, details: Record<string, unknown>) => void;
  /** Called with the totals after each refusal. */
  readonly onChange?: (totals: Readonly<Record<string, number>>) => void;
  /** At most one summary line per this many ms (default 10 s). */
  readonly intervalMs?: number;
  /** The clock (ms). */
  readonly now?: () => number;
}

/**
 * Totals and a throttled log of refusals.
 *
 * @example
 * ```ts
 * import { RefusalLog } from "./refusals.ts";
 * const lines: string[] = [];
 * const refusals = new RefusalLog({ log: (msg) => lines.push(msg) });
 * for (let i = 0; i < 1000; i++) refusals.refuse("throttled", "192.0.2.9");
 * console.log(refusals.totals().throttled, lines.length); // 1000 1
 * ```
 */
export class RefusalLog {
  readonly #options: RefusalLogOptions;
  readonly #totals: Record<string, number> = {};
  /** Per reason: refusals not yet logged, when the last line went out, a source. */
  readonly #pending = new Map<
    string,
    { count: number; loggedAt: number; from: string }
  >();

  /** An empty log. */
  constructor(options: RefusalLogOptions = {}) {
    this.#options = options;
  }

  /** Records one refusal; `detail` is logged with the first of a burst. */
  refuse(reason: RefusalReason, from: string, detail?: string): void {
    this.#totals[reason] = (this.#totals[reason] ?? 0) + 1;
    const now = (this.#options.now ?? Date.now)();
    const interval = this.#options.intervalMs ?? 10_000;
    const entry = this.#pending.get(reason);
    if (!entry || now - entry.loggedAt >= interval) {
      const count = (entry?.count ?? 0) + 1;
      this.#options.log?.(
        count === 1
          ? "connection request refused"
          : "connection requests refused",
        {
          reason,
          ...(detail ? { detail } : {}),
          from,
          ...(count > 1
            ? { count, sinceMs: now - (entry?.loggedAt ?? now) }
            : {}),
        },
      );
      this.#pending.set(reason, { count: 0, loggedAt: now, from });
    } else {
      entry.count++;
      entry.from = from;
    }
    this.#options.onChange?.(this.totals());
  }

  /** Logs what was refused since each reason's last line (at stop, say). */
  flush(): void {
    const now = (this.#options.now ?? Date.now)();
    for (const [reason, entry] of this.#pending) {
      if (entry.count === 0) continue;
      this.#options.log?.("connection requests refused", {
        reason,
        from: entry.from,
        count: entry.count,
        sinceMs: now - entry.loggedAt,
      });
      this.#pending.set(reason, { count: 0, loggedAt: now, from: entry.from });
    }
  }

  /** Refusals since the start, by reason. */
  totals(): Readonly<Record<string, number>> {
    return { ...this.#totals };
  }
}
