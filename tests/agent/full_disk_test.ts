/**
 * A full disk under `agent run`: a real process, a state directory on a
 * small tmpfs that is filled up, real connection requests.
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { runAgent } from "../_helpers/cli.ts";
import { startAgent } from "../_helpers/agent_process.ts";
import { tmpfs, unmount } from "../_helpers/tmpfs.ts";

/** Writes until the filesystem refuses. */
async function fill(dir: string): Promise<string> {
  const path = `${dir}/filler`;
  const file = await Deno.open(path, { write: true, create: true });
  const block = new Uint8Array(4096);
  try {
    for (let i = 0; i < 100_000; i++) await file.write(block);
    throw new Error("the filesystem never filled up");
  } catch (error) {
    if (!/No space left|os error 28/.test(String(error))) throw error;
  } finally {
    file.close();
  }
  return path;
}

Deno.test("a full disk does not stop the agent: state waits in memory, sessions go on, status tells, and the writes land when space comes back", async () => {
  const mounted = await tmpfs("1m");
  if (typeof mounted !== "string") {
    console.log(`skipped: cannot mount a tmpfs here (${mounted.skip})`);
    return;
  }
  const acs = new FixtureAcs();
  await acs.start();
  const state = `${mounted}/state`;
  await Deno.mkdir(state);
  // A crash left a temporary file behind: it goes at start.
  await Deno.writeTextFile(`${state}/.event-queue.4242.7.tmp`, "{");
  const agent = startAgent([
    "--state-dir",
    state,
    "--acs-url",
    acs.url,
    "--cr-port",
    "0",
    "--cr-username",
    "acs",
    "--cr-password",
    "cr-secret",
  ]);
  let filler: string | undefined;
  try {
    const started = await agent.waitFor((l) => l.msg === "agent started");
    const crUrl = String(started.connectionRequestUrl);
    await acs.waitForSessions(1);
    assert.ok(
      agent.lines.some((l) =>
        l.msg === "removed temporary files of interrupted writes" &&
        l.count === 1
      ),
    );
    await assert.rejects(Deno.stat(`${state}/.event-queue.4242.7.tmp`));

    filler = await fill(mounted);
    for (let i = 0; i < 3; i++) {
      assert.equal(
        await FixtureAcs.connectionRequest(crUrl, "acs", "cr-secret"),
        200,
      );
      await acs.waitForSessions(2 + i);
    }
    assert.deepStrictEqual(acs.sessions.at(-1)!.events, [
      "6 CONNECTION REQUEST",
    ]);
    const failures = agent.lines.filter((l) =>
      l.msg === "state write failed; kept in memory, retrying"
    );
    assert.equal(failures.length, 1, "logged once per kind, not per attempt");
    const status = await runAgent(["status", "--state-dir", state, "--json"]);
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout);
    assert.equal(report.stateWrites.ok, false);
    assert.match(report.stateWrites.error, /No space left|os error 28/);
    assert.ok(report.stateWrites.pending.includes("event-queue"));

    // Space comes back: the writes land without a restart.
    await Deno.remove(filler);
    filler = undefined;
    await agent.waitFor((l) => l.msg === "state writes recovered", 90_000);
    const queue = JSON.parse(
      await Deno.readTextFile(`${state}/event-queue.json`),
    );
    assert.equal(queue.lastSession.outcome, "success");
    const after = JSON.parse(
      (await runAgent(["status", "--state-dir", state, "--json"])).stdout,
    );
    assert.equal(after.stateWrites.ok, true);
    assert.equal(
      await FixtureAcs.connectionRequest(crUrl, "acs", "cr-secret"),
      200,
    );
    assert.equal(await agent.stop(), 0, "still alive, stops cleanly");
  } finally {
    await agent.stop();
    await acs.stop();
    if (filler) await Deno.remove(filler).catch(() => {});
    await unmount(mounted);
  }
});
