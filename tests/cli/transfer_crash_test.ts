/**
 * A firmware Download through `agent run` as a real process, killed with
 * SIGKILL during the download, during the apply and before the
 * TransferCompleteResponse, and ended by the reboot itself
 * (`--sim-reboot exit`): the TransferComplete is never lost, and never
 * sent again once the ACS has answered it.
 */
import assert from "node:assert/strict";
import { FileServer } from "../../src/acs/file_server.ts";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import type { CpeMessage } from "../../src/cwmp/messages.ts";
import { type AgentProcess, startAgent } from "../_helpers/agent_process.ts";
import { runAgent } from "../_helpers/cli.ts";
import {
  download,
  firmwareImage,
  scheduleInform,
} from "../_helpers/requests.ts";

function agent(dir: string, acs: FixtureAcs): AgentProcess {
  return startAgent([
    "--state-dir",
    dir,
    "--acs-url",
    acs.url,
    "--cr-port",
    "0",
    "--file-servers",
    "127.0.0.1",
    "--sim-reboot",
    "exit",
  ]);
}

async function kill(p: AgentProcess): Promise<void> {
  p.child.kill("SIGKILL");
  await p.child.status;
}

const requests = (acs: FixtureAcs, i: number): CpeMessage["body"][] =>
  acs.sessions[i].messages.filter((m) =>
    m.direction === "CPE→ACS" && m.decoded?.body.kind === "request" &&
    m.decoded.body.method !== "Inform"
  ).map((m) => m.decoded!.body);

Deno.test("kill -9 during the download, the apply and before the TransferCompleteResponse, and the reboot: one TransferComplete reaches the ACS, then never again", async () => {
  const files = new FileServer();
  await files.start();
  files.serve("/fw.bin", { body: firmwareImage("3.1.4"), stall: true });
  const acs = new FixtureAcs({
    sessions: [
      {
        requests: [
          download("fw-9", "1 Firmware Upgrade Image", files.url("/fw.bin")),
        ],
      },
      { cpeRequests: "hang" },
      { requests: [scheduleInform(1, "after")] },
    ],
  });
  await acs.start();
  const dir = await Deno.makeTempDir({ prefix: "cwmp-transfer-crash-" });
  try {
    // 1. Killed while the body is on its way.
    let p = agent(dir, acs);
    await p.waitFor((l) => l.msg === "transfer started", 15_000);
    // The partial file is opened before the request goes out.
    for (let i = 0; i < 300 && files.requests.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await kill(p);
    // agent status shows it, without its credentials or URL.
    const status = await runAgent(["status", "--state-dir", dir, "--json"]);
    assert.equal(status.code, 0, status.stderr);
    const shown = JSON.parse(status.stdout);
    assert.equal(shown.transfers.length, 1);
    assert.equal(shown.transfers[0].state, "in progress");
    assert.equal(shown.transfers[0].commandKey, "fw-9");
    assert.doesNotMatch(status.stdout, /fw\.bin|fw-secret/);
    const text = await runAgent(["status", "--state-dir", dir]);
    assert.match(
      text.stdout,
      /transfers: +Download "fw-9" \(1 Firmware Upgrade Image\) from 127\.0\.0\.1:\d+ in progress/,
    );
    files.serve("/fw.bin", { body: firmwareImage("3.1.4", true, 3000) });

    // 2. Started again: the partial file goes, the download starts over; killed while the device writes it.
    p = agent(dir, acs);
    await p.waitFor((l) => l.msg === "removed partial transfer files");
    await p.waitFor((l) => l.msg === "applying download", 15_000);
    await kill(p);

    // 3. Applied again from the kept file, then the reboot ends the process.
    p = agent(dir, acs);
    await p.waitFor(
      (l) =>
        l.msg === "applying download again after a restart" ||
        l.msg === "applying a download again after a restart",
      15_000,
    );
    const { code } = await p.child.status;
    assert.equal(code, 0, "the reboot ends the process");
    assert.equal(acs.sessions.length, 1, "nothing reported before the boot");

    // 4. The boot: 1 BOOT + 7 TRANSFER COMPLETE + M Download, and the TransferComplete — left unanswered, killed.
    p = agent(dir, acs);
    for (
      let i = 0;
      i < 300 &&
      (acs.sessions[1] === undefined || requests(acs, 1).length === 0);
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepStrictEqual(acs.sessions[1].events, [
      "1 BOOT",
      "7 TRANSFER COMPLETE",
      "M Download",
    ]);
    await kill(p);

    // 5. Sent again in the next session and answered; a later session carries none.
    p = agent(dir, acs);
    // The session killed in step 4 never ended: four sessions, three ended.
    await acs.waitForSessions(3, 20_000);
    for (let i = 0; i < 300 && !acs.sessions[3]?.ended; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await p.stop();
    assert.deepStrictEqual(acs.sessions[2].events, [
      "7 TRANSFER COMPLETE",
      "M Download",
    ]);
    const sent = acs.sessions.flatMap((_, i) => requests(acs, i));
    assert.equal(sent.length, 2, "once unanswered, once answered");
    for (const tc of sent) {
      assert.ok(tc.kind === "request" && tc.method === "TransferComplete");
      assert.equal(tc.args.commandKey, "fw-9");
      assert.equal(tc.args.faultStruct.faultCode, 0);
    }
    assert.deepStrictEqual(acs.sessions[3].events, [
      "3 SCHEDULED",
      "M ScheduleInform",
    ]);
    assert.deepStrictEqual(requests(acs, 3), []);
    const inform = acs.sessions[1].messages[0].decoded!.body;
    assert.ok(inform.kind === "request" && inform.method === "Inform");
    assert.equal(
      inform.args.parameterList.find((x) =>
        x.name === "Device.DeviceInfo.SoftwareVersion"
      )?.value,
      "3.1.4",
    );
    const left: string[] = [];
    for await (const entry of Deno.readDir(`${dir}/transfers`)) {
      left.push(entry.name);
    }
    assert.deepStrictEqual(left, [], "no file left behind");
  } finally {
    await acs.stop();
    await files.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
