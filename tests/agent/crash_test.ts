/**
 * kill -9 of `agent run` at random points during a run of sessions, then a
 * restart: every event that must survive a crash is delivered.
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { spawnAgentRun } from "../_helpers/cli.ts";

function spawnAgent(dir: string, acsUrl: string): Deno.ChildProcess {
  return spawnAgentRun([
    "--state-dir",
    dir,
    "--acs-url",
    acsUrl,
    "--cr-port",
    "0",
    "--periodic-interval",
    "1",
    "--log-format",
    "json",
  ]);
}

Deno.test("kill -9 at random points loses no event that must survive", async () => {
  const acs = new FixtureAcs({
    sessions: [{
      requests: [
        {
          kind: "request",
          method: "SetParameterValues",
          args: {
            parameterList: [{
              name: "Device.Time.NTPServer1",
              value: "crash.example",
            }],
            parameterKey: "k",
          },
        },
        {
          kind: "request",
          method: "ScheduleInform",
          args: { delaySeconds: 2, commandKey: "sched" },
        },
        {
          kind: "request",
          method: "Reboot",
          args: { commandKey: "crash-reboot" },
        },
      ],
    }],
    defaultScript: {
      requests: [{
        kind: "request",
        method: "GetParameterValues",
        args: { parameterNames: ["Device.DeviceInfo."] },
      }],
    },
  });
  await acs.start();
  const dir = await Deno.makeTempDir({ prefix: "cwmp-crash-" });
  // Printed on failure as given, so CWMP_TEST_SEED replays the same kill points.
  const initialSeed = Number(Deno.env.get("CWMP_TEST_SEED") ?? Date.now()) >>>
    0;
  let seed = initialSeed;
  const random =
    () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  try {
    for (let round = 0; round < 6; round++) {
      const child = spawnAgent(dir, acs.url);
      await new Promise((resolve) =>
        setTimeout(resolve, 300 + random() * 1500)
      );
      child.kill("SIGKILL");
      await child.status;
      await child.stderr.cancel();
      // Every state file is whole after each kill.
      for await (const entry of Deno.readDir(dir)) {
        if (entry.name.endsWith(".json")) {
          JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`));
        }
      }
    }
    // A last run, long enough for the retries and the scheduled inform to go through.
    const before = acs.sessions.filter((x) => x.ended).length;
    const child = spawnAgent(dir, acs.url);
    const deadline = Date.now() + 20_000;
    const delivered = (code: string, key = "") =>
      acs.sessions.some((s) => {
        const inform = s.messages[0]?.decoded?.body;
        const acknowledged = s.messages.some((m) =>
          m.direction === "ACS→CPE" && m.xml.includes("InformResponse")
        );
        return acknowledged && inform?.kind === "request" &&
          inform.method === "Inform" &&
          inform.args.event.some((e) =>
            e.eventCode === code && e.commandKey === key
          );
      });
    // What the CPE answered must be carried out; a kill before the answer
    // may drop the request (the ACS saw no response, and would ask again).
    const answered = (method: string) =>
      acs.sessions.some((s) =>
        s.messages.some((m) =>
          m.direction === "CPE→ACS" && m.decoded?.body?.kind === "response" &&
          m.decoded.body.method === method
        )
      );
    // Wait for a session of this run too, so SIGTERM meets a running agent.
    const settled = () =>
      acs.sessions.filter((x) => x.ended).length > before &&
      (!answered("Reboot") || delivered("M Reboot", "crash-reboot")) &&
      (!answered("ScheduleInform") || delivered("M ScheduleInform", "sched"));
    while (Date.now() < deadline && !settled()) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    child.kill("SIGTERM");
    const { code, stderr } = await child.output();
    const log = new TextDecoder().decode(stderr);
    assert.equal(code, 0, `SIGTERM stops the agent cleanly:\n${log}`);
    assert.match(log, /"msg":"stopped"/);
    assert.ok(delivered("0 BOOTSTRAP"), "BOOTSTRAP delivered");
    const rebootOwed = answered("Reboot");
    const scheduleOwed = answered("ScheduleInform");
    if (!rebootOwed || !scheduleOwed) {
      console.log(
        `the kills came before the CPE answered ${
          rebootOwed ? "ScheduleInform" : "Reboot"
        } (CWMP_TEST_SEED=${initialSeed}): not expected`,
      );
    }
    assert.ok(
      !rebootOwed || delivered("M Reboot", "crash-reboot"),
      `M Reboot delivered (CWMP_TEST_SEED=${initialSeed})`,
    );
    assert.ok(
      !scheduleOwed || delivered("M ScheduleInform", "sched"),
      `M ScheduleInform delivered (CWMP_TEST_SEED=${initialSeed})`,
    );
    const queue = JSON.parse(
      await Deno.readTextFile(`${dir}/event-queue.json`),
    );
    const pending = queue.events.map((e: { eventCode: string }) => e.eventCode);
    assert.ok(
      !pending.includes("M Reboot") && !pending.includes("0 BOOTSTRAP"),
      `still queued: ${pending} (CWMP_TEST_SEED=${initialSeed})`,
    );
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
