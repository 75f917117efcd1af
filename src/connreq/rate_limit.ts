/**
 * A token bucket for connection requests: a burst that lets an operator
 * click through a few tasks in an ACS (one connection request each), then
 * one request per interval, so that a flood stays refused.
 *
 * @module
 */

/** Settings of a {@linkcode TokenBucket}. */
export interface TokenBucketOptions {
  /** Requests accepted at once from a full bucket (default 10). */
  readonly burst?: number;
  /** After the burst, one more request per this many ms (default 3000). */
  readonly intervalMs?: number;
  /** The clock, in ms. */
  readonly now?: () => number;
}

/** Default burst: enough for interactive work in an ACS's device page. */
export const DEFAULT_RATE_BURST = 10;
/** Default refill: one request every 3 s once the burst is spent. */
export const DEFAULT_RATE_INTERVAL_MS = 3000;

/**
 * Tokens refill continuously up to `burst`; each accepted request takes one.
 *
 * @example
 * ```ts
 * import { TokenBucket } from "./rate_limit.ts";
 * let t = 0;
 * const bucket = new TokenBucket({ burst: 2, intervalMs: 1000, now: () => t });
 * console.log(bucket.take(), bucket.take(), bucket.take()); // true true false
 * t = 1000;
 * console.log(bucket.take()); // true
 * ```
 */
export class TokenBucket {
  readonly #burst: number;
  readonly #interval: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /** A full bucket. */
  constructor(options: TokenBucketOptions = {}) {
    const burst = options.burst ?? DEFAULT_RATE_BURST;
    const interval = options.intervalMs ?? DEFAULT_RATE_INTERVAL_MS;
    if (!Number.isInteger(burst) || burst < 1) {
      throw new RangeError(
        `Cannot limit connection requests: burst is ${burst}, must be a whole number ≥ 1`,
      );
    }
    if (!(interval > 0) || !Number.isFinite(interval)) {
      throw new RangeError(
        `Cannot limit connection requests: intervalMs is ${interval}, must be > 0`,
      );
    }
    this.#burst = burst;
    this.#interval = interval;
    this.#now = options.now ?? Date.now;
    this.#tokens = burst;
    this.#at = this.#now();
  }

  #refill(): void {
    const now = this.#now();
    // A clock that steps back refills nothing rather than everything.
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(
      this.#burst,
      this.#tokens + elapsed / this.#interval,
    );
    this.#at = now;
  }

  /** Takes a token if one is there. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether a token is there (none is taken). */
  available(): boolean {
    this.#refill();
    return this.#tokens >= 1;
  }

  /** Whole seconds until the next token (for Retry-After), at least 1. */
  retryAfterSeconds(): number {
    this.#refill();
    return Math.max(
      1,
      Math.ceil(((1 - this.#tokens) * this.#interval) / 1000),
    );
  }
}
