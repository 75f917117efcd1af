/**
 * The local interface over its real Unix socket: several clients at once,
 * access lists and the AccessList attribute, faults with their codes,
 * watchers of ACS-made and local changes, local changes reaching the ACS,
 * and clients that misbehave.
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { type LocalApp, tokenSha256 } from "../../src/local/access.ts";
import { LocalClient, LocalClientError } from "../../src/local/local_client.ts";
import { LocalServer } from "../../src/local/local_server.ts";
import { informOf, type Rig, startedRig } from "../_helpers/agent.ts";
import { spa, spv } from "../_helpers/requests.ts";

async function apps(): Promise<LocalApp[]> {
  return [
    {
      name: "admin",
      tokenSha256: await tokenSha256("admin-token"),
      read: ["Device."],
      write: ["Device."],
    },
    {
      name: "wifi-ui",
      tokenSha256: await tokenSha256("ui-token"),
      read: ["Device.WiFi."],
      write: ["Device.WiFi."],
      subscriber: true,
    },
    {
      name: "reader",
      tokenSha256: await tokenSha256("reader-token"),
      read: ["Device.DeviceInfo."],
      write: [],
    },
  ];
}

/**
 * Deno counts a Unix socket as network access, by exact path: the test
 * task allows this one (`deno.json`), and these tests use it one at a time.
 */
const path = "/tmp/cwmp-agent-local-test.sock";

async function withLocal(
  r: Rig,
  fn: (
    path: string,
    server: LocalServer,
    logs: Record<string, unknown>[],
  ) => Promise<void>,
): Promise<void> {
  const logs: Record<string, unknown>[] = [];
  const server = await LocalServer.start({
    path,
    apps: await apps(),
    parts: {
      context: r.context,
      inform: (eventCode) => r.agent.trigger([{ eventCode, commandKey: "" }]),
      status: () => ({ ...r.agent.status, sessions: r.agent.sessionCount }),
      log: (level, msg, fields) => logs.push({ level, msg, ...fields }),
    },
    watchQueue: 16,
  });
  try {
    await fn(path, server, logs);
  } finally {
    await server.stop();
  }
}

/** A watch stream of `token`'s application under `paths`, collecting what it is sent. */
function watching(path: string, token: string, paths: string[]) {
  const client = new LocalClient(path, token);
  const seen: { name: string; value: string }[] = [];
  const stop = new AbortController();
  const done = client.watch(paths, (c) => seen.push(c), stop.signal);
  return {
    seen,
    /** Resolves once `count` changes have arrived, or after two seconds. */
    async until(count: number): Promise<void> {
      for (let i = 0; i < 100 && seen.length < count; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close(): Promise<void> {
      stop.abort();
      await done;
      client.close();
    },
  };
}

async function fault(work: Promise<unknown>): Promise<LocalClientError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof LocalClientError, String(error));
    return error;
  }
  assert.fail("expected an error");
}

Deno.test("get, set, add and delete from several clients at once; faults with their codes; the socket is 0600", async () => {
  const r = await startedRig();
  try {
    await withLocal(r, async (path) => {
      assert.equal((Deno.statSync(path).mode! & 0o777).toString(8), "600");
      const clients = Array.from(
        { length: 8 },
        () => new LocalClient(path, "admin-token"),
      );
      try {
        const answers = await Promise.all(
          clients.map((c, i) =>
            c.set([{
              name: "Device.Time.NTPServer1",
              value: `ntp${i}.example.net`,
            }]).then(() =>
              c.get([
                "Device.Time.NTPServer1",
                "Device.DeviceInfo.SerialNumber",
              ])
            )
          ),
        );
        for (const values of answers) {
          assert.equal(values.length, 2);
          assert.match(values[0].value, /^ntp\d\.example\.net$/);
        }
        const instance = await clients[0].add("Device.NAT.PortMapping.");
        assert.ok(instance > 0);
        const names = await clients[1].names(
          `Device.NAT.PortMapping.${instance}.`,
          true,
        );
        assert.ok(names.length > 0);
        await clients[2].delete(`Device.NAT.PortMapping.${instance}.`);
        const gone = await fault(
          clients[3].get([`Device.NAT.PortMapping.${instance}.`]),
        );
        assert.equal(gone.code, 9005);
        assert.equal(gone.status, 404);
        const bad = await fault(clients[4].set([
          { name: "Device.WiFi.Radio.1.Channel", value: "300" },
          { name: "Device.DeviceInfo.SerialNumber", value: "x" },
        ]));
        assert.equal(bad.code, 9003);
        assert.deepStrictEqual(bad.parameters.map((p) => [p.name, p.code]), [
          ["Device.WiFi.Radio.1.Channel", 9007],
          ["Device.DeviceInfo.SerialNumber", 9008],
        ]);
        // The ParameterKey is the ACS's: a local change leaves it alone.
        const [key] = await clients[5].get([
          "Device.ManagementServer.ParameterKey",
        ]);
        assert.equal(key.value, "");
      } finally {
        for (const c of clients) c.close();
      }
    });
  } finally {
    await r.stop();
  }
});

