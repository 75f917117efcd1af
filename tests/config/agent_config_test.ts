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

Deno.test("file-servers, transfer-idle-timeout and upload-files are flags and config keys, validated", () => {
  const config = resolveConfig({}, {
    "state-dir": "/s",
    "file-servers": "cdn.example.net:443, *.example.org",
    "transfer-idle-timeout": "30",
    "upload-files":
      "2 Vendor Log File=/var/log/messages,1 Vendor Configuration File=/etc/cfg.json",
  });
  assert.deepStrictEqual(config["file-servers"], [
    "cdn.example.net:443",
    "*.example.org",
  ]);
  assert.equal(config["transfer-idle-timeout"], 30);
  assert.deepStrictEqual(config["upload-files"], {
    "2 Vendor Log File": "/var/log/messages",
    "1 Vendor Configuration File": "/etc/cfg.json",
  });
  assert.throws(
    () => resolveConfig({}, { "state-dir": "/s", "file-servers": "*.net" }),
    /file-servers/,
  );
  assert.throws(
    () =>
      resolveConfig({ "upload-files": { "9 Movie": "/x" } }, {
        "state-dir": "/s",
      }),
    /upload-files/,
  );
  assert.throws(
    () => resolveConfig({}, { "state-dir": "/s", "upload-files": "no-equals" }),
    /TYPE=PATH/,
  );
});
