import assert from "node:assert/strict";
import { resolveConfig } from "../../src/config/agent_config.ts";

Deno.test("the connection-request rate limit is a flag and a config key, validated", () => {
  const fromFlags = resolveConfig(undefined, {
    "state-dir": "/tmp/s",
    "cr-rate-burst": "20",
    "cr-rate-interval": "1.5",
  });
  assert.equal(fromFlags["cr-rate-burst"], 20);
  assert.equal(fromFlags["cr-rate-interval"], 1.5);
  const fromFile = resolveConfig(
    { "state-dir": "/tmp/s", "cr-rate-burst": 4 },
    {},
  );
  assert.equal(fromFile["cr-rate-burst"], 4);
  assert.throws(
    () => resolveConfig(undefined, { "state-dir": "/s", "cr-rate-burst": "0" }),
    /cr-rate-burst/,
  );
  assert.throws(
    () =>
      resolveConfig(undefined, { "state-dir": "/s", "cr-rate-burst": "2.5" }),
    /cr-rate-burst must be a whole number/,
  );
  assert.throws(
    () =>
      resolveConfig(undefined, { "state-dir": "/s", "cr-rate-interval": "-1" }),
    /cr-rate-interval/,
  );
});