Deno.test("access lists, the AccessList attribute and tokens: refused with 403 or 401 and a log line naming the application", async () => {
  const r = await startedRig({
    acs: {
      sessions: [{
        requests: [{
          kind: "request",
          method: "SetParameterAttributes",
          args: {
            parameterList: [{
              name: "Device.WiFi.SSID.1.SSID",
              notificationChange: false,
              notification: 0,
              accessListChange: true,
              accessList: ["Subscriber"],
            }],
          },
        }],
      }],
    },
  });
  try {
    await withLocal(r, async (path, _server, logs) => {
      const ui = new LocalClient(path, "ui-token");
      const reader = new LocalClient(path, "reader-token");
      const stranger = new LocalClient(path, "guessed-token");
      try {
        const seenBy: (string | undefined)[] = [];
        const setValues = r.device.setValues.bind(r.device);
        r.device.setValues = (changes) => {
          seenBy.push(...changes.map((c) => c.by));
          return setValues(changes);
        };
        await ui.set([{ name: "Device.WiFi.SSID.1.SSID", value: "Home" }]);
        assert.deepStrictEqual(
          seenBy,
          ["wifi-ui"],
          "the adapter sees who wrote",
        );
        const noAccessList = await fault(
          ui.set([{ name: "Device.WiFi.Radio.1.Channel", value: "6" }]),
        );
        assert.equal(noAccessList.status, 403);
        assert.match(
          noAccessList.message,
          /AccessList does not include Subscriber/,
        );
        const outside = await fault(ui.get(["Device.DeviceInfo.SerialNumber"]));
        assert.equal(outside.status, 403);
        assert.equal(outside.code, 9001);
        const readOnly = await fault(
          reader.set([{
            name: "Device.DeviceInfo.ProvisioningCode",
            value: "x",
          }]),
        );
        assert.equal(readOnly.status, 403);
        assert.equal(
          (await reader.get(["Device.DeviceInfo.SerialNumber"])).length,
          1,
        );
        assert.equal((await fault(stranger.status())).status, 401);
        assert.ok(
          logs.some((l) =>
            l.msg === "local request refused" && l.app === "wifi-ui"
          ),
        );
        assert.ok(
          logs.some((l) =>
            l.msg === "local request refused" && l.app === "reader"
          ),
        );
        assert.ok(!JSON.stringify(logs).includes("ui-token"));
      } finally {
        ui.close();
        reader.close();
        stranger.close();
      }
    });
  } finally {
    await r.stop();
  }
});

