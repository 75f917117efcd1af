/**
 * Transfers through whole sessions, in process: the fixture ACS asks for a
 * Download, the agent fetches it from a real local file server after the
 * session, and reports it in the next one — after the reboot for a
 * firmware image.
 */
import assert from "node:assert/strict";
import { FileServer } from "../../src/acs/file_server.ts";
import type { FixtureAcs } from "../../src/acs/fixture.ts";
import type { AcsRequest, CpeMessage } from "../../src/cwmp/messages.ts";
import { FileStateStore } from "../../src/state/store.ts";
import {
  informOf,
  type Rig,
  rig,
  type RigOptions,
  startedRig,
} from "../_helpers/agent.ts";
import { BBF_DIR, xsdTestOptions } from "../_helpers/bbf.ts";
import { download, firmwareImage, spv } from "../_helpers/requests.ts";
import type { AutonomousTransfer } from "../../src/datamodel/transfer_adapter.ts";
import { requestDownloadCommand } from "../../src/cli/request_download.ts";

/** SetParameterValues of AutonomousTransferCompletePolicy parameters. */
function spvPolicy(pairs: [string, string, string][]): AcsRequest {
  return spv(
    pairs.map(([name, value]) =>
      [
        `Device.ManagementServer.AutonomousTransferCompletePolicy.${name}`,
        value,
      ] as const
    ),
  );
}

const codes = (acs: FixtureAcs, i: number) =>
  informOf(acs, i).event.map((e) =>
    e.commandKey ? `${e.eventCode}(${e.commandKey})` : e.eventCode
  );

/** The CPE requests (other than Inform) of session `i`. */
function cpeRequests(acs: FixtureAcs, i: number): CpeMessage["body"][] {
  return acs.sessions[i].messages.slice(1)
    .filter((m) =>
      m.direction === "CPE→ACS" && m.decoded?.body.kind === "request"
    )
    .map((m) => m.decoded!.body);
}

/** The responses the CPE gave in session `i`, by method or fault. */
function answers(acs: FixtureAcs, i: number): CpeMessage["body"][] {
  return acs.sessions[i].messages.filter((m) =>
    m.direction === "CPE→ACS" && m.decoded &&
    (m.decoded.body.kind === "response" || m.decoded.body.kind === "fault")
  ).map((m) => m.decoded!.body);
}

function transferComplete(body: CpeMessage["body"]) {
  assert.equal(body.kind, "request");
  if (body.kind !== "request" || body.method !== "TransferComplete") {
    throw new Error(`expected TransferComplete, got ${JSON.stringify(body)}`);
  }
  return body.args;
}

async function withFiles(
  fn: (files: FileServer) => Promise<void>,
  options: ConstructorParameters<typeof FileServer>[0] = {},
): Promise<void> {
  const files = new FileServer(options);
  await files.start();
  try {
    await fn(files);
  } finally {
    await files.stop();
  }
}

Deno.test("a firmware Download: Status 1, the image fetched and applied after the session, the reboot, then 1 BOOT + 7 TRANSFER COMPLETE + M Download and one TransferComplete", async () => {
  await withFiles(async (files) => {
    files.serve("/fw-2.0.bin", { body: firmwareImage("2.0.0") });
    const r = await startedRig({
      acs: {
        sessions: [{
          requests: [
            download(
              "fw-42",
              "1 Firmware Upgrade Image",
              files.url("/fw-2.0.bin"),
            ),
          ],
        }],
      },
    }, 2);
    try {
      const [response] = answers(r.acs, 0);
      assert.deepStrictEqual(response, {
        kind: "response",
        method: "Download",
        args: {
          status: 1,
          startTime: "0001-01-01T00:00:00Z",
          completeTime: "0001-01-01T00:00:00Z",
        },
      });
      assert.deepStrictEqual(codes(r.acs, 1), [
        "1 BOOT",
        "7 TRANSFER COMPLETE",
        "M Download(fw-42)",
      ]);
      const [tc] = cpeRequests(r.acs, 1);
      const args = transferComplete(tc);
      assert.equal(args.commandKey, "fw-42");
      assert.deepStrictEqual(args.faultStruct, {
        faultCode: 0,
        faultString: "",
      });
      assert.notEqual(args.startTime, "0001-01-01T00:00:00Z");
      assert.notEqual(args.completeTime, "0001-01-01T00:00:00Z");
      assert.equal(r.device.counters.reboots, 1);
      const version = await r.device.getValues([
        "Device.DeviceInfo.SoftwareVersion",
      ]);
      assert.equal(version.get("Device.DeviceInfo.SoftwareVersion"), "2.0.0");
      assert.deepStrictEqual(r.context.transfers.current, {
        queue: [],
        completions: [],
        autonomous: [],
        downloadRequests: [],
      });
      // Acknowledged: a later session carries neither the event nor the request.
      await r.agent.trigger([{ eventCode: "2 PERIODIC", commandKey: "" }]);
      await r.acs.waitForSessions(3);
      await r.agent.idle();
      assert.deepStrictEqual(codes(r.acs, 2), ["2 PERIODIC"]);
      assert.deepStrictEqual(cpeRequests(r.acs, 2), []);
      assert.ok(
        r.logs.some((l) => l.msg === "transfer complete" && l.fault === 0),
      );
      assert.ok(!JSON.stringify(r.logs).includes("s3cret"));
    } finally {
      await r.stop();
    }
  });
});

