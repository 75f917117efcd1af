/**
 * The agent as users meet it (issue #13): `agent run` as a real process,
 * over loopback, asked what an ACS really asks.
 *
 * - A GenieACS-style refresh: GetParameterNames of the root, then one
 *   GetParameterValues naming every parameter it listed, on a
 *   10,000-parameter tree loaded from genieacs-sim's CSV form; the
 *   GetParameterValues round trip as the ACS sees it, and the agent's RSS
 *   after the session and at its peak.
 * - Idle RSS after a session with an https ACS, a named CA and a client
 *   certificate (the strict profile's way of running), with V8's defaults
 *   and with the CPE V8 flags.
 * - Process start to the first Inform; loading a 12,000-row CSV snapshot.
 *
 * Each figure is printed beside its goal. Usage:
 * deno run --allow-read --allow-write --allow-net=127.0.0.1 --allow-run --allow-env scripts/bench_agent.ts [refresh] [refresh50k] [idle] [start] [csv]
 * (no part named: all of them).
 *
 * @module
 */
import { decodeCpeMessage } from "../src/cwmp/decode.ts";
import { encodeAcsMessage } from "../src/cwmp/encode.ts";
import type { AcsRequest } from "../src/cwmp/messages.ts";
import { CPE_V8_FLAGS } from "../src/sandbox/permissions.ts";
import { memoryMb } from "./process_memory.ts";
import { syntheticSnapshot, toSimCsv } from "./synthetic_snapshot.ts";
import {
  type AgentProcess,
  startAgent,
} from "../tests/_helpers/agent_process.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const CERTS = `${ROOT}certs/`;
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `agent run` with the benchmark's flags, V8's defaults or the CPE flags. */
function agentRun(args: string[], v8: "default" | "cpe"): AgentProcess {
  return startAgent(
    [
      "--cr-port",
      "0",
      "--cr-username",
      "acs",
      "--cr-password",
      "cr",
      ...args,
    ],
    ["--allow-net=127.0.0.1"],
    [
      ...(v8 === "cpe" ? [CPE_V8_FLAGS] : []),
      // To profile the agent under a benchmark, e.g.
      // BENCH_AGENT_FLAGS=--v8-flags=--prof,--logfile=/tmp/agent.log
      ...(Deno.env.get("BENCH_AGENT_FLAGS")?.split(" ").filter(Boolean) ?? []),
    ],
  );
}

/**
 * An ACS that refreshes the device the way GenieACS does: GetParameterNames
 * of the root, then GetParameterValues of every parameter it listed. It
 * times the GetParameterValues from sending it to having the whole answer.
 */