Deno.test("a watcher receives the changes the ACS makes and those made locally", async () => {
  const r = await startedRig({
    acs: {
      sessions: [{}, {
        requests: [spv([["Device.WiFi.SSID.1.SSID", "FromACS"]])],
      }],
    },
  });
  try {
    await withLocal(r, async (path) => {
      const watch = watching(path, "ui-token", ["Device.WiFi.SSID."]);
      const writer = new LocalClient(path, "admin-token");
      try {
        await new Promise((resolve) => setTimeout(resolve, 50));
        await writer.set([{
          name: "Device.WiFi.SSID.1.SSID",
          value: "FromApp",
        }]);
        await writer.set([{
          name: "Device.Time.NTPServer1",
          value: "not.watched",
        }]);
        await r.agent.trigger([{
          eventCode: "6 CONNECTION REQUEST",
          commandKey: "",
        }]);
        await r.acs.waitForSessions(2);
        await r.agent.idle();
        await watch.until(2);
        assert.deepStrictEqual(watch.seen, [
          { name: "Device.WiFi.SSID.1.SSID", value: "FromApp" },
          { name: "Device.WiFi.SSID.1.SSID", value: "FromACS" },
        ]);
      } finally {
        await watch.close();
        writer.close();
      }
    });
  } finally {
    await r.stop();
  }
});

Deno.test("a local set reaches the ACS: active notification starts a session with 4 VALUE CHANGE, passive rides in the next Inform", async () => {
  const r = await startedRig({
    acs: {
      sessions: [{
        requests: [
          spa("Device.WiFi.SSID.1.SSID", 2),
          spa("Device.Time.NTPServer1", 1),
        ],
      }],
    },
  });
  try {
    await withLocal(r, async (path) => {
      const app = new LocalClient(path, "admin-token");
      try {
        await app.set([{
          name: "Device.Time.NTPServer1",
          value: "passive.example.net",
        }]);
        await r.agent.idle();
        assert.equal(
          r.acs.sessions.length,
          1,
          "a passive change starts no session",
        );
        await app.set([{ name: "Device.WiFi.SSID.1.SSID", value: "Active" }]);
        await r.acs.waitForSessions(2);
        await r.agent.idle();
        const inform = informOf(r.acs, 1);
        assert.ok(inform.event.some((e) => e.eventCode === "4 VALUE CHANGE"));
        const values = Object.fromEntries(
          inform.parameterList.map((p) => [p.name, p.value]),
        );
        assert.equal(values["Device.WiFi.SSID.1.SSID"], "Active");
        assert.equal(
          values["Device.Time.NTPServer1"],
          "passive.example.net",
          "the passive change rides along",
        );
      } finally {
        app.close();
      }
    });
  } finally {
    await r.stop();
  }
});

Deno.test("a local set of ManagementServer.URL sends 0 BOOTSTRAP to the new ACS", async () => {
  const next = new FixtureAcs();
  await next.start();
  const r = await startedRig();
  try {
    await withLocal(r, async (path) => {
      const installer = new LocalClient(path, "admin-token");
      try {
        await installer.set([{
          name: "Device.ManagementServer.URL",
          value: next.url,
        }]);
        await next.waitForSessions(1);
        assert.ok(next.sessions[0].events.includes("0 BOOTSTRAP"));
      } finally {
        installer.close();
      }
    });
  } finally {
    await r.stop();
    await next.stop();
  }
});

