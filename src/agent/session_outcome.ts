/**
 * What a session's end does to the event queue, as a pure function: after a
 * success the retry count is back to 0; after a failure the events the
 * failed Inform carried that are not retried go, the retry count grows and
 * the next session waits for the retry interval (digest §3.4), counted from
 * the failures since the last boot.
 *
 * @module
 */
import { eventPolicy } from "../session/events.ts";
import { retryDelayMs } from "../session/retry.ts";
import type { SessionResult } from "../session/runner.ts";
import type { EventRecord } from "../state/agent_state.ts";
import type { EventQueueDocument } from "../state/event_queue.ts";

/** What the retry interval is computed from. */
export interface RetrySettings {
  /** CWMPRetryMinimumWaitInterval, seconds. */
  readonly minimumWaitSeconds: number;
  /** CWMPRetryIntervalMultiplier, thousandths. */
  readonly intervalMultiplier: number;
  /** Randomness in [0, 1). */
  readonly random: () => number;
}

/** The queue after a session, and the wait before the retry after a failure. */
export interface SessionOutcome {
  readonly queue: EventQueueDocument;
  readonly retryDelayMs?: number;
}

/**
 * The queue after `result`, at `now`.
 *
 * @example
 * ```ts
 * import { queueAfterSession } from "./session_outcome.ts";
 * const queue = { events: [], retryCount: 2 };
 * const result = { outcome: "success" as const, events: [], rpcs: [], rpcCount: 0, after: [], deferredRequests: [], durationMs: 5, url: "" };
 * console.log(queueAfterSession(queue, result, new Set(), 0, { minimumWaitSeconds: 5, intervalMultiplier: 2000, random: Math.random }).queue.retryCount); // 0
 * ```
 */
export function queueAfterSession(
  queue: EventQueueDocument,
  result: SessionResult,
  inFlight: ReadonlySet<EventRecord>,
  now: number,
  retry: RetrySettings,
): SessionOutcome {
  const at = new Date(now).toISOString();
  if (result.outcome === "success") {
    const { nextSession: _, ...rest } = queue;
    return {
      queue: {
        ...rest,
        retryCount: 0,
        failuresSinceBoot: 0,
        lastSession: { at, outcome: "success" },
      },
    };
  }
  const failures = (queue.failuresSinceBoot ?? queue.retryCount) + 1;
  const delay = retryDelayMs(failures, retry.random, {
    minimumWaitSeconds: retry.minimumWaitSeconds,
    intervalMultiplier: retry.intervalMultiplier,
  });
  return {
    retryDelayMs: delay,
    queue: {
      ...queue,
      // Of the events the failed Inform carried and that were not
      // delivered, those not retried go; events raised since wait.
      events: queue.events.filter((e) =>
        !inFlight.has(e) || eventPolicy(e.eventCode).retried
      ),
      retryCount: queue.retryCount + 1,
      failuresSinceBoot: failures,
      lastSession: {
        at,
        outcome: "failure",
        ...(result.reason ? { reason: result.reason } : {}),
      },
      nextSession: new Date(now + delay).toISOString(),
    },
  };
}

/** The fields of the one log line a session makes. */
export function sessionLogFields(
  result: SessionResult,
  retryCount: number,
): Record<string, unknown> {
  return {
    outcome: result.outcome,
    ...(result.reason ? { reason: result.reason } : {}),
    events: result.events.map((e) => e.eventCode),
    rpcs: result.rpcs,
    ...(result.rpcCount > result.rpcs.length
      ? { rpcCount: result.rpcCount }
      : {}),
    durationMs: result.durationMs,
    retryCount,
  };
}

/** The retry settings from the ManagementServer parameters (their defaults when unusable). */
export function retrySettingsOf(
  ms: (name: string) => string,
  random: () => number,
): RetrySettings {
  return {
    minimumWaitSeconds: Number(ms("CWMPRetryMinimumWaitInterval")) || 5,
    intervalMultiplier: Number(ms("CWMPRetryIntervalMultiplier")) || 2000,
    random,
  };
}
