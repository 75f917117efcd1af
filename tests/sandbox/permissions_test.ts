/** The permission sandbox: the computed set, and the agent living inside it. */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import {
  computePermissions,
  permissionFlags,
} from "../../src/sandbox/permissions.ts";
import { runAgent, spawnAgentRun } from "../_helpers/cli.ts";
import { spv } from "../_helpers/requests.ts";

const REPO = new URL("../../", import.meta.url).pathname;

/**
 * `deno task agent run` as a subprocess (allowed to run Deno, so it re-launches itself
 * sandboxed) until the ACS has seen one whole session; then SIGTERM. Returns the exit code and log.
 */
async function runUntilFirstSession(
  acs: FixtureAcs,
  dir: string,
  extraArgs: string[] = [],
): Promise<{ code: number; log: string }> {
  const child = spawnAgentRun(
    [
      "--state-dir",
      dir,
      "--acs-url",
      acs.url,
      ...extraArgs,
      "--cr-port",
      "0",
      "--log-format",
      "json",
    ],
    ["--allow-net", "--allow-run"],
  );
  await acs.waitForSessions(1);
  child.kill("SIGTERM");
  const { code, stderr } = await child.output();
  return { code, log: new TextDecoder().decode(stderr) };
}

Deno.test("agent permissions prints exactly what the configuration needs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/agent.json`,
      JSON.stringify({
        "state-dir": `${dir}/state`,
        "acs-url": "https://acs.example.net:8443/cwmp",
        "cr-port": 7547,
        "ca-file": `${dir}/ca.pem`,
      }),
    );
    const r = await runAgent(["permissions", "--config", `${dir}/agent.json`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepStrictEqual(r.stdout.trim().split("\n"), [
      "--no-prompt",
      "--allow-net=acs.example.net:8443,127.0.0.1:7547",
      `--allow-read=${dir}/state,${dir}/agent.json,${dir}/ca.pem`,
      `--allow-write=${dir}/state`,
      "--allow-env=DENO_CERT,NODE_EXTRA_CA_CERTS,SSL_CERT_FILE,SSL_CERT_DIR,NODE_TLS_REJECT_UNAUTHORIZED,SSLKEYLOGFILE,DENO_TLS_CA_STORE",
    ]);
    const linux = computePermissions({
      "state-dir": "/s",
      device: "linux",
      "log-level": "info",
      "log-format": "text",
    });
    assert.deepStrictEqual(linux.sys, [
      "hostname",
      "networkInterfaces",
      "osUptime",
      "systemMemoryInfo",
      "loadavg",
    ]);
    assert.ok(
      !permissionFlags(linux).some((f) =>
        f.startsWith("--allow-run") || f === "--allow-all" ||
        f.startsWith("--allow-ffi")
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("under its computed permissions the agent cannot reach a host outside the allow-list, and survives", async () => {
  const dir = await Deno.makeTempDir();
  const script = `${dir}/probe.ts`;
  await Deno.writeTextFile(
    script,
    `import { AcsClient } from "${REPO}src/transport/acs_client.ts";
const client = new AcsClient("http://127.0.0.2:18080/elsewhere");
try { await client.post(""); console.log("connected"); } catch (e) { console.log(e.name + ": " + e.message); } finally { client.close(); }
console.log("still running");`,
  );
  try {
    const flags = permissionFlags(
      computePermissions({
        "state-dir": dir,
        "acs-url": "http://127.0.0.1:7547/acs",
        device: "sim",
        "log-level": "info",
        "log-format": "text",
      }),
    );
    const { stdout, code } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...flags.map((f) =>
          f.startsWith("--allow-read=") ? `${f},${dir},${REPO}` : f
        ),
        "--config",
        `${REPO}deno.json`,
        script,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout);
    assert.equal(code, 0, out);
    assert.match(out, /TransportError: .*(NotCapable|Requires net access)/);
    assert.match(out, /still running/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the sandboxed agent completes a session; a URL or redirect outside the allow-list is refused cleanly", async () => {
  const other = new FixtureAcs();
  await other.start();
  const acs = new FixtureAcs({
    sessions: [{
      requests: [spv([["Device.ManagementServer.URL", other.url]], "k")],
    }],
  });
  await acs.start();
  const dir = await Deno.makeTempDir();
  try {
    const { code, log } = await runUntilFirstSession(acs, dir);
    assert.equal(code, 0, log);
    const reply = acs.sessions[0].messages.find((m) =>
      m.decoded?.body.kind === "fault"
    )?.decoded?.body;
    assert.equal(
      reply?.kind === "fault" && reply.parameterFaults[0]?.faultCode,
      9007,
      log,
    );
    assert.match(log, /outside the ACS allow-list/);
    assert.equal(other.sessions.length, 0);
  } finally {
    await acs.stop();
    await other.stop();
    await Deno.remove(dir, { recursive: true });
  }
  // A redirect to another server fails that session and nothing reaches it.
  const target = new FixtureAcs();
  await target.start();
  const redirecting = new FixtureAcs({ redirectTo: target.url });
  await redirecting.start();
  const dir2 = await Deno.makeTempDir();
  try {
    const child = spawnAgentRun(
      [
        "--state-dir",
        dir2,
        "--acs-url",
        redirecting.url,
        "--cr-port",
        "0",
        "--log-format",
        "json",
      ],
      ["--allow-net"],
    );
    let log = "";
    const reader = child.stderr.pipeThrough(new TextDecoderStream())
      .getReader();
    while (!log.includes('"msg":"session"')) {
      const { value, done } = await reader.read();
      if (done) break;
      log += value;
    }
    child.kill("SIGTERM");
    await child.status;
    reader.releaseLock();
    assert.match(log, /outside the allow-list/);
    assert.equal(target.sessions.length, 0);
  } finally {
    await redirecting.stop();
    await target.stop();
    await Deno.remove(dir2, { recursive: true });
  }
});

Deno.test("the sandboxed agent completes an https session trusting a named CA, with its client certificate", async () => {
  const certs = `${REPO}certs/`;
  const acs = new FixtureAcs({
    tls: {
      cert: Deno.readTextFileSync(`${certs}acs-server.chain.pem`),
      key: Deno.readTextFileSync(`${certs}acs-server.key`),
    },
  });
  await acs.start();
  const dir = await Deno.makeTempDir();
  try {
    const { code, log } = await runUntilFirstSession(acs, dir, [
      "--ca-file",
      `${certs}root-ca.crt`,
      "--cert-file",
      `${certs}cpe-client.chain.pem`,
      "--key-file",
      `${certs}cpe-client.key`,
    ]);
    assert.equal(code, 0, log);
    assert.match(log, /"msg":"session","outcome":"success"/, log);
    assert.deepStrictEqual(acs.sessions[0].events, ["0 BOOTSTRAP", "1 BOOT"]);
  } finally {
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the ACS allow-list takes host patterns; the sandbox grants exactly those hosts", async () => {
  const { acsAllowList, urlAllowed, computePermissions } = await import(
    "../../src/sandbox/permissions.ts"
  );
  const { resolveConfig } = await import("../../src/config/agent_config.ts");
  const config = resolveConfig(undefined, {
    "state-dir": "/var/lib/cwmp",
    "acs-url": "https://bootstrap.example.net/cwmp",
    "acs-allow": "*.acs.example.org:443, backup.example.com",
  });
  const list = acsAllowList(config);
  assert.deepStrictEqual(list, [
    "bootstrap.example.net:443",
    "*.acs.example.org:443",
    "backup.example.com",
  ]);
  for (
    const [url, allowed] of [
      ["https://bootstrap.example.net/cwmp", true],
      ["https://bootstrap.example.net:8443/cwmp", false],
      ["https://acs.example.org/cwmp", true],
      ["https://prod.eu.acs.example.org/cwmp", true],
      ["https://prod.acs.example.org:8443/cwmp", false],
      ["https://evilacs.example.org/cwmp", false],
      ["https://acs.example.org.evil.net/cwmp", false],
      ["http://backup.example.com:7547/", true],
      ["https://example.com/", false],
    ] as const
  ) assert.equal(urlAllowed(list, url), allowed, url);
  const net = computePermissions(config).net;
  assert.ok(
    net.includes("*.acs.example.org:443") && net.includes("backup.example.com"),
  );
  for (const bad of ["*", "*.org", "acs.example.org:99999", "http://x/"]) {
    assert.throws(
      () => resolveConfig(undefined, { "state-dir": "/s", "acs-allow": bad }),
      /acs-allow/,
      bad,
    );
  }
});

Deno.test("file servers join the network set and upload files the read set; nothing else is added", () => {
  const base = {
    "state-dir": "/var/lib/cwmp",
    "acs-url": "https://acs.example.net/cwmp",
    device: "sim",
    "log-level": "info",
    "log-format": "text",
  } as const;
  const plain = computePermissions(base);
  assert.deepStrictEqual(plain.net, ["acs.example.net:443", "127.0.0.1:7547"]);
  const withFiles = computePermissions({
    ...base,
    "file-servers": ["cdn.example.net:443", "*.files.example.org"],
    "upload-files": { "2 Vendor Log File": "/var/log/cwmp.log" },
  });
  assert.deepStrictEqual(withFiles.net, [
    "acs.example.net:443",
    "cdn.example.net:443",
    "*.files.example.org",
    "127.0.0.1:7547",
  ]);
  assert.deepStrictEqual(
    withFiles.read.filter((p) => !plain.read.includes(p)),
    ["/var/log/cwmp.log"],
  );
  assert.deepStrictEqual(withFiles.write, plain.write);
});

Deno.test("the local interface's socket joins the set (as network and as a path), only when applications are named", () => {
  const base = {
    "state-dir": "/var/lib/cwmp",
    device: "sim",
    "log-level": "info",
    "log-format": "text",
  } as const;
  const none = computePermissions(base);
  assert.ok(!none.net.some((n) => n.startsWith("unix:")));
  const withApps = computePermissions({
    ...base,
    "local-apps": [{
      name: "ui",
      "token-sha256": "0".repeat(64),
      read: ["Device."],
      write: [],
    }],
  });
  assert.deepStrictEqual(withApps.net.filter((n) => n.startsWith("unix:")), [
    "unix:/var/lib/cwmp/local.sock",
  ]);
  const elsewhere = computePermissions({
    ...base,
    "local-socket": "/run/cwmp/local.sock",
    "local-apps": [{
      name: "ui",
      "token-sha256": "0".repeat(64),
      read: ["Device."],
      write: [],
    }],
  });
  assert.ok(elsewhere.write.includes("/run/cwmp/local.sock"));
  assert.ok(elsewhere.read.includes("/run/cwmp/local.sock"));
  assert.ok(elsewhere.net.includes("unix:/run/cwmp/local.sock"));
});

Deno.test("a UDP connection-request port adds its address, the STUN servers and --unstable-net; without one nothing of it", () => {
  const base = {
    "state-dir": "/var/lib/cwmp",
    "acs-url": "https://acs.example.net/cwmp",
    device: "sim",
    "log-level": "info",
    "log-format": "text",
  } as const;
  const plain = computePermissions(base);
  assert.equal(plain.unstable, undefined);
  assert.ok(!permissionFlags(plain).some((f) => f.startsWith("--unstable")));
  const udp = computePermissions({ ...base, "udp-cr-port": 7547 });
  assert.deepStrictEqual(udp.net, [
    "acs.example.net:443",
    "127.0.0.1:7547",
    "acs.example.net:3478",
  ]);
  assert.deepStrictEqual(
    udp.sys,
    [],
    "a port on one address needs no interface list",
  );
  // The ACS may move the device: its other hosts serve STUN by default too.
  const moved = computePermissions({
    ...base,
    "udp-cr-port": 7547,
    "acs-allow": ["*.example.org:443"],
  });
  assert.ok(moved.net.includes("*.example.org:3478"), moved.net.join(" "));
  assert.ok(permissionFlags(udp).includes("--unstable-net"));
  const wan = computePermissions({
    ...base,
    "udp-cr-host": "0.0.0.0",
    "udp-cr-port": 30005,
    "stun-servers": ["stun.example.org:3478", "*.stun.example.net"],
  });
  assert.deepStrictEqual(wan.net, [
    "acs.example.net:443",
    "127.0.0.1:7547",
    "0.0.0.0:30005",
    "stun.example.org:3478",
    "*.stun.example.net",
  ]);
  assert.deepStrictEqual(wan.sys, ["networkInterfaces"]);
});
