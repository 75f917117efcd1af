/**
 * The session retry schedule of TR-069 §3.2.1.1 (digest §3.4).
 *
 * @module
 */

/** The retry settings: ManagementServer.CWMPRetryMinimumWaitInterval and …IntervalMultiplier. */
export interface RetryPolicy {
  /** m: CWMPRetryMinimumWaitInterval, seconds (1–65535, default 5). */
  readonly minimumWaitSeconds: number;
  /** k × 1000: CWMPRetryIntervalMultiplier (1000–65535, default 2000). */
  readonly intervalMultiplier: number;
}

/** The defaults: m = 5 s, k = 2.000 — the fixed table of older amendments. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  minimumWaitSeconds: 5,
  intervalMultiplier: 2000,
};

/**
 * The window retry number `retry` (1 for the first retry after a failure)
 * is drawn from: [m·k^(n−1), m·k^n] seconds, with n capped at 10.
 *
 * @example
 * ```ts
 * import { retryWindow } from "./retry.ts";
 * console.log(retryWindow(1)); // { min: 5, max: 10 }
 * console.log(retryWindow(12)); // { min: 2560, max: 5120 }
 * ```
 */
export function retryWindow(
  retry: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): { min: number; max: number } {
  if (!Number.isInteger(retry) || retry < 1) {
    throw new RangeError(`Cannot compute retry window: retry is ${retry}`);
  }
  const n = Math.min(retry, 10);
  const m = policy.minimumWaitSeconds;
  const k = policy.intervalMultiplier / 1000;
  return { min: m * k ** (n - 1), max: m * k ** n };
}

/**
 * The wait before retry number `retry`, in milliseconds, drawn uniformly
 * from its window with the given random source (injected so tests are
 * deterministic).
 *
 * @example
 * ```ts
 * import { retryDelayMs } from "./retry.ts";
 * console.log(retryDelayMs(1, () => 0.5)); // 7500
 * ```
 */
export function retryDelayMs(
  retry: number,
  random: () => number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): number {
  const { min, max } = retryWindow(retry, policy);
  return Math.round((min + (max - min) * random()) * 1000);
}