Deno.test("garbage, a 100 MB body, unknown routes and a watcher that never reads neither crash nor stall the agent", async () => {
  const r = await startedRig();
  try {
    await withLocal(r, async (path, server, logs) => {
      const http = Deno.createHttpClient({
        proxy: { transport: "unix", path },
      });
      const auth = { authorization: "Bearer admin-token" };
      try {
        const garbage = await fetch("http://127.0.0.1/v1/set", {
          method: "POST",
          headers: auth,
          body: "{not json",
          client: http,
        });
        assert.equal(garbage.status, 400);
        assert.match((await garbage.json()).error.message, /malformed JSON/);
        const huge = new ReadableStream<Uint8Array>({
          start(c) {
            const piece = new Uint8Array(1 << 20);
            for (let i = 0; i < 100; i++) c.enqueue(piece);
            c.close();
          },
        });
        const big = await fetch("http://127.0.0.1/v1/set", {
          method: "POST",
          headers: auth,
          body: huge,
          client: http,
        });
        assert.equal(big.status, 413);
        await big.body?.cancel();
        const unknown = await fetch("http://127.0.0.1/v2/nothing", {
          headers: auth,
          client: http,
        });
        assert.equal(unknown.status, 404);
        await unknown.body?.cancel();
        const wrongMethod = await fetch("http://127.0.0.1/v1/get", {
          headers: auth,
          client: http,
        });
        assert.equal(wrongMethod.status, 405);
        await wrongMethod.body?.cancel();

        // A head of a megabyte: refused by the HTTP layer, the agent unmoved.
        const bloated = await Deno.connect({ transport: "unix", path });
        await bloated.write(new TextEncoder().encode(
          `GET /v1/status HTTP/1.1\r\nhost: local\r\nx-big: ${
            "a".repeat(1 << 20)
          }\r\n\r\n`,
        )).catch(() => 0);
        const head = new Uint8Array(256);
        const n = await bloated.read(head).catch(() => null);
        assert.ok(
          n === null ||
            /^HTTP\/1\.1 4\d\d/.test(
              new TextDecoder().decode(head.subarray(0, n)),
            ),
        );
        bloated.close();

        // A watcher that opens its stream and never reads it.
        const conn = await Deno.connect({ transport: "unix", path });
        await conn.write(new TextEncoder().encode(
          "GET /v1/watch HTTP/1.1\r\nhost: local\r\nauthorization: Bearer admin-token\r\n\r\n",
        ));
        for (let i = 0; i < 50 && server.watchers === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        assert.equal(server.watchers, 1);
        const app = new LocalClient(path, "admin-token");
        const long = "x".repeat(60);
        const began = performance.now();
        // Enough events to fill the socket's buffers, bounded.
        for (let i = 0; i < 20_000 && server.watchers > 0; i++) {
          await app.set([{
            name: "Device.Time.NTPServer1",
            value: `${long}${i}`,
          }]);
        }
        assert.equal(
          server.watchers,
          0,
          "the watcher that does not read is dropped",
        );
        assert.ok(logs.some((l) => l.msg === "local watcher dropped"));
        assert.equal(
          (await app.get(["Device.Time.NTPServer1"])).length,
          1,
          "the agent still answers",
        );
        assert.ok(performance.now() - began < 30_000);
        app.close();
        conn.close();
      } finally {
        http.close();
      }
    });
  } finally {
    await r.stop();
  }
});

Deno.test("agent run serves the local interface from its config, and agent get/set/add/delete/watch use it with clear exit codes", async () => {
  const { startAgent } = await import("../_helpers/agent_process.ts");
  const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
  // As `deno task agent` runs a command: a Unix socket is network and a write to Deno.
  const runAgent = async (args: string[]) => {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-net",
        main,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code, stdout: text(stdout), stderr: text(stderr) };
  };
  const acs = new FixtureAcs();
  await acs.start();
  const dir = await Deno.makeTempDir();
  const config = {
    "state-dir": `${dir}/state`,
    "acs-url": acs.url,
    "cr-port": 0,
    "local-apps": [{
      name: "shell",
      "token-sha256": await tokenSha256("shell-token"),
      read: ["Device."],
      write: ["Device.Time.", "Device.NAT."],
    }],
  };
  await Deno.writeTextFile(`${dir}/agent.json`, JSON.stringify(config));
  await Deno.writeTextFile(`${dir}/token`, "shell-token\n");
  const agent = startAgent(["--config", `${dir}/agent.json`], [
    `--allow-net=127.0.0.1,unix:${dir}/state/local.sock`,
  ]);
  try {
    await agent.waitFor((l) => l.msg === "local interface listening", 20_000);
    const socket = `${dir}/state/local.sock`;
    assert.equal((Deno.statSync(socket).mode! & 0o777).toString(8), "600");
    const common = [
      "--config",
      `${dir}/agent.json`,
      "--token-file",
      `${dir}/token`,
    ];
    const set = await runAgent([
      "set",
      ...common,
      "Device.Time.NTPServer1=ntp.cli.example",
    ]);
    assert.equal(set.code, 0, set.stderr);
    const get = await runAgent(["get", ...common, "Device.Time.NTPServer1"]);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /Device\.Time\.NTPServer1 = ntp\.cli\.example/);
    const add = await runAgent(["add", ...common, "Device.NAT.PortMapping."]);
    assert.equal(add.code, 0, add.stderr);
    const created = add.stdout.trim();
    assert.match(created, /^Device\.NAT\.PortMapping\.\d+\.$/);
    assert.equal((await runAgent(["delete", ...common, created])).code, 0);
    const refused = await runAgent([
      "set",
      ...common,
      "Device.WiFi.SSID.1.SSID=x",
    ]);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /shell may not write Device\.WiFi\.SSID\.1\.SSID \(fault 9001\)/,
    );
    const badValue = await runAgent([
      "set",
      ...common,
      "Device.Time.Enable=maybe:boolean",
    ]);
    assert.equal(badValue.code, 2);
    assert.match(
      badValue.stderr,
      /Device\.Time\.Enable: Invalid parameter type: "maybe" is not a boolean \(9006\)/,
    );
    // agent watch prints changes as they come, until it is stopped.
    const watch = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-net",
        main,
        "watch",
        ...common,
        "Device.Time.",
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const lines = watch.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let printed = "";
    let pending = lines.read();
    for (let i = 0; i < 100 && !printed.includes("watched.example"); i++) {
      await runAgent([
        "set",
        ...common,
        `Device.Time.NTPServer2=watched.example${i}`,
      ]);
      const next = await Promise.race([
        pending,
        new Promise<undefined>((resolve) =>
          setTimeout(() => resolve(undefined), 200)
        ),
      ]);
      if (next) {
        printed += next.value ?? "";
        pending = lines.read();
      }
    }
    assert.match(printed, /Device\.Time\.NTPServer2 = watched\.example\d+/);
    watch.kill("SIGTERM");
    await lines.cancel().catch(() => {});
    await watch.status;
    const usage = await runAgent(["get", "--socket", socket]);
    assert.equal(usage.code, 1);
    const unreachable = await runAgent([
      "get",
      "--socket",
      `${dir}/nothing.sock`,
      "--token",
      "x",
      "Device.",
    ]);
    assert.equal(unreachable.code, 3);
  } finally {
    await agent.stop();
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("inform asks for a session with a vendor event, other events are refused; status shows the agent's queue", async () => {
  const r = await startedRig();
  try {
    await withLocal(r, async (path) => {
      const app = new LocalClient(path, "admin-token");
      try {
        await app.inform("X 00D09E ButtonPressed");
        await r.acs.waitForSessions(2);
        await r.agent.idle();
        assert.deepStrictEqual(
          informOf(r.acs, 1).event.map((e) => e.eventCode),
          ["X 00D09E ButtonPressed"],
        );
        const refused = await fault(app.inform("1 BOOT"));
        assert.equal(refused.status, 400);
        assert.equal(refused.code, 9003);
        const status = await app.status();
        assert.equal(status.sessions, 2);
        assert.equal(typeof status.retryCount, "number");
      } finally {
        app.close();
      }
    });
  } finally {
    await r.stop();
  }
});

Deno.test("a watcher sees a password change as the data model shows it: empty", async () => {
  const r = await startedRig();
  try {
    await withLocal(r, async (path) => {
      const watch = watching(path, "admin-token", ["Device.ManagementServer."]);
      const writer = new LocalClient(path, "admin-token");
      try {
        await new Promise((resolve) => setTimeout(resolve, 50));
        await writer.set([{
          name: "Device.ManagementServer.ConnectionRequestPassword",
          value: "s3cret-cr",
        }]);
        await watch.until(1);
        assert.deepStrictEqual(watch.seen, [{
          name: "Device.ManagementServer.ConnectionRequestPassword",
          value: "",
        }]);
      } finally {
        await watch.close();
        writer.close();
      }
    });
  } finally {
    await r.stop();
  }
});
