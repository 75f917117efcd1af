/** Refusals are counted one by one and logged in summaries. */
import assert from "node:assert/strict";
import { RefusalLog } from "../../src/connreq/refusals.ts";
import { SourceLimit } from "../../src/connreq/source_limit.ts";

Deno.test("a thousand refusals make one line, then one summary per interval and one at flush", () => {
  let t = 0;
  const lines: Record<string, unknown>[] = [];
  const totals: Record<string, number>[] = [];
  const refusals = new RefusalLog({
    log: (msg, details) => lines.push({ msg, ...details }),
    onChange: (now) => totals.push({ ...now }),
    intervalMs: 10_000,
    now: () => t,
  });
  for (let i = 0; i < 1000; i++) refusals.refuse("throttled", "192.0.2.9");
  refusals.refuse("bad-credentials", "192.0.2.7", "wrong credentials");
  assert.deepStrictEqual(lines, [
    {
      msg: "connection request refused",
      reason: "throttled",
      from: "192.0.2.9",
    },
    {
      msg: "connection request refused",
      reason: "bad-credentials",
      detail: "wrong credentials",
      from: "192.0.2.7",
    },
  ]);
  t = 10_000;
  refusals.refuse("throttled", "192.0.2.10");
  assert.deepStrictEqual(lines[2], {
    msg: "connection requests refused",
    reason: "throttled",
    from: "192.0.2.10",
    count: 1000,
    sinceMs: 10_000,
  });
  refusals.refuse("throttled", "192.0.2.10");
  refusals.flush();
  assert.equal(lines.length, 4);
  const last: Record<string, unknown> = lines[lines.length - 1];
  assert.equal(last.count, 1);
  refusals.flush();
  assert.equal(lines.length, 4, "nothing new, nothing logged");
  assert.deepStrictEqual(refusals.totals(), {
    throttled: 1002,
    "bad-credentials": 1,
  });
  assert.equal(totals.length, 1003);
});

Deno.test("each source has its own allowance, and the table of sources is bounded", () => {
  let t = 0;
  const limit = new SourceLimit({
    burst: 3,
    intervalMs: 1000,
    maxSources: 100,
    now: () => t,
  });
  for (let i = 0; i < 3; i++) limit.charge("192.0.2.1");
  assert.equal(limit.allowed("192.0.2.1"), false);
  assert.equal(limit.retryAfterSeconds("192.0.2.1"), 1);
  assert.equal(limit.allowed("192.0.2.2"), true);
  t = 1000;
  assert.equal(limit.allowed("192.0.2.1"), true);
  for (let i = 0; i < 10_000; i++) limit.charge(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(limit.size, 100);
});
