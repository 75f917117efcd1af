/**
 * The agent's process lifecycle: the sandboxed child ends with its
 * launcher, and one state directory has one agent.
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { readHealth } from "../../src/state/health.ts";
import { startAgent } from "../_helpers/agent_process.ts";
import { runAgent, spawnAgentRun } from "../_helpers/cli.ts";

/** Whether `pid` is a live process (ps: /proc needs an all-access grant in Deno). */
function alive(pid: number): boolean {
  const { code, stdout } = new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  // A zombie has exited already.
  return code === 0 && !new TextDecoder().decode(stdout).trim().startsWith("Z");
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

Deno.test("the sandboxed child ends when its launcher is killed with SIGKILL", async () => {
  const acs = new FixtureAcs();
  await acs.start();
  const dir = await Deno.makeTempDir();
  try {
    const launcher = spawnAgentRun([
      "--state-dir",
      dir,
      "--acs-url",
      acs.url,
      "--cr-port",
      "0",
      "--log-format",
      "json",
    ], ["--allow-net", "--allow-run"]);
    await acs.waitForSessions(1);
    // The child, not the launcher, writes the health file.
    const child = (await readHealth(dir))?.pid;
    assert.ok(child !== undefined && child !== launcher.pid);
    assert.ok(alive(child));
    launcher.kill("SIGKILL");
    await launcher.status;
    assert.ok(
      await until(() => !alive(child), 10_000),
      `process ${child} outlived its launcher`,
    );
    const log = await new Response(launcher.stderr).text();
    assert.match(log, /"msg":"the launcher is gone"/);
    assert.match(log, /"msg":"stopped"/, "a clean stop, state saved");
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a second agent on the same state directory refuses to start and names the first; after a kill -9 the lock is free", async () => {
  const acs = new FixtureAcs();
  await acs.start();
  const dir = await Deno.makeTempDir();
  const args = [
    "--state-dir",
    dir,
    "--acs-url",
    acs.url,
    "--cr-port",
    "0",
  ];
  try {
    const first = startAgent(args);
    await first.waitFor((l) => l.msg === "agent started");
    const second = await runAgent(
      ["run", ...args, "--log-format", "json"],
      undefined,
      20_000,
    );
    assert.equal(second.code, 1);
    assert.match(
      second.stderr,
      new RegExp(
        `"problem":"the state directory .* is in use by process ${first.child.pid}, running since `,
      ),
    );
    assert.doesNotMatch(second.stderr, /agent started/);
    first.child.kill("SIGKILL");
    await first.stop();
    const third = startAgent(args);
    try {
      await third.waitFor((l) => l.msg === "agent started");
    } finally {
      assert.equal(await third.stop(), 0);
    }
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