function refreshingAcs(
  options: {
    tls?: { cert: string; key: string };
    /** Ask for the values by the partial path "Device." instead of by name. */
    byPath?: boolean;
  } = {},
) {
  const { tls } = options;
  const roundTrips: number[] = [];
  let failure: string | undefined;
  let sessions = 0;
  let sentAt = 0;
  let id = 0;
  const reply = (body: AcsRequest | undefined, inform = false) =>
    new Response(
      inform
        ? encodeAcsMessage({
          namespace: "1-2",
          header: { id: "1" },
          body: {
            kind: "response",
            method: "Inform",
            args: { maxEnvelopes: 1 },
          },
        })
        : body
        ? encodeAcsMessage({
          namespace: "1-2",
          header: { id: `a${++id}` },
          body,
        })
        : null,
      { status: body || inform ? 200 : 204 },
    );
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    ...(tls ?? {}),
  }, async (request) => {
    const text = await request.text();
    // The round trip ends when the whole answer is here, before this ACS
    // decodes it (its own decoder's time is not the agent's).
    const arrivedAt = performance.now();
    if (text === "") {
      return reply({
        kind: "request",
        method: "GetParameterNames",
        args: { parameterPath: "Device.", nextLevel: false },
      });
    }
    const message = decodeCpeMessage(text, { limits: { maxBytes: 64e6 } });
    const body = message.body;
    if (body.kind === "request" && body.method === "Inform") {
      return reply(undefined, true);
    }
    if (body.kind === "response" && body.method === "GetParameterNames") {
      const names = body.args.parameterList.map((p) => p.name).filter((n) =>
        !n.endsWith(".")
      );
      const response = reply({
        kind: "request",
        method: "GetParameterValues",
        args: { parameterNames: options.byPath ? ["Device."] : names },
      });
      sentAt = performance.now();
      return response;
    }
    if (body.kind === "response" && body.method === "GetParameterValues") {
      roundTrips.push(arrivedAt - sentAt);
      sessions++;
    }
    if (body.kind === "fault") {
      failure ??=
        `the agent answered fault ${body.faultCode}: ${body.faultString}`;
    }
    return reply(undefined);
  });
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${server.addr.port}/acs`,
    roundTrips,
    get sessions() {
      if (failure) throw new Error(failure);
      return sessions;
    },
    stop: () => server.shutdown(),
  };
}

async function connectionRequest(url: string): Promise<void> {
  const { FixtureAcs } = await import("../src/acs/fixture.ts");
  const status = await FixtureAcs.connectionRequest(url, "acs", "cr");
  if (status !== 200) throw new Error(`connection request: ${status}`);
}

/** The named whole-tree refresh, five sessions; round trip, RSS after, peak RSS. */
async function namedRefresh(
  count: number,
  v8: "default" | "cpe",
  byPath = false,
) {
  const dir = await Deno.makeTempDir();
  const csv = `${dir}/tree.csv`;
  await Deno.writeTextFile(csv, toSimCsv(syntheticSnapshot(count)));
  const acs = refreshingAcs({ byPath });
  const agent = agentRun([
    "--state-dir",
    `${dir}/state`,
    "--acs-url",
    acs.url,
    "--device",
    `sim:${csv}`,
  ], v8);
  try {
    const started = await agent.waitFor(
      (l) => l.msg === "agent started",
      60_000,
    );
    for (let i = 1; i <= 5; i++) {
      if (i > 1) await connectionRequest(String(started.connectionRequestUrl));
      const deadline = Date.now() + 60_000;
      while (acs.sessions < i && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await agent.waitFor((l) =>
        l.msg === "session" &&
        agent.lines.filter((x) => x.msg === "session").length >= i
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { rss: after, peak } = await memoryMb(agent.child.pid);
    console.log(
      `  (${count} parameters; round trips of the ${acs.roundTrips.length} sessions: ${
        acs.roundTrips.map((t) => t.toFixed(0)).join(", ")
      } ms)`,
    );
    return { roundTrip: median(acs.roundTrips), after, peak };
  } finally {
    await agent.stop();
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Idle RSS after a session with an https ACS, a named CA and a client certificate. */
async function idleHttps(v8: "default" | "cpe"): Promise<number> {
  const dir = await Deno.makeTempDir();
  const acs = refreshingAcs({
    tls: {
      cert: await Deno.readTextFile(`${CERTS}acs-server.chain.pem`),
      key: await Deno.readTextFile(`${CERTS}acs-server.key`),
    },
  });
  const agent = agentRun([
    "--state-dir",
    dir,
    "--acs-url",
    acs.url,
    "--ca-file",
    `${CERTS}root-ca.crt`,
    "--cert-file",
    `${CERTS}cpe-client.chain.pem`,
    "--key-file",
    `${CERTS}cpe-client.key`,
  ], v8);
  try {
    const session = await agent.waitFor((l) => l.msg === "session", 30_000);
    if (session.outcome !== "success") {
      throw new Error(`the https session failed: ${JSON.stringify(session)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return (await memoryMb(agent.child.pid)).rss;
  } finally {
    await agent.stop();
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Process start to the first Inform on the wire. */
async function startToInform(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = await Deno.makeTempDir();
    let informAt = 0;
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async (request) => {
        await request.body?.cancel();
        informAt ||= performance.now();
        return new Response(null, { status: 500 });
      },
    );
    const start = performance.now();
    const agent = agentRun([
      "--state-dir",
      dir,
      "--acs-url",
      `http://127.0.0.1:${server.addr.port}/acs`,
    ], "default");
    const deadline = Date.now() + 30_000;
    while (!informAt && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    times.push(informAt - start);
    await agent.stop();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
  return median(times);
}

/** Loading a 12,000-row CSV in a fresh process (what the agent pays at start). */
async function csvLoad(): Promise<number> {
  const dir = await Deno.makeTempDir();
  const csv = `${dir}/tree.csv`;
  await Deno.writeTextFile(csv, toSimCsv(syntheticSnapshot(10_900)));
  const script = `${dir}/load.ts`;
  await Deno.writeTextFile(
    script,
    `import { loadSnapshot, parseSnapshot } from ${
      JSON.stringify(`${ROOT}src/device/snapshot.ts`)
    };
const text = Deno.readTextFileSync(${JSON.stringify(csv)});
const t = performance.now();
loadSnapshot(parseSnapshot(text, "tree.csv"), { lenient: true });
console.log(performance.now() - t);`,
  );
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--config", `${ROOT}deno.json`, script],
      stdout: "piped",
    }).output();
    times.push(Number(new TextDecoder().decode(stdout)));
  }
  const rows = (await Deno.readTextFile(csv)).split("\n").length - 2;
  await Deno.remove(dir, { recursive: true });
  console.log(`  (${rows} rows)`);
  return median(times);
}

