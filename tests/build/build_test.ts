/** Building for a device: the compile command line, the bundle and its launcher. */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { compilePlan, launcherScript, TARGETS } from "../../scripts/build.ts";

const REPO = new URL("../../", import.meta.url).pathname;

Deno.test("the compile command line embeds target, permissions, V8 flags and the configuration", () => {
  for (const target of TARGETS) {
    const plan = compilePlan(target, "/etc/cwmp-agent.json", {
      "state-dir": "/var/lib/cwmp-agent",
      "acs-url": "https://acs.example.net/cwmp",
      "ca-file": "/etc/cwmp-agent/ca.pem",
    });
    assert.equal(plan.output, `${REPO}dist/cwmp-agent-${target}`);
    assert.deepStrictEqual(plan.args.slice(0, 5), [
      "compile",
      "--target",
      target,
      "--output",
      plan.output,
    ]);
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
      compilePlan("x86_64-pc-windows-msvc", "/c.json", { "state-dir": "/s" }),
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
  const built = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-env",
      `${REPO}scripts/build.ts`,
      "bundle",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
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
