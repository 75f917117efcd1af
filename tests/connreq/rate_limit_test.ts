import assert from "node:assert/strict";
import { TokenBucket } from "../../src/connreq/rate_limit.ts";

Deno.test("TokenBucket refills continuously up to the burst and never beyond", () => {
  let t = 0;
  const bucket = new TokenBucket({ burst: 3, intervalMs: 1000, now: () => t });
  assert.deepStrictEqual([1, 2, 3, 4].map(() => bucket.take()), [
    true,
    true,
    true,
    false,
  ]);
  assert.equal(bucket.retryAfterSeconds(), 1);
  t = 1500;
  assert.deepStrictEqual([bucket.take(), bucket.take()], [true, false]);
  t = 1_000_000;
  assert.deepStrictEqual([1, 2, 3, 4].map(() => bucket.take()), [
    true,
    true,
    true,
    false,
  ]);
  // A clock stepping back refills nothing.
  t = 0;
  assert.equal(bucket.take(), false);
});

Deno.test("TokenBucket refuses settings that would disable or break it, naming the option", () => {
  assert.throws(() => new TokenBucket({ burst: 0 }), /burst is 0/);
  assert.throws(() => new TokenBucket({ burst: 1.5 }), /burst is 1.5/);
  assert.throws(() => new TokenBucket({ intervalMs: 0 }), /intervalMs is 0/);
  assert.throws(
    () => new TokenBucket({ intervalMs: NaN }),
    /intervalMs is NaN/,
  );
});
