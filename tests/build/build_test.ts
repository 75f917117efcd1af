/** Building for a device: the compile command line, the bundle and its launcher. */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import {
  compilePlan,
  launcherScript,
  prepareProfile,
  TARGETS,
} from "../../scripts/build.ts";

const REPO = new URL("../../", import.meta.url).pathname;

/** Runs `scripts/build.ts` as `deno task bundle`/`compile` does. */
function runBuild(...args: string[]): Promise<Deno.CommandOutput> {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-env",
      `${REPO}scripts/build.ts`,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
}

/** Just what Deno needs to find its cache, for a subprocess with a cleared environment. */
function denoCacheEnv(): Record<string, string> {
  return Object.fromEntries(
    ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME"].flatMap((name) => {
      const value = Deno.env.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

Deno.test("the compile command line embeds target, profile, permissions, V8 flags and the configuration", () => {
  for (const target of TARGETS) {
    const plan = compilePlan(target, "/etc/cwmp-agent.json", {
      "state-dir": "/var/lib/cwmp-agent",
      "acs-url": "https://acs.example.net/cwmp",
      "ca-file": "/etc/cwmp-agent/ca.pem",
    }, `/build/${target}/import_map.json`);
    assert.equal(plan.output, `${REPO}dist/cwmp-agent-${target}`);
    assert.deepStrictEqual(plan.args.slice(0, 7), [
      "compile",
      "--target",
      target,
      "--output",
      plan.output,
      "--import-map",
      `/build/${target}/import_map.json`,
    ]);
    // Nothing to include: the profile module carries its CAs, the default snapshot is a module.
    assert.ok(!plan.args.some((a) => a.startsWith("--include")));
    assert.ok(plan.args.includes("--no-prompt"));
    assert.ok(
      plan.args.includes("--allow-net=acs.example.net:443,127.0.0.1:7547"),
    );
    assert.ok(
      plan.args.includes(
        "--allow-read=/var/lib/cwmp-agent,/etc/cwmp-agent.json,/etc/cwmp-agent/ca.pem",
      ),
    );
    assert.ok(plan.args.includes("--allow-write=/var/lib/cwmp-agent"));
    assert.ok(
      !plan.args.some((a) =>
        a === "-A" || a === "--allow-all" || a.startsWith("--allow-run")
      ),
    );
    assert.ok(
      plan.args.includes(
        "--v8-flags=--max-semi-space-size=1,--max-old-space-size=64",
      ),
    );
    assert.deepStrictEqual(plan.args.slice(-5), [
      `${REPO}src/cli/main.ts`,
      "run",
      "--config",
      "/etc/cwmp-agent.json",
      "--sandboxed",
    ]);
  }
  assert.throws(
    () =>
      compilePlan(
        "x86_64-pc-windows-msvc",
        "/c.json",
        { "state-dir": "/s" },
        "/m.json",
      ),
    /--target must be one of/,
  );
});

const DENORT = Deno.env.get("DENORT_BIN");
if (!DENORT) {
  console.log(
    "compile test not run: DENORT_BIN is not set (deno compile would download its runtime, which this machine cannot)",
  );
}
Deno.test({
  name: "with a local runtime, the compiled binary runs a session",
  ignore: !DENORT,
  async fn() {
    const acs = new FixtureAcs();
    await acs.start();
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${dir}/agent.json`,
        JSON.stringify({
          "state-dir": `${dir}/state`,
          "acs-url": acs.url,
          "cr-port": 0,
        }),
      );
      const { code } = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          `${REPO}scripts/build.ts`,
          "compile",
          "--target",
          "x86_64-unknown-linux-gnu",
          "--profile",
          "lab",
          "--config",
          `${dir}/agent.json`,
        ],
        cwd: REPO,
      }).output();
      assert.equal(code, 0);
      const child = new Deno.Command(
        `${REPO}dist/cwmp-agent-x86_64-unknown-linux-gnu`,
        { stdout: "null", stderr: "null" },
      ).spawn();
      await acs.waitForSessions(1);
      child.kill("SIGTERM");
      await child.status;
    } finally {
      await acs.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("the bundle and its launcher run a session under the computed permissions", async () => {
  const built = await runBuild("bundle");
  assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
  const acs = new FixtureAcs();
  await acs.start();
  const dir = await Deno.makeTempDir();
  try {
    const child = new Deno.Command(`${REPO}dist/cwmp-agent`, {
      args: [
        "--state-dir",
        `${dir}/state`,
        "--acs-url",
        acs.url,
        "--cr-port",
        "0",
        "--log-format",
        "json",
      ],
      env: { DENO: Deno.execPath() },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    await acs.waitForSessions(1);
    child.kill("SIGTERM");
    const { code, stderr } = await child.output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.deepStrictEqual(acs.sessions[0].events, ["0 BOOTSTRAP", "1 BOOT"]);
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the launcher of a strict build empties Deno's root store; other builds leave it alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A stand-in for deno that shows what the launcher hands it.
    await Deno.writeTextFile(
      `${dir}/deno`,
      `#!/bin/sh\necho "store=\${DENO_TLS_CA_STORE-unset} $1"\n`,
    );
    await Deno.chmod(`${dir}/deno`, 0o755);
    for (
      const [profile, store] of [
        ["strict", "store= "],
        ["standard", "store=unset "],
        ["lab", "store=unset "],
      ] as const
    ) {
      await Deno.writeTextFile(`${dir}/cwmp-agent`, launcherScript(profile));
      await Deno.chmod(`${dir}/cwmp-agent`, 0o755);
      const { code, stdout } = await new Deno.Command(`${dir}/cwmp-agent`, {
        args: ["--config", "/etc/cwmp-agent.json"],
        env: { DENO: `${dir}/deno` },
        clearEnv: true,
        stdout: "piped",
      }).output();
      assert.equal(code, 0, profile);
      // The last line is the exec'd run.
      const last = new TextDecoder().decode(stdout).trim().split("\n").at(-1);
      assert.equal(last, `${store}run`, profile);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a build's profile is put in place by an import map, without touching the source tree's profile", async () => {
  const treeProfile = `${REPO}src/tls/build_profile.ts`;
  const before = await Deno.readTextFile(treeProfile);
  const dir = await Deno.makeTempDir();
  try {
    const importMap = await prepareProfile({
      profile: "strict",
      ca: [`${REPO}certs/root-ca.crt`],
      pin: ["sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="],
      "min-tls-version": "1.3",
    }, `${dir}/build`);
    assert.equal(typeof importMap, "string");
    const map = JSON.parse(await Deno.readTextFile(importMap as string));
    assert.equal(
      map.imports["@rgrove/parse-xml"],
      "npm:@rgrove/parse-xml@5.0.0",
      "the project's imports are kept",
    );
    assert.equal(map.imports["@noble/hashes/"], "npm:/@noble/hashes@2.4.0/");
    // The agent started through the map runs under strict: it refuses an http ACS.
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--import-map",
        importMap as string,
        "--allow-read",
        `--allow-write=${dir}`,
        "--allow-env",
        `${REPO}src/cli/main.ts`,
        "run",
        "--state-dir",
        `${dir}/state`,
        "--acs-url",
        "http://127.0.0.1:9/acs",
        "--sandboxed",
      ],
      // Only what Deno needs to find its cache: this machine's own TLS variables would be refused first.
      clearEnv: true,
      env: {
        DENO_TLS_CA_STORE: "",
        ...denoCacheEnv(),
      },
      stdout: "null",
      stderr: "piped",
    }).output();
    const log = new TextDecoder().decode(stderr);
    assert.equal(code, 1, log);
    assert.match(log, /the strict TLS profile accepts https URLs only/);
    assert.equal(await Deno.readTextFile(treeProfile), before);
    // Refused flags stop the build with the profile tool's exit code.
    assert.equal(
      await prepareProfile({ profile: "strict" }, `${dir}/build2`),
      1,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a strict bundle built with --profile carries that profile, and its launcher empties the root store", async () => {
  const built = await runBuild(
    "bundle",
    "--profile",
    "strict",
    "--ca",
    `${REPO}certs/root-ca.crt`,
  );
  assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
  assert.match(new TextDecoder().decode(built.stdout), /TLS profile strict/);
  const dir = await Deno.makeTempDir();
  try {
    const { code, stderr } = await new Deno.Command(`${REPO}dist/cwmp-agent`, {
      args: ["--state-dir", `${dir}/state`, "--acs-url", "http://127.0.0.1:9/"],
      // Neither DENO_TLS_CA_STORE nor this machine's TLS variables: the launcher must supply the empty store.
      clearEnv: true,
      env: {
        DENO: Deno.execPath(),
        ...denoCacheEnv(),
      },
      stdout: "null",
      stderr: "piped",
    }).output();
    const log = new TextDecoder().decode(stderr);
    assert.equal(code, 1, log);
    assert.match(log, /the strict TLS profile accepts https URLs only/);
    assert.doesNotMatch(log, /DENO_TLS_CA_STORE/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    // Leave the lab bundle behind, as `deno task bundle` makes it.
    await runBuild("bundle");
  }
});

Deno.test("a standard bundle's launcher leaves DENO_CERT behind, names it, and the agent still refuses an ACS its trust does not cover", async () => {
  const built = await runBuild("bundle", "--profile", "standard");
  assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
  const certs = `${REPO}certs/`;
  // Served by the test PKI, which only DENO_CERT would make trusted.
  const acs = new FixtureAcs({
    tls: {
      cert: await Deno.readTextFile(`${certs}acs-server.chain.pem`),
      key: await Deno.readTextFile(`${certs}acs-server.key`),
    },
  });
  await acs.start();
  const dir = await Deno.makeTempDir();
  try {
    const child = new Deno.Command(`${REPO}dist/cwmp-agent`, {
      args: [
        "--state-dir",
        `${dir}/state`,
        "--acs-url",
        acs.url,
        "--cr-port",
        "0",
        "--log-format",
        "json",
      ],
      clearEnv: true,
      env: {
        DENO: Deno.execPath(),
        ...denoCacheEnv(),
        DENO_CERT: `${certs}root-ca.crt`,
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let log = "";
    const reader = child.stderr.pipeThrough(new TextDecoderStream())
      .getReader();
    const deadline = Date.now() + 30_000;
    while (!/"msg":"session"/.test(log) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      log += value;
    }
    child.kill("SIGTERM");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      log += value;
    }
    await child.status;
    assert.match(
      log,
      /DENO_CERT is not passed to the agent: the standard TLS profile/,
    );
    const session = log.split("\n").find((l) => l.includes('"msg":"session"'));
    assert.ok(session, log);
    assert.match(session, /"outcome":"failure"/);
    assert.match(session, /UnknownIssuer|unknown issuer/i);
    assert.equal(acs.sessions.length, 0, "nothing reached the ACS");
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
    await runBuild("bundle");
  }
});
