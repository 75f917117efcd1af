/** `agent run`, `agent status` and `deno task demo` as subprocesses. */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { AGENT_PERMISSIONS, runAgent } from "../_helpers/cli.ts";
import { spv } from "../_helpers/requests.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const DEMO = new URL("../../scripts/demo.ts", import.meta.url).pathname;

Deno.test("agent run: one structured log line per session, no secret logged, clean stop on SIGTERM; status reports it", async () => {
  const acs = new FixtureAcs({
    auth: { scheme: "digest", username: "cpe", password: "acs-pass-9f2e" },
  });
  await acs.start();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config.json`,
      JSON.stringify({
        "state-dir": `${dir}/state`,
        "acs-url": acs.url,
        "cr-port": 0,
      }),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...AGENT_PERMISSIONS,
        "--allow-net=127.0.0.1",
        MAIN,
        "run",
        "--config",
        `${dir}/config.json`,
        "--acs-username",
        "cpe",
        "--acs-password",
        "acs-pass-9f2e",
        "--cr-username",
        "acs",
        "--cr-password",
        "cr-pass-77aa",
        "--log-format",
        "json",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    await acs.waitForSessions(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGTERM");
    const { code, stderr } = await child.output();
    const text = new TextDecoder().decode(stderr);
    assert.equal(code, 0, text);
    const lines = text.trim().split("\n").map((l) => JSON.parse(l));
    const sessions = lines.filter((l) => l.msg === "session");
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0].outcome, "success");
    assert.deepStrictEqual(sessions[0].events, ["0 BOOTSTRAP", "1 BOOT"]);
    assert.equal(typeof sessions[0].durationMs, "number");
    assert.ok(lines.some((l) => l.msg === "stopped"));
    assert.ok(
      !text.includes("acs-pass-9f2e") && !text.includes("cr-pass-77aa"),
      "no secret in the log",
    );

    const status = await runAgent([
      "status",
      "--state-dir",
      `${dir}/state`,
      "--json",
    ]);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout);
    assert.equal(s.lastSession.outcome, "success");
    assert.equal(s.retryCount, 0);
    assert.deepStrictEqual(s.queuedEvents, []);
    const human = await runAgent(["status", "--state-dir", `${dir}/state`]);
    assert.match(human.stdout, /last session: +\S+ success/);
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agent run: configuration errors name the field and exit 1", async () => {
  const cases: [string[], RegExp][] = [
    [["run"], /state-dir/],
    [["run", "--state-dir", "/tmp/x", "--acs-url", "ftp://acs"], /acs-url/],
    [["run", "--state-dir", "/tmp/x", "--cr-port", "99999"], /cr-port/],
    [["run", "--state-dir", "/tmp/x", "--log-format", "xml"], /log-format/],
    [["run", "--state-dir", "/tmp/x", "--cert-file", "a.pem"], /cert-file/],
    [["run", "--state-dir", "/tmp/x", "--bogus", "1"], /bogus/],
  ];
  for (const [args, field] of cases) {
    const r = await runAgent(args);
    assert.equal(r.code, 1, args.join(" "));
    assert.match(r.stderr, field);
  }
  const help = await runAgent(["run", "--help"]);
  assert.equal(help.code, 0);
  for (
    const flag of [
      "--acs-url",
      "--cr-port",
      "--device",
      "--log-format",
      "--ca-file",
    ]
  ) assert.ok(help.stdout.includes(flag), flag);
});

Deno.test("deno task demo runs six sessions on loopback, a firmware upgrade and a UDP connection request through a NAT among them, and exits 0", async () => {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-net=127.0.0.1",
      DEMO,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, text);
  assert.match(text, /events: 0 BOOTSTRAP, 1 BOOT/);
  assert.match(text, /events: 1 BOOT, M Reboot\(demo-reboot\)/);
  assert.match(text, /events: 6 CONNECTION REQUEST/);
  assert.match(text, /DownloadResponse +\{"status":1,/);
  assert.match(
    text,
    /events: 1 BOOT, 7 TRANSFER COMPLETE, M Download\(demo-fw\)/,
  );
  assert.match(
    text,
    /TransferComplete +\{"commandKey":"demo-fw","faultStruct":\{"faultCode":0,/,
  );
  assert.match(
    text,
    /fault 9003 +Invalid arguments \[Device\.WiFi\.Radio\.1\.Channel=9007\]/,
  );
  // Annex G: STUN turned on, the mapping reported, a UDP request served.
  assert.match(text, /NAT mapping 203\.0\.113\.10:\d+ \(NAT detected\)/);
  assert.match(text, /events: 4 VALUE CHANGE/);
  assert.match(
    text,
    /UDP connection request accepted[\s\S]*events: 6 CONNECTION REQUEST/,
  );
  assert.match(
    text,
    /the ACS sends a UDP connection request to 203\.0\.113\.10:\d+/,
  );
  // The UDP request's copies are not refusals (the HTTP request's first,
  // unauthenticated try is one: Digest asks for credentials).
  assert.doesNotMatch(
    text.slice(text.indexOf("UDP connection request to")),
    /refused/,
  );
  assert.match(text, /demo finished: 6 sessions/);
});

/** `agent run …` until `until()` holds (or `maxMs`), then SIGTERM; returns its log lines. */
async function runUntil(
  args: string[],
  until: () => boolean,
  maxMs = 10_000,
): Promise<Record<string, unknown>[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...AGENT_PERMISSIONS,
      "--allow-net=127.0.0.1",
      MAIN,
      "run",
      ...args,
      "--log-format",
      "json",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const deadline = Date.now() + maxMs;
  while (!until() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Leave a moment for anything that should not happen.
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill("SIGTERM");
  const { code, stderr } = await child.output();
  const text = new TextDecoder().decode(stderr);
  assert.equal(code, 0, text);
  return text.trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("agent run --device sim:FILE registers with the DeviceId of a genieacs-sim data model", async () => {
  const acs = new FixtureAcs();
  await acs.start();
  const dir = await Deno.makeTempDir();
  const csv = new URL("../fixtures/sim/genieacs_sim_igd.csv", import.meta.url)
    .pathname;
  try {
    const lines = await runUntil([
      "--state-dir",
      `${dir}/state`,
      "--acs-url",
      acs.url,
      "--cr-port",
      "0",
      "--device",
      `sim:${csv}`,
    ], () => acs.sessions.length > 0);
    const inform = acs.sessions[0].messages[0].decoded!.body;
    assert.ok(inform.kind === "request" && inform.method === "Inform");
    assert.deepStrictEqual(inform.args.deviceId, {
      manufacturer: "Nordlicht Networks, GmbH",
      oui: "A0B1C2",
      productClass: "NL-4410",
      serialNumber: "NL44100000917",
    });
    const names = inform.args.parameterList.map((p) => p.name);
    assert.ok(
      names.includes("InternetGatewayDevice.DeviceSummary"),
      names.join(),
    );
    // The dump's oddities are logged, not fatal.
    const warnings = lines.filter((l) => l.msg === "snapshot loaded");
    assert.ok(warnings.length >= 4, JSON.stringify(lines));
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agent run: an ACS moves the device to a production ACS on another host of the allow-list; it gets 0 BOOTSTRAP at once", async () => {
  const production = new FixtureAcs();
  await production.start();
  const bootstrap = new FixtureAcs({
    sessions: [{
      requests: [
        spv([["Device.ManagementServer.URL", production.url]], "moved"),
      ],
    }],
  });
  await bootstrap.start();
  const dir = await Deno.makeTempDir();
  try {
    // The allow-list names the production ACS's host and port.
    const port = new URL(production.url).port;
    await runUntil([
      "--state-dir",
      dir,
      "--acs-url",
      bootstrap.url,
      "--acs-allow",
      `127.0.0.1:${port}`,
      "--cr-port",
      "0",
    ], () => production.sessions.length > 0);
    assert.deepStrictEqual(production.sessions[0]?.events, ["0 BOOTSTRAP"]);
    const inform = production.sessions[0].messages[0].decoded!.body;
    assert.ok(inform.kind === "request" && inform.method === "Inform");
    assert.ok(
      inform.args.parameterList.some((p) =>
        p.name === "Device.ManagementServer.ParameterKey" && p.value === "moved"
      ),
    );
  } finally {
    await bootstrap.stop();
    await production.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agent run: after an ACS turns EnableCWMP off, nothing is sent until a local operator starts the agent with --enable-cwmp", async () => {
  const acs = new FixtureAcs({
    sessions: [{
      requests: [spv([["Device.ManagementServer.EnableCWMP", "false"]])],
    }],
  });
  await acs.start();
  const dir = await Deno.makeTempDir();
  const args = ["--state-dir", dir, "--acs-url", acs.url, "--cr-port", "0"];
  try {
    await runUntil(args, () => acs.sessions.some((s) => s.ended));
    assert.equal(acs.sessions.length, 1);
    // A restart alone does not turn it back on, periodic informs included.
    const periodic = [...args, "--periodic-interval", "1"];
    // Two periodic intervals: long enough for one to fire if it could.
    const quiet = await runUntil(periodic, () => false, 2500);
    assert.equal(acs.sessions.length, 1);
    assert.ok(quiet.some((l) => /CWMP is disabled/.test(String(l.msg))));
    const again = await runUntil(
      [...periodic, "--enable-cwmp"],
      () => acs.sessions.length > 1,
    );
    assert.ok(acs.sessions.length >= 2);
    assert.deepStrictEqual(acs.sessions[1].events, ["2 PERIODIC"]);
    assert.ok(again.some((l) => /CWMP enabled again/.test(String(l.msg))));
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