Deno.test("a web-content Download needs no reboot: 7 TRANSFER COMPLETE + M Download without 1 BOOT", async () => {
  await withFiles(async (files) => {
    files.serve("/ui.tar", { body: new Uint8Array(5000) });
    const r = await startedRig({
      acs: {
        sessions: [{
          requests: [download("ui", "2 Web Content", files.url("/ui.tar"), {
            username: "cpe",
            password: "s3cret",
            targetFileName: "ui.tar",
          })],
        }],
      },
    }, 2);
    try {
      assert.deepStrictEqual(codes(r.acs, 1), [
        "7 TRANSFER COMPLETE",
        "M Download(ui)",
      ]);
      assert.equal(
        transferComplete(cpeRequests(r.acs, 1)[0]).faultStruct.faultCode,
        0,
      );
      assert.equal(r.device.counters.reboots, 0);
      assert.ok(
        !JSON.stringify(r.logs).includes("s3cret"),
        "no password in the log",
      );
    } finally {
      await r.stop();
    }
  });
});

Deno.test("failures reach the ACS in TransferComplete: a 404 is 9016, content the device rejects 9018; the image that does not boot 9010 after the reboot", async () => {
  await withFiles(async (files) => {
    files.serve("/junk.bin", {
      body: new TextEncoder().encode("not firmware"),
    });
    files.serve("/bad-boot.bin", { body: firmwareImage("9.9", false) });
    const r = await startedRig({
      acs: {
        sessions: [{
          requests: [
            download(
              "gone",
              "1 Firmware Upgrade Image",
              files.url("/none.bin"),
            ),
            download(
              "junk",
              "1 Firmware Upgrade Image",
              files.url("/junk.bin"),
            ),
            download(
              "noboot",
              "1 Firmware Upgrade Image",
              files.url("/bad-boot.bin"),
            ),
          ],
        }],
      },
    }, 2);
    try {
      const all = r.acs.sessions.slice(1).flatMap((_, i) =>
        cpeRequests(r.acs, i + 1)
      )
        .map(transferComplete);
      const byKey = Object.fromEntries(all.map((a) => [a.commandKey, a]));
      assert.equal(byKey.gone.faultStruct.faultCode, 9016);
      assert.match(byKey.gone.faultStruct.faultString, /HTTP 404/);
      assert.equal(byKey.gone.completeTime, "0001-01-01T00:00:00Z");
      assert.equal(byKey.junk.faultStruct.faultCode, 9018);
      assert.match(byKey.junk.faultStruct.faultString, /CWMP-SIM-FIRMWARE/);
      assert.equal(byKey.noboot.faultStruct.faultCode, 9010);
      assert.match(byKey.noboot.faultStruct.faultString, /did not boot/);
      assert.equal(all.length, 3, "each reported once");
      const version = await r.device.getValues([
        "Device.DeviceInfo.SoftwareVersion",
      ]);
      assert.notEqual(version.get("Device.DeviceInfo.SoftwareVersion"), "9.9");
    } finally {
      await r.stop();
    }
  });
});

