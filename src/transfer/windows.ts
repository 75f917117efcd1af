/**
 * When a queued transfer may run: a Download or Upload from its
 * DelaySeconds on; a ScheduleDownload only inside one of its windows, as
 * the window's mode allows (`3 When Idle` when the device says it is idle,
 * `4 Confirmation Needed` once the user confirmed), retried inside the
 * window up to MaxRetries, and failed with 9020 once every window has
 * passed.
 *
 * @module
 */
import type { TransferAdapter } from "../datamodel/transfer_adapter.ts";
import type { QueuedTransfer, TransferWindow } from "../state/transfers.ts";

/** What to do with a queued transfer now. */
export type WindowDecision =
  /** Run it; on failure, try again at `retryAt` (undefined: the failure is final). */
  | { readonly kind: "run"; readonly retryAt?: number }
  /** Not yet: look again at `until`. */
  | { readonly kind: "wait"; readonly until: number }
  /** Its windows have passed: fault 9020 with this reason. */
  | { readonly kind: "expired"; readonly reason: string };

/** Retries when MaxRetries is -1 ("the CPE decides"). */
export const DEFAULT_WINDOW_RETRIES = 3;
/** The wait between two attempts inside a window. */
export const RETRY_WAIT_MS = 30_000;
/** How often a `3 When Idle` window asks the device again. */
export const IDLE_POLL_MS = 60_000;

/**
 * Decides for `entry` at `now`. `declined` holds the windows (`id#index`)
 * the user already turned down in this run of the agent, so nobody is
 * asked twice for one window.
 *
 * @example
 * ```ts
 * import { windowDecision } from "./windows.ts";
 * const entry = { id: "a", method: "Download", commandKey: "", fileType: "1 Firmware Upgrade Image", url: "http://f/x",
 *   username: "", password: "", fileSize: 0, targetFileName: "", notBefore: "1970-01-01T00:00:10Z", state: 1, attempts: 0 } as const;
 * console.log(await windowDecision(entry, 0, undefined)); // { kind: "wait", until: 10000 }
 * ```
 */
export async function windowDecision(
  entry: QueuedTransfer,
  now: number,
  adapter: TransferAdapter | undefined,
  declined: Set<string> = new Set(),
): Promise<WindowDecision> {
  const notBefore = Date.parse(entry.notBefore);
  const windows = entry.windows;
  if (!windows || windows.length === 0) {
    return now >= notBefore
      ? { kind: "run" }
      : { kind: "wait", until: notBefore };
  }
  const spans = windows.map((w) => ({
    w,
    start: Date.parse(w.startAt),
    end: Date.parse(w.endAt),
  }));
  const index = spans.findIndex((s) => now >= s.start && now < s.end);
  if (index === -1) {
    const next = spans.find((s) => s.start > now);
    if (next) return { kind: "wait", until: Math.max(next.start, notBefore) };
    return { kind: "expired", reason: expiredReason(entry) };
  }
  const { w, end } = spans[index];
  if (now < notBefore) return { kind: "wait", until: Math.min(notBefore, end) };
  const later = spans[index + 1]?.start;
  const key = `${entry.id}#${index}`;
  if (
    w.mode === "3 When Idle" && adapter?.isIdle && !(await adapter.isIdle())
  ) {
    return { kind: "wait", until: Math.min(now + IDLE_POLL_MS, end) };
  }
  if (w.mode === "4 Confirmation Needed") {
    const confirmed = !declined.has(key) &&
      (await adapter?.confirm?.(w.userMessage, entry.fileType)
          .catch(() => false)) === true;
    if (!confirmed) {
      declined.add(key);
      return { kind: "wait", until: later ?? end };
    }
  }
  return { kind: "run", ...retryOf(entry, w, now, end, later) };
}

function retryOf(
  entry: QueuedTransfer,
  w: TransferWindow,
  now: number,
  end: number,
  later: number | undefined,
): { retryAt?: number } {
  const retries = w.maxRetries === -1 ? DEFAULT_WINDOW_RETRIES : w.maxRetries;
  if (entry.attempts < retries && now + RETRY_WAIT_MS < end) {
    return { retryAt: now + RETRY_WAIT_MS };
  }
  return later === undefined ? {} : { retryAt: later };
}

function expiredReason(entry: QueuedTransfer): string {
  const last = entry.lastFault ? ` (last attempt: ${entry.lastFault})` : "";
  const why = entry.attempts === 0
    ? "The time windows passed before the download could start"
    : "The download did not succeed within its time windows";
  return `${why}${last}`.slice(0, 256);
}
