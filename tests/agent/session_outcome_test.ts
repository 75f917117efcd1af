/** What a session's end does to the queue. */
import assert from "node:assert/strict";
import {
  queueAfterSession,
  retrySettingsOf,
  sessionLogFields,
} from "../../src/agent/session_outcome.ts";
import type { SessionResult } from "../../src/session/runner.ts";

const result = (outcome: "success" | "failure", reason?: string) =>
  ({
    outcome,
    ...(reason ? { reason } : {}),
    events: [],
    rpcs: ["GetParameterValues"],
    rpcCount: 70,
    after: [],
    deferredRequests: [],
    durationMs: 12,
    url: "https://acs.example.net/",
  }) satisfies SessionResult;
const retry = {
  minimumWaitSeconds: 5,
  intervalMultiplier: 2000,
  random: () => 0,
};
const boot = { eventCode: "1 BOOT", commandKey: "" };
const cr = { eventCode: "6 CONNECTION REQUEST", commandKey: "" };
const later = { eventCode: "2 PERIODIC", commandKey: "" };

Deno.test("a success clears the retry count and the next-session time", () => {
  const { queue, retryDelayMs } = queueAfterSession(
    {
      events: [],
      retryCount: 3,
      failuresSinceBoot: 3,
      nextSession: "2026-01-01T00:00:10.000Z",
    },
    result("success"),
    new Set(),
    Date.UTC(2026, 0, 1),
    retry,
  );
  assert.equal(retryDelayMs, undefined);
  assert.deepStrictEqual(queue, {
    events: [],
    retryCount: 0,
    failuresSinceBoot: 0,
    lastSession: { at: "2026-01-01T00:00:00.000Z", outcome: "success" },
  });
});

Deno.test("a failure keeps the retried events it carried and those raised since, drops the rest, and waits", () => {
  const now = Date.UTC(2026, 0, 1);
  const { queue, retryDelayMs } = queueAfterSession(
    { events: [boot, cr, later], retryCount: 1, failuresSinceBoot: 1 },
    result("failure", "HTTP 500"),
    new Set([boot, cr]),
    now,
    retry,
  );
  // The second failure since boot: 10 s × 2^… window from its minimum (random 0).
  assert.equal(retryDelayMs, 10_000);
  assert.deepStrictEqual(queue.events, [boot, later]);
  assert.equal(queue.retryCount, 2);
  assert.equal(queue.failuresSinceBoot, 2);
  assert.deepStrictEqual(queue.lastSession, {
    at: "2026-01-01T00:00:00.000Z",
    outcome: "failure",
    reason: "HTTP 500",
  });
  assert.equal(queue.nextSession, new Date(now + 10_000).toISOString());
});

Deno.test("the retry window counts failures since boot, not the retry count", () => {
  const { retryDelayMs } = queueAfterSession(
    { events: [], retryCount: 9, failuresSinceBoot: 0 },
    result("failure"),
    new Set(),
    0,
    retry,
  );
  assert.equal(retryDelayMs, 5_000, "the first failure since boot");
});

Deno.test("retry settings fall back to the defaults when unusable; the log line counts RPCs past the names", () => {
  const ms = (values: Record<string, string>) => (name: string) =>
    values[name] ?? "";
  assert.deepStrictEqual(
    { ...retrySettingsOf(ms({}), Math.random), random: undefined },
    { minimumWaitSeconds: 5, intervalMultiplier: 2000, random: undefined },
  );
  const set = retrySettingsOf(
    ms({
      CWMPRetryMinimumWaitInterval: "30",
      CWMPRetryIntervalMultiplier: "4000",
    }),
    Math.random,
  );
  assert.equal(set.minimumWaitSeconds, 30);
  assert.equal(set.intervalMultiplier, 4000);
  assert.deepStrictEqual(sessionLogFields(result("failure", "x"), 2), {
    outcome: "failure",
    reason: "x",
    events: [],
    rpcs: ["GetParameterValues"],
    rpcCount: 70,
    durationMs: 12,
    retryCount: 2,
  });
});
