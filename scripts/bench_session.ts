/**
 * Session benchmarks (issue #4 goals): start → first Inform on the wire
 * (≤ 150 ms), connection request → Inform POST (≤ 20 ms on loopback), a full
 * session with a GetParameterValues of 10,000 parameters (≤ 150 ms), idle
 * RSS after a session (≤ 45 MB); the first Inform and the GPV session over
 * https too. Each figure is the median of several runs.
 *
 * Usage: deno run --allow-read --allow-write --allow-net=127.0.0.1 --allow-run --allow-env scripts/bench_session.ts
 */
import { FixtureAcs } from "../src/acs/fixture.ts";
import { CwmpAgent } from "../src/agent/cwmp_agent.ts";
import { DEFAULT_SNAPSHOT } from "../src/cli/device_option.ts";
import { MemoryStateStore } from "../src/state/store.ts";
import { SimulatedDevice } from "../src/device/simulated.ts";
import { parseSnapshot } from "../src/device/snapshot.ts";
import { createRpcContext } from "../src/rpc/context.ts";
import { syntheticSnapshot } from "./synthetic_snapshot.ts";

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** An agent on a simulated device, pointed at `acs`, with a hook on the first POST. */
const DEFAULT = parseSnapshot(
  await Deno.readTextFile(DEFAULT_SNAPSHOT),
  DEFAULT_SNAPSHOT,
);

const CERTS = new URL("../certs/", import.meta.url);
const pem = (name: string) => Deno.readTextFileSync(new URL(name, CERTS));
/** The fixture ACS's TLS settings for the https rows (the test PKI). */
const TLS = {
  cert: pem("acs-server.chain.pem"),
  key: pem("acs-server.key"),
};

async function agentFor(acs: FixtureAcs, snapshot = DEFAULT) {
  const device = SimulatedDevice.fromSnapshot(snapshot, {
    store: new MemoryStateStore(),
  });
  const context = await createRpcContext(device, {
    defaults: {
      URL: acs.url,
      ConnectionRequestUsername: "acs",
      ConnectionRequestPassword: "x",
      PeriodicInformEnable: "false",
    },
  });
  return new CwmpAgent({
    context,
    connectionRequest: { port: 0, rateLimit: 1000 },
    notificationPollMs: 0,
    // https with a named CA: node:tls, as a standard or strict build runs.
    client: { caCerts: [pem("root-ca.crt")] },
  });
}

async function firstInform(tls?: typeof TLS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const acs = new FixtureAcs(tls ? { tls } : {});
    await acs.start();
    const agent = await agentFor(acs);
    const start = performance.now();
    await agent.start();
    await acs.waitForSessions(1);
    // The ACS records the Inform when its request arrives; the first record's time is on the wire.
    times.push(acs.firstMessageAt! - start);
    await agent.idle();
    await agent.stop();
    await acs.stop();
  }
  return median(times);
}

/** `agent run` as a subprocess with the task's permissions. */
function spawnAgentRun(dir: string, acsUrl: string): Deno.ChildProcess {
  const main = new URL("../src/cli/main.ts", import.meta.url).pathname;
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-net=127.0.0.1",
      "--allow-sys=hostname,networkInterfaces",
      main,
      "run",
      "--state-dir",
      dir,
      "--acs-url",
      acsUrl,
      "--cr-port",
      "0",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function processStartToInform(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const acs = new FixtureAcs();
    await acs.start();
    const dir = await Deno.makeTempDir();
    const start = performance.now();
    const child = spawnAgentRun(dir, acs.url);
    while (acs.sessions.length === 0) {
      await new Promise((r) => setTimeout(r, 1));
    }
    times.push(performance.now() - start);
    child.kill("SIGTERM");
    await child.status;
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
  return median(times);
}

async function connectionRequestToInform(): Promise<number> {
  const acs = new FixtureAcs();
  await acs.start();
  const agent = await agentFor(acs);
  await agent.start();
  await acs.waitForSessions(1);
  await agent.idle();
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const before = acs.sessions.length;
    const start = performance.now();
    const request = FixtureAcs.connectionRequest(
      agent.connectionRequestUrl!,
      "acs",
      "x",
    );
    while (acs.sessions.length === before) {
      await new Promise((r) => setTimeout(r, 0));
    }
    times.push(performance.now() - start);
    await request;
    await acs.waitForSessions(before + 1);
    await agent.idle();
  }
  await agent.stop();
  await acs.stop();
  return median(times);
}