Deno.test("refused in the response, before anything is fetched: no room (9010), a host outside the file servers (9001), a full queue (9004); CancelTransfer removes a queued transfer, an unknown CommandKey is 9003", async () => {
  await withFiles(async (files) => {
    files.serve("/slow", { body: new Uint8Array(1000), stall: true });
    const later = { delaySeconds: 3600 };
    const queued = Array.from(
      { length: 16 },
      (_, i) => download(`q${i}`, "2 Web Content", files.url("/x"), later),
    );
    const requests: AcsRequest[] = [
      download("big", "1 Firmware Upgrade Image", files.url("/fw"), {
        fileSize: 2_000_000,
      }),
      download("elsewhere", "2 Web Content", "http://cdn.example.net/x"),
      ...queued,
      download("q16", "2 Web Content", files.url("/x"), later),
      { kind: "request", method: "GetQueuedTransfers", args: {} },
      { kind: "request", method: "CancelTransfer", args: { commandKey: "q3" } },
      {
        kind: "request",
        method: "CancelTransfer",
        args: { commandKey: "nope" },
      },
    ];
    const r = await startedRig({
      device: { freeBytes: 1_000_000 },
      context: {
        transferUrlProblem: (url) =>
          url.hostname === "127.0.0.1" ? undefined : {
            code: 9001,
            reason: `${url.host} is not among the file servers`,
          },
      },
      acs: { sessions: [{ requests }] },
    }, 1);
    try {
      const got = answers(r.acs, 0);
      const faultCode = (b: CpeMessage["body"]) =>
        b.kind === "fault" ? b.faultCode : 0;
      assert.equal(faultCode(got[0]), 9010);
      assert.equal(faultCode(got[1]), 9001);
      assert.equal(faultCode(got[18]), 9004);
      const list = got[19];
      assert.ok(
        list.kind === "response" && list.method === "GetQueuedTransfers",
      );
      assert.equal(list.args.transferList.length, 16);
      assert.ok(list.args.transferList.every((t) => t.state === 1));
      assert.ok(
        got[20].kind === "response" && got[20].method === "CancelTransfer",
      );
      assert.equal(faultCode(got[21]), 9003);
      assert.deepStrictEqual(
        r.context.transfers.current.queue.map((t) => t.commandKey),
        queued.map((q) => (q.args as { commandKey: string }).commandKey).filter(
          (k) => k !== "q3",
        ),
      );
    } finally {
      await r.stop();
    }
  });
});

Deno.test("CancelTransfer of a transfer in progress is 9021; the transfer goes on", async () => {
  await withFiles(async (files) => {
    files.serve("/slow", { body: new Uint8Array(1000), stall: true });
    const r = await rig({
      agent: { transfers: { client: { idleTimeoutMs: 1500 } } },
      acs: {
        sessions: [
          { requests: [download("slow", "2 Web Content", files.url("/slow"))] },
          {
            requests: [{
              kind: "request",
              method: "CancelTransfer",
              args: { commandKey: "slow" },
            }],
          },
        ],
      },
    });
    try {
      await r.agent.start();
      await r.acs.waitForSessions(1);
      // Wait until the worker has the transfer in hand.
      for (
        let i = 0;
        i < 100 && r.context.transfers.current.queue[0]?.state !== 2;
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(r.context.transfers.current.queue[0]?.state, 2);
      await r.agent.trigger([{
        eventCode: "6 CONNECTION REQUEST",
        commandKey: "",
      }]);
      await r.acs.waitForSessions(2);
      const [cancel] = answers(r.acs, 1);
      assert.equal(cancel.kind === "fault" ? cancel.faultCode : 0, 9021);
      await r.acs.waitForSessions(3);
      await r.agent.idle();
      const tc = transferComplete(cpeRequests(r.acs, 2)[0]);
      assert.equal(
        tc.faultStruct.faultCode,
        9017,
        "the stalled body timed out",
      );
    } finally {
      await r.stop();
    }
  });
});

Deno.test("a ScheduleDownload whose windows passed while the agent was down ends in 9020", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FileStateStore(dir);
    const first = await rig({
      store,
      restore: true,
      acs: {
        sessions: [{
          requests: [{
            kind: "request",
            method: "ScheduleDownload",
            args: {
              commandKey: "night",
              fileType: "1 Firmware Upgrade Image",
              url: "http://127.0.0.1:9/fw.bin",
              username: "",
              password: "",
              fileSize: 0,
              targetFileName: "",
              timeWindowList: [{
                windowStart: 600,
                windowEnd: 900,
                windowMode: "1 At Any Time",
                userMessage: "",
                maxRetries: 1,
              }],
            },
          }],
        }],
      },
    });
    await first.agent.start();
    await first.acs.waitForSessions(1);
    await first.agent.idle();
    await first.agent.stop();
    assert.equal(first.context.transfers.current.queue.length, 1);
    await first.clock.advance(3600_000);
    const second = await rig({
      store,
      restore: true,
      existingAcs: first.acs,
      clock: first.clock,
    });
    await second.agent.start();
    await first.acs.waitForSessions(2);
    await second.agent.idle();
    await second.agent.stop();
    assert.ok(codes(first.acs, 1).includes("M ScheduleDownload(night)"));
    const tc = transferComplete(cpeRequests(first.acs, 1)[0]);
    assert.equal(tc.faultStruct.faultCode, 9020);
    assert.match(tc.faultStruct.faultString, /time windows passed/);
    await first.acs.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an ACS that answers TransferComplete with 8005 gets it again in a later session, and only once acknowledged it is gone", async () => {
  await withFiles(async (files) => {
    files.serve("/ringer", { body: new Uint8Array(100) });
    const r = await startedRig({
      acs: {
        sessions: [
          {
            requests: [download("ring", "5 Ringer File", files.url("/ringer"))],
          },
          { cpeRequests: { fault: 8005 } },
        ],
      },
    }, 2);
    try {
      assert.equal(
        r.acs.sessions[1].ended,
        true,
        "8005 does not fail the session",
      );
      assert.equal(r.context.transfers.current.completions.length, 1, "kept");
      assert.equal(
        r.acs.sessions.length,
        2,
        "not sent twice in one session or at once",
      );
      await r.clock.advance(5 * 60_000);
      await r.acs.waitForSessions(3);
      await r.agent.idle();
      assert.deepStrictEqual(codes(r.acs, 2), [
        "7 TRANSFER COMPLETE",
        "M Download(ring)",
      ]);
      assert.equal(
        transferComplete(cpeRequests(r.acs, 2)[0]).commandKey,
        "ring",
      );
      assert.deepStrictEqual(r.context.transfers.current.completions, []);
    } finally {
      await r.stop();
    }
  });
});

