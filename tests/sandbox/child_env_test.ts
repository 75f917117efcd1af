/**
 * The environment the agent runs in: the sandboxed child gets nothing of
 * its launcher's but what Deno needs, and an agent run directly under
 * `standard` refuses what a launcher would leave behind.
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import {
  CHILD_ENV_PASSED,
  childEnvironment,
} from "../../src/sandbox/child_env.ts";
import { TRUST_WIDENING_VARIABLES } from "../../src/tls/profile.ts";
import type { TlsProfile } from "../../src/tls/profile.ts";
import { prepareProfile } from "../../scripts/build.ts";
import { AGENT_PERMISSIONS } from "../_helpers/cli.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const profile = (name: TlsProfile["name"]): TlsProfile => ({
  name,
  caCerts: [],
  clientCertRequired: false,
});

Deno.test("the child's environment: Deno's cache, and the TLS variables as the profile says", () => {
  const parent: Record<string, string> = {
    HOME: "/home/cpe",
    DENO_DIR: "/var/cache/deno",
    HTTPS_PROXY: "http://proxy.example:3128",
    LD_PRELOAD: "/tmp/evil.so",
    DENO_CERT: "/tmp/ca.pem",
    DENO_TLS_CA_STORE: "system",
  };
  const read = (name: string) => parent[name];
  assert.deepStrictEqual(childEnvironment(profile("standard"), read), {
    env: { HOME: "/home/cpe", DENO_DIR: "/var/cache/deno" },
    dropped: ["DENO_CERT", "DENO_TLS_CA_STORE"],
  });
  // Strict passes them on so that the agent refuses naming them; its store is empty.
  assert.deepStrictEqual(childEnvironment(profile("strict"), read), {
    env: {
      HOME: "/home/cpe",
      DENO_DIR: "/var/cache/deno",
      DENO_CERT: "/tmp/ca.pem",
      DENO_TLS_CA_STORE: "",
    },
    dropped: [],
  });
  assert.deepStrictEqual(childEnvironment(profile("lab"), read).env, {
    HOME: "/home/cpe",
    DENO_DIR: "/var/cache/deno",
    DENO_CERT: "/tmp/ca.pem",
    DENO_TLS_CA_STORE: "system",
  });
  for (const name of [...CHILD_ENV_PASSED]) {
    assert.ok(!TRUST_WIDENING_VARIABLES.includes(name));
  }
});

Deno.test("a proxy in the launcher's environment does not reach the sandboxed agent", async () => {
  const acs = new FixtureAcs();
  await acs.start();
  const dir = await Deno.makeTempDir();
  try {
    // Deno's fetch honours these whatever the permissions; nothing listens on port 1.
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...AGENT_PERMISSIONS,
        "--allow-net",
        "--allow-run",
        MAIN,
        "run",
        "--state-dir",
        dir,
        "--acs-url",
        acs.url,
        "--cr-port",
        "0",
        "--log-format",
        "json",
      ],
      env: {
        HTTP_PROXY: "http://127.0.0.1:1",
        HTTPS_PROXY: "http://127.0.0.1:1",
        ALL_PROXY: "http://127.0.0.1:1",
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    await acs.waitForSessions(1);
    child.kill("SIGTERM");
    const { code, stderr } = await child.output();
    const log = new TextDecoder().decode(stderr);
    assert.equal(code, 0, log);
    assert.match(log, /"outcome":"success"/);
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run directly under standard, the agent refuses a trust-widening variable and names it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const importMap = await prepareProfile(
      { profile: "standard" },
      `${dir}/build`,
    );
    assert.equal(typeof importMap, "string");
    for (
      const [name, value] of [
        ["DENO_CERT", "/etc/ssl/extra-ca.pem"],
        ["SSL_CERT_FILE", "/etc/ssl/extra-ca.pem"],
        ["DENO_TLS_CA_STORE", "system"],
      ]
    ) {
      const { code, stderr } = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--import-map",
          importMap as string,
          "--allow-read",
          `--allow-write=${dir}`,
          "--allow-env",
          MAIN,
          "run",
          "--state-dir",
          `${dir}/state`,
          "--acs-url",
          "https://127.0.0.1:9/acs",
          "--sandboxed",
          "--log-format",
          "json",
        ],
        clearEnv: true,
        env: {
          ...Object.fromEntries(
            CHILD_ENV_PASSED.flatMap((n) => {
              const v = Deno.env.get(n);
              return v === undefined ? [] : [[n, v]];
            }),
          ),
          [name]: value,
        },
        stdout: "null",
        stderr: "piped",
      }).output();
      const log = new TextDecoder().decode(stderr);
      assert.equal(code, 1, log);
      assert.match(log, /"msg":"refusing to start"/);
      assert.match(log, new RegExp(`"problem":"${name} is`), name);
      assert.doesNotMatch(log, /agent started/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