async function gpvSession(tls?: typeof TLS): Promise<number> {
  const request = {
    kind: "request" as const,
    method: "GetParameterValues" as const,
    args: { parameterNames: ["Device."] },
  };
  // The fixture records the 1.3 MiB response raw: the figure is the CPE's, not the fixture's parser.
  const acs = new FixtureAcs({
    defaultScript: { requests: [request] },
    maxDecodeBytes: 65536,
    ...(tls ? { tls } : {}),
  });
  await acs.start();
  const durations: number[] = [];
  const agent = await agentFor(acs, syntheticSnapshot(10_000));
  await agent.start();
  await acs.waitForSessions(1);
  await agent.idle();
  for (let i = 0; i < 9; i++) {
    let duration = 0;
    const done = new Promise<void>((resolve) => {
      const before = acs.sessions.filter((s) => s.ended).length;
      const t = performance.now();
      void acs.waitForSessions(before + 1).then(() => {
        duration = performance.now() - t;
        resolve();
      });
    });
    await agent.trigger([{
      eventCode: "6 CONNECTION REQUEST",
      commandKey: "",
    }]);
    await done;
    await agent.idle();
    durations.push(duration);
  }
  await agent.stop();
  await acs.stop();
  return median(durations);
}

async function idleRss(): Promise<number> {
  // The agent alone, as `agent run` runs it; the fixture ACS stays in this process.
  const acs = new FixtureAcs({
    sessions: [{
      requests: [{
        kind: "request",
        method: "GetParameterValues",
        args: { parameterNames: ["Device."] },
      }],
    }],
  });
  await acs.start();
  const dir = await Deno.makeTempDir();
  const child = spawnAgentRun(dir, acs.url);
  await acs.waitForSessions(1);
  await new Promise((r) => setTimeout(r, 2000));
  const ps = await new Deno.Command("ps", {
    args: ["-o", "rss=", "-p", String(child.pid)],
    stdout: "piped",
  }).output();
  child.kill("SIGTERM");
  await child.status;
  await acs.stop();
  await Deno.remove(dir, { recursive: true });
  return Number(new TextDecoder().decode(ps.stdout).trim()) / 1024;
}

const rows: [string, string, () => Promise<number>, string][] = [
  [
    "start → first Inform on the wire (in process)",
    "≤ 150 ms",
    firstInform,
    "ms",
  ],
  [
    "start → first Inform over https (node:tls, handshake included)",
    "—",
    () => firstInform(TLS),
    "ms",
  ],
  [
    "process start → first Inform (deno run agent run)",
    "—",
    processStartToInform,
    "ms",
  ],
  [
    "connection request → Inform POST",
    "≤ 20 ms",
    connectionRequestToInform,
    "ms",
  ],
  [
    "full session with GetParameterValues of 10,000 parameters",
    "≤ 150 ms",
    () => gpvSession(),
    "ms",
  ],
  [
    "the same session over https (node:tls)",
    "—",
    () => gpvSession(TLS),
    "ms",
  ],
  ["idle RSS after a session", "≤ 45 MB", idleRss, "MB"],
];
for (const [what, goal, measure, unit] of rows) {
  console.log(
    `${what.padEnd(60)} ${goal.padEnd(9)} ${
      (await measure()).toFixed(1)
    } ${unit}`,
  );
}