Deno.test("while the ACS holds requests the TransferComplete waits, and goes out after its 204 in the same session", async () => {
  await withFiles(async (files) => {
    files.serve("/tone", { body: new Uint8Array(100) });
    const r = await startedRig({
      acs: {
        sessions: [
          { requests: [download("tone", "4 Tone File", files.url("/tone"))] },
          {
            holdRequests: true,
            requests: [{
              kind: "request",
              method: "GetParameterValues",
              args: { parameterNames: ["Device.DeviceInfo.SoftwareVersion"] },
            }],
          },
        ],
      },
    }, 2);
    try {
      const summary = r.acs.sessions[1].messages.map((m) =>
        m.direction === "ACS→CPE"
          ? (m.xml === "" ? "ACS:204" : "ACS")
          : m.decoded?.body.kind === "request"
          ? `CPE:${m.decoded.body.method}`
          : m.decoded?.body.kind === "response"
          ? `CPE:${m.decoded.body.method}Response`
          : "CPE:empty"
      );
      assert.deepStrictEqual(summary, [
        "CPE:Inform",
        "ACS",
        "CPE:empty",
        "ACS",
        "CPE:GetParameterValuesResponse",
        "ACS:204",
        "CPE:TransferComplete",
        "ACS",
        "CPE:empty",
        "ACS:204",
      ]);
      assert.deepStrictEqual(r.context.transfers.current.completions, []);
    } finally {
      await r.stop();
    }
  });
});