const print = (what: string, goal: string, value: number, unit: string) =>
  console.log(
    `${what.padEnd(66)} ${goal.padEnd(10)} ${value.toFixed(1)} ${unit}`,
  );

/** The parts to run: all, or those named on the command line. */
const wanted = (part: string) =>
  Deno.args.length === 0 || Deno.args.includes(part);

if (wanted("refresh")) {
  const refresh10k = await namedRefresh(10_000, "default");
  print(
    "GenieACS refresh, 10,000 names: GetParameterValues round trip",
    "≤ 35 ms",
    refresh10k.roundTrip,
    "ms",
  );
  print(
    "  RSS after that session (V8 defaults)",
    "≤ 80 MB",
    refresh10k.after,
    "MB",
  );
  print(
    "  peak RSS during the sessions (V8 defaults)",
    "≤ 100 MB",
    refresh10k.peak,
    "MB",
  );
  const refresh10kCpe = await namedRefresh(10_000, "cpe");
  print(
    "  peak RSS during the sessions (CPE V8 flags)",
    "≤ 70 MB",
    refresh10kCpe.peak,
    "MB",
  );
}
if (wanted("refresh50k")) {
  // Past the 40,000 elements the CPE takes in one ACS message, so by the
  // partial path "Device." rather than by name.
  const refresh50k = await namedRefresh(50_000, "default", true);
  print(
    'whole-tree GetParameterValues of 50,000 ("Device."): round trip',
    "—",
    refresh50k.roundTrip,
    "ms",
  );
  print("  peak RSS (V8 defaults)", "≤ 150 MB", refresh50k.peak, "MB");
}
if (wanted("idle")) {
  print(
    "idle RSS after an https session, named CA, client cert (V8 defaults)",
    "≤ 45 MB",
    await idleHttps("default"),
    "MB",
  );
  print(
    "  the same with the CPE V8 flags",
    "≤ 40 MB",
    await idleHttps("cpe"),
    "MB",
  );
}
if (wanted("start")) {
  print(
    "process start → first Inform",
    "≤ 150 ms",
    await startToInform(),
    "ms",
  );
}
if (wanted("csv")) {
  print(
    "a 12,000-row CSV snapshot loads in (fresh process)",
    "≤ 100 ms",
    await csvLoad(),
    "ms",
  );
}