for (const namespace of ["1-0", "1-1", "1-2"] as const) {
  Deno.test(
    `transfer messages in cwmp-${namespace} validate against its XSD`,
    xsdTestOptions(),
    async () => {
      await withFiles(async (files) => {
        files.serve("/cfg.json", {
          body: new TextEncoder().encode(
            '{"Device.Time.NTPServer1":"ntp.example.net"}',
          ),
        });
        const requests: AcsRequest[] = [
          download(
            "cfg",
            "3 Vendor Configuration File",
            files.url("/cfg.json"),
          ),
          download("later", "2 Web Content", files.url("/x"), {
            delaySeconds: 3600,
          }),
          {
            kind: "request",
            method: "Upload",
            args: {
              commandKey: "log",
              fileType: "2 Vendor Log File",
              url: files.url("/up/log"),
              username: "",
              password: "",
              delaySeconds: 0,
            },
          },
          { kind: "request", method: "GetQueuedTransfers", args: {} },
        ];
        if (namespace !== "1-0") {
          requests.push({
            kind: "request",
            method: "GetAllQueuedTransfers",
            args: {},
          });
        }
        if (namespace === "1-2") {
          requests.push(
            {
              kind: "request",
              method: "ScheduleDownload",
              args: {
                commandKey: "sched",
                fileType: "2 Web Content",
                url: files.url("/cfg.json"),
                username: "",
                password: "",
                fileSize: 0,
                targetFileName: "",
                timeWindowList: [{
                  windowStart: 0,
                  windowEnd: 3600,
                  windowMode: "1 At Any Time",
                  userMessage: "",
                  maxRetries: -1,
                }],
              },
            },
            {
              kind: "request",
              method: "CancelTransfer",
              args: { commandKey: "later" },
            },
          );
        }
        const r = await rig({
          acs: {
            sessions: [{ namespace, requests }],
            defaultScript: { namespace },
          },
          defaults: {
            "AutonomousTransferCompletePolicy.Enable": "true",
            "AutonomousTransferCompletePolicy.FileTypeFilter": "2 Web Content",
          },
        });
        try {
          await r.agent.start();
          r.device.transfers.reportAutonomous({
            announceUrl: "",
            transferUrl: "https://cdn.example.net/ui.tar",
            isDownload: true,
            fileType: "2 Web Content",
            fileSize: 10,
            targetFileName: "ui.tar",
            faultCode: 0,
            faultString: "",
            startTime: "2026-11-26T10:00:00Z",
            completeTime: "2026-11-26T10:00:01Z",
          });
          r.device.transfers.requestFile({
            fileType: "X 00D09E Profile",
            args: [{ name: "tier", value: "gold" }],
          });
          for (let i = 0; i < 50; i++) {
            await r.agent.idle();
            const left = r.context.transfers.current;
            if (
              left.completions.length === 0 &&
              left.downloadRequests.length === 0 &&
              left.autonomous.length === (namespace === "1-0" ? 1 : 0) &&
              left.queue.every((t) => t.commandKey === "later")
            ) break;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          const sent = r.acs.sessions.flatMap((s) =>
            s.messages.flatMap((m) =>
              m.decoded?.body.kind === "request" ? [m.decoded.body.method] : []
            )
          );
          const expected = namespace === "1-2" ? 3 : 2;
          assert.equal(
            sent.filter((m) => m === "TransferComplete").length,
            expected,
            sent.join(","),
          );
          assert.equal(sent.filter((m) => m === "RequestDownload").length, 1);
          // AutonomousTransferComplete is CWMP 1.1: a 1.0 session keeps it.
          assert.equal(
            sent.filter((m) => m === "AutonomousTransferComplete").length,
            namespace === "1-0" ? 0 : 1,
          );
          assert.deepStrictEqual(await r.acs.validateRecorded(BBF_DIR), []);
          const log = files.upload("/up/log");
          assert.ok(
            log instanceof Uint8Array &&
              new TextDecoder().decode(log).includes(
                "configuration file applied",
              ),
          );
        } finally {
          await r.stop();
        }
      });
    },
  );
}

Deno.test("a transfer the device made itself reaches the ACS as the AutonomousTransferComplete policy allows, and once acknowledged is gone", async () => {
  const r = await startedRig({
    acs: {
      sessions: [{
        requests: [spvPolicy([
          ["Enable", "true", "boolean"],
          ["ResultTypeFilter", "Failure", "string"],
          ["FileTypeFilter", "1 Firmware Upgrade Image", "string"],
        ])],
      }],
    },
  });
  const report = (t: AutonomousTransfer) =>
    r.device.transfers.reportAutonomous(t);
  try {
    const base: AutonomousTransfer = {
      announceUrl: "",
      transferUrl: "https://vendor.example.net/fw.bin",
      isDownload: true,
      fileType: "1 Firmware Upgrade Image",
      fileSize: 1234,
      targetFileName: "",
      faultCode: 9018,
      faultString: "bad signature",
      startTime: "2026-11-26T10:00:00Z",
      completeTime: "0001-01-01T00:00:00Z",
    };
    report({ ...base, faultCode: 0, faultString: "" }); // a success: filtered out
    report({ ...base, fileType: "2 Web Content" }); // not in the file types
    report(base);
    await r.acs.waitForSessions(2);
    await r.agent.idle();
    assert.equal(r.acs.sessions.length, 2);
    assert.deepStrictEqual(codes(r.acs, 1), [
      "10 AUTONOMOUS TRANSFER COMPLETE",
    ]);
    const [atc] = cpeRequests(r.acs, 1);
    assert.ok(
      atc.kind === "request" && atc.method === "AutonomousTransferComplete",
    );
    assert.equal(atc.args.transferUrl, base.transferUrl);
    assert.deepStrictEqual(atc.args.faultStruct, {
      faultCode: 9018,
      faultString: "bad signature",
    });
    assert.deepStrictEqual(r.context.transfers.current.autonomous, []);
  } finally {
    await r.stop();
  }
});

Deno.test("RequestDownload from the device and from agent request-download: 9 REQUEST DOWNLOAD and the request, kept until answered", async () => {
  const dir = await Deno.makeTempDir();
  const r = await startedRig({
    agent: { transfers: { requestsDir: `${dir}/requests` } },
    acs: { sessions: [{}, { cpeRequests: { fault: 8005 } }] },
  }, 1);
  try {
    r.device.transfers.requestFile({
      fileType: "3 Vendor Configuration File",
      args: [{ name: "profile", value: "home" }],
    });
    await r.acs.waitForSessions(2);
    await r.agent.idle();
    assert.deepStrictEqual(codes(r.acs, 1), ["9 REQUEST DOWNLOAD"]);
    assert.equal(
      r.context.transfers.current.downloadRequests.length,
      1,
      "8005: kept",
    );
    const out: string[] = [];
    const code = await requestDownloadCommand(
      [
        "--state-dir",
        dir,
        "--file-type",
        "1 Firmware Upgrade Image",
        "--arg",
        "channel=beta",
      ],
      {
        readFile: Deno.readFile,
        stdin: new ReadableStream(),
        stdout: (t) => out.push(t),
        stderr: (t) => out.push(t),
      },
    );
    assert.equal(code, 0, out.join(""));
    await r.acs.waitForSessions(3);
    await r.agent.idle();
    const sent = cpeRequests(r.acs, 2);
    assert.deepStrictEqual(
      sent.map((b) =>
        b.kind === "request" && b.method === "RequestDownload" &&
        b.args.fileType
      ),
      ["3 Vendor Configuration File", "1 Firmware Upgrade Image"],
    );
    const second = sent[1];
    assert.ok(second.kind === "request" && second.method === "RequestDownload");
    assert.deepStrictEqual(second.args.fileTypeArg, [{
      name: "channel",
      value: "beta",
    }]);
    assert.deepStrictEqual(r.context.transfers.current.downloadRequests, []);
    // Taken right after it is recorded, which may be after the session
    // that sent it has ended: a moment is allowed.
    for (let i = 0; i < 100; i++) {
      if ([...Deno.readDirSync(`${dir}/requests`)].length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.deepStrictEqual(
      [...Deno.readDirSync(`${dir}/requests`)],
      [],
      "the request file is taken",
    );
    const refused = await requestDownloadCommand(
      ["--state-dir", dir, "--file-type", "7 Movie"],
      {
        readFile: Deno.readFile,
        stdin: new ReadableStream(),
        stdout: (t) => out.push(t),
        stderr: (t) => out.push(t),
      },
    );
    assert.equal(refused, 1);
    assert.match(out.join(""), /FileType "7 Movie" is none of/);
  } finally {
    await r.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a request file recorded but not removed before a crash is asked for once, then removed", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/requests`);
  const r = await rig({
    agent: { transfers: { requestsDir: `${dir}/requests` } },
  });
  try {
    // The state a crash between the record and the removal leaves.
    const name = "1796286653389-crash.json";
    const request = { fileType: "1 Firmware Upgrade Image", args: [] };
    await Deno.writeTextFile(
      `${dir}/requests/${name}`,
      JSON.stringify(request),
    );
    await r.context.transfers.update((d) => ({
      ...d,
      downloadRequests: [{ ...request, file: name }],
    }));
    await r.agent.start();
    await r.acs.waitForSessions(1);
    await r.agent.idle();
    const asked = cpeRequests(r.acs, 0).filter((b) =>
      b.kind === "request" && b.method === "RequestDownload"
    );
    assert.equal(asked.length, 1);
    assert.deepStrictEqual(r.context.transfers.current.downloadRequests, []);
    assert.deepStrictEqual([...Deno.readDirSync(`${dir}/requests`)], []);
  } finally {
    await r.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every Download file type succeeds from an https file server under the named CA, with its progress logged; a bad signature is 9019", async () => {
  const pem = (name: string) =>
    Deno.readTextFileSync(new URL(`../../certs/${name}`, import.meta.url));
  await withFiles(async (files) => {
    const big = new Uint8Array(2_000_000).map((_, i) => i % 199);
    const cfg = new TextEncoder().encode(
      '{"Device.Time.NTPServer2":"ntp2.example.net"}',
    );
    const types: [string, Uint8Array][] = [
      ["1 Firmware Upgrade Image", firmwareImage("4.0.0")],
      ["2 Web Content", big],
      ["3 Vendor Configuration File", cfg],
      ["4 Tone File", new Uint8Array(300)],
      ["5 Ringer File", new Uint8Array(300)],
      ["X 00D09E Bootloader", new Uint8Array(300)],
    ];
    types.forEach(([, body], i) => files.serve(`/f${i}`, { body }));
    const unsigned = new TextEncoder().encode(
      "CWMP-SIM-FIRMWARE 1\nversion: 5\nsignature: invalid\n\n",
    );
    files.serve("/unsigned", { body: unsigned });
    const r = await rig({
      agent: { transfers: { client: { caCerts: [pem("root-ca.crt")] } } },
      acs: {
        sessions: [{
          requests: [
            ...types.map(([type, body], i) =>
              download(`k${i}`, type, files.url(`/f${i}`), {
                fileSize: body.byteLength,
              })
            ),
            download(
              "unsigned",
              "1 Firmware Upgrade Image",
              files.url("/unsigned"),
            ),
          ],
        }],
      },
    });
    try {
      await r.agent.start();
      for (
        let i = 0;
        i < 200 && r.context.transfers.current.queue.length > 0;
        i++
      ) {
        await r.agent.idle();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await r.agent.idle();
      const all = r.acs.sessions.slice(1).flatMap((_, i) =>
        cpeRequests(r.acs, i + 1)
      )
        .map(transferComplete);
      const byKey = Object.fromEntries(
        all.map((a) => [a.commandKey, a.faultStruct.faultCode]),
      );
      assert.deepStrictEqual(byKey, {
        k0: 0,
        k1: 0,
        k2: 0,
        k3: 0,
        k4: 0,
        k5: 0,
        unsigned: 9019,
      });
      const values = await r.device.getValues([
        "Device.DeviceInfo.SoftwareVersion",
        "Device.Time.NTPServer2",
      ]);
      assert.equal(values.get("Device.DeviceInfo.SoftwareVersion"), "4.0.0");
      assert.equal(values.get("Device.Time.NTPServer2"), "ntp2.example.net");
      // node:tls may hand over large pieces at once: the last line is 100 %.
      const progress = r.logs.filter((l) =>
        l.msg === "transfer progress" && l.commandKey === "k1"
      ).map((l) => Number(l.percent));
      assert.equal(progress.at(-1), 100, JSON.stringify(progress));
      assert.deepStrictEqual(progress, [...progress].sort((a, b) => a - b));
    } finally {
      await r.stop();
    }
  }, {
    tls: { cert: pem("acs-server.chain.pem"), key: pem("acs-server.key") },
  });
});

Deno.test("a long download logs its progress every tenth", async () => {
  await withFiles(async (files) => {
    // Larger than ten of the transport's 1 MiB chunks, so every tenth has
    // one to end in.
    const body = new Uint8Array(12_000_000).map((_, i) => i % 251);
    files.serve("/big", { body });
    const r = await startedRig({
      acs: {
        sessions: [{
          requests: [
            download("big", "2 Web Content", files.url("/big"), {
              fileSize: body.byteLength,
            }),
          ],
        }],
      },
    }, 2);
    try {
      const progress = r.logs.filter((l) => l.msg === "transfer progress")
        .map((l) => Number(l.percent));
      assert.ok(progress.length >= 5, JSON.stringify(progress));
      assert.equal(progress.at(-1), 100);
      assert.deepStrictEqual(
        progress,
        [...new Set(progress)].sort((a, b) => a - b),
        "each tenth once, in order",
      );
    } finally {
      await r.stop();
    }
  });
});

/**
 * A second agent on `first`'s store, ACS and clock (a restart): started,
 * run until the ACS has seen two sessions in all, then stopped.
 */
async function restartAfter(
  first: Rig,
  store: FileStateStore,
  agent: RigOptions["agent"] = {},
): Promise<Rig> {
  const second = await rig({
    store,
    restore: true,
    agent,
    existingAcs: first.acs,
    clock: first.clock,
  });
  await second.agent.start();
  await first.acs.waitForSessions(2);
  await second.agent.idle();
  await second.agent.stop();
  return second;
}

Deno.test("stopping the agent cuts a running download short without a completion; the next start begins it again", async () => {
  await withFiles(async (files) => {
    files.serve("/slow", { body: new Uint8Array(1000), stall: true });
    const dir = await Deno.makeTempDir();
    try {
      const store = new FileStateStore(dir);
      const first = await rig({
        store,
        restore: true,
        acs: {
          sessions: [{
            requests: [download("slow", "2 Web Content", files.url("/slow"))],
          }],
        },
      });
      await first.agent.start();
      for (let i = 0; i < 100 && files.requests.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const began = performance.now();
      await first.agent.stop();
      assert.ok(
        performance.now() - began < 3000,
        "stop does not wait for the transfer",
      );
      assert.equal(first.context.transfers.current.queue[0]?.state, 2);
      assert.deepStrictEqual(first.context.transfers.current.completions, []);
      assert.ok(
        first.logs.some((l) =>
          l.msg === "transfer interrupted by the agent stopping"
        ),
      );
      files.serve("/slow", { body: new Uint8Array(1000) });
      await restartAfter(first, store);
      assert.equal(
        transferComplete(cpeRequests(first.acs, 1)[0]).faultStruct.faultCode,
        0,
      );
      await first.acs.stop();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("stopping the agent while the device applies a download keeps the file; the next start applies it again and reports success", async () => {
  await withFiles(async (files) => {
    files.serve("/fw.bin", { body: firmwareImage("2.1.0", true, 600) });
    const dir = await Deno.makeTempDir();
    try {
      const store = new FileStateStore(dir);
      // A state directory's spool, as `agent run` has: both starts share it.
      const transfers = { dir: `${dir}/transfers` };
      const first = await rig({
        store,
        restore: true,
        agent: { transfers },
        acs: {
          sessions: [{
            requests: [
              download(
                "fw-stop",
                "1 Firmware Upgrade Image",
                files.url("/fw.bin"),
              ),
            ],
          }],
        },
      });
      await first.agent.start();
      for (
        let i = 0;
        i < 200 && !first.logs.some((l) => l.msg === "applying download");
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await first.agent.stop();
      assert.equal(first.context.transfers.current.queue[0]?.state, 3);
      assert.deepStrictEqual(first.context.transfers.current.completions, []);
      const second = await restartAfter(first, store, { transfers });
      assert.ok(
        second.logs.some((l) =>
          l.msg === "applying a download again after a restart"
        ),
      );
      const last = first.acs.sessions.length - 1;
      const args = transferComplete(cpeRequests(first.acs, last)[0]);
      assert.equal(args.commandKey, "fw-stop");
      assert.deepStrictEqual(args.faultStruct, {
        faultCode: 0,
        faultString: "",
      });
      const left: string[] = [];
      for await (const e of Deno.readDir(transfers.dir)) left.push(e.name);
      assert.deepStrictEqual(left, [], "the applied file is removed");
      await first.acs.stop();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("a new ACS (BOOTSTRAP) drops the transfers the old one queued that have not started", async () => {
  const r = await startedRig({
    acs: {
      sessions: [{
        requests: [
          download("old", "2 Web Content", "http://127.0.0.1:9/x", {
            delaySeconds: 3600,
          }),
        ],
      }],
    },
  }, 1);
  try {
    assert.equal(r.context.transfers.current.queue.length, 1);
    await r.context.device.setManagementServer({ URL: `${r.acs.url}?new` });
    await r.acs.waitForSessions(2);
    await r.agent.idle();
    assert.ok(r.acs.sessions[1].events.includes("0 BOOTSTRAP"));
    assert.deepStrictEqual(r.context.transfers.current.queue, []);
  } finally {
    await r.stop();
  }
});
