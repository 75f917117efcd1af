/**
 * File transfers as a device meets them (issue #14): `agent run` as a real
 * process (the CPE V8 flags) asked by a fixture ACS for a Download of a
 * 200 MB file and an Upload of a 50 MB one, over loopback from a local
 * file server, beside `curl` moving the same files from the same server in
 * the same run. Prints the throughput as a ratio to curl's and the agent's
 * RSS during the download against its idle RSS, each beside its goal.
 *
 * Fair to both sides: a warm-up round that is not counted; every timed
 * step starts after the files the previous one wrote are removed and the
 * disk has written back (`sync`), so no step pays for another's write-back
 * or discards; each upload goes to a new path on the server (overwriting
 * an old one costs the server a truncate); every timed step finds the
 * same memory ready for its page cache (see {@linkcode settle}); and no
 * sampler runs while the agent works: its peak RSS is the kernel's
 * high-water mark, reset before each transfer.
 *
 * The file server and the client do not share a core: on a machine with
 * two CPUs or more (and `taskset`), the bench process — the file server and
 * the fixture ACS — runs on CPU 0 and every client (the agent, curl, the
 * bare loop) on CPU 1, as a device meets a file server on another machine.
 * Sharing cores, a long-lived agent whose thread the scheduler put beside
 * the server's stays there for the whole run (runs measured 215 to 297 ms
 * for the same download), while each curl is placed afresh. With
 * `--shared-cores` nothing is pinned.
 *
 * Usage: deno run --allow-read --allow-write --allow-net=127.0.0.1 --allow-run --allow-env scripts/bench_transfer.ts [MB] [--shared-cores]
 *
 * @module
 */
import { FileServer } from "../src/acs/file_server.ts";
import { FixtureAcs } from "../src/acs/fixture.ts";
import type { AcsRequest } from "../src/cwmp/messages.ts";
import { CPE_V8_FLAGS } from "../src/sandbox/permissions.ts";
import { memoryMb, resetPeak } from "./process_memory.ts";
import { startAgent } from "../tests/_helpers/agent_process.ts";

const DOWNLOAD_MB = Number(Deno.args.find((a) => !a.startsWith("--")) ?? 200);
/** The CPU of the clients, or undefined when nothing is pinned. */
const CLIENT_CPU = await clientCpu();

/**
 * 1 once the bench process is on CPU 0, when there are two CPUs and
 * `taskset` and `--shared-cores` was not given.
 */
async function clientCpu(): Promise<number | undefined> {
  if (Deno.args.includes("--shared-cores")) return undefined;
  if (navigator.hardwareConcurrency < 2) return undefined;
  return await pin(Deno.pid, 0) ? 1 : undefined;
}

/** Puts every thread of `pid` on `cpu`; false when `taskset` cannot. */
async function pin(pid: number, cpu: number): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("taskset", {
      args: ["-a", "-p", "-c", String(cpu), String(pid)],
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

/** A client command, on the clients' CPU when there is one. */
function client(command: string, args: string[]): Deno.Command {
  return CLIENT_CPU === undefined
    ? new Deno.Command(command, {
      args,
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command("taskset", {
      args: ["-c", String(CLIENT_CPU), command, ...args],
      stdout: "piped",
      stderr: "piped",
    });
}
const UPLOAD_MB = Math.max(1, Math.round(DOWNLOAD_MB / 4));
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A file of `mb` MiB of non-repeating-looking bytes, written in 1 MiB pieces. */
async function makeFile(path: string, mb: number): Promise<void> {
  const file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  const piece = new Uint8Array(1 << 20);
  for (let i = 0; i < piece.length; i += 65536) {
    crypto.getRandomValues(piece.subarray(i, i + 65536));
  }
  for (let i = 0; i < mb; i++) {
    piece[0] = i & 0xff;
    await file.write(piece);
  }
  file.close();
}

/** curl's time (ms) for one transfer: `-o FILE` for a GET, `-T FILE` for a PUT. */
async function curl(args: string[]): Promise<number> {
  const { code, stdout, stderr } = await client("curl", [
    "-s",
    "-S",
    "-f",
    "-w",
    "%{time_total}",
    ...args,
  ]).output();
  if (code !== 0) {
    throw new Error(`curl failed: ${new TextDecoder().decode(stderr)}`);
  }
  const text = new TextDecoder().decode(stdout).trim();
  return Number(text.slice(text.lastIndexOf("\n") + 1)) * 1000;
}

/**
 * What Deno itself manages: a child with the CPE V8 flags reading the same
 * file from a plain socket straight into a 1 MiB buffer, writing it
 * synchronously each time it fills, then fsync (the agent makes a download
 * durable before it is applied; curl does not).
 */
async function bareDeno(url: string, path: string): Promise<number> {
  const code = `
    const url = new URL(${JSON.stringify(url)});
    const t = performance.now();
    const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
    await conn.write(new TextEncoder().encode("GET " + url.pathname + " HTTP/1.1\\r\\nhost: " + url.host + "\\r\\nconnection: close\\r\\n\\r\\n"));
    const out = await Deno.open(${
    JSON.stringify(path)
  }, { write: true, create: true, truncate: true });
    const buffer = new Uint8Array(1 << 20);
    let used = 0;
    const flush = () => { for (let d = 0; d < used;) d += out.writeSync(buffer.subarray(d, used)); used = 0; };
    for (;;) {
      const n = await conn.read(buffer.subarray(used));
      if (n === null) break;
      used += n;
      if (used > buffer.length - 65536) flush();
    }
    flush();
    await out.sync();
    out.close();
    console.log(performance.now() - t);`;
  return await childMs(code);
}

/** How long (ms) a child with the CPE V8 flags takes to fsync `path`. */
async function fsyncMs(path: string): Promise<number> {
  return await childMs(`
    const file = await Deno.open(${JSON.stringify(path)}, { write: true });
    const t = performance.now();
    await file.sync();
    file.close();
    console.log(performance.now() - t);`);
}

/** Runs `code` in a child with the CPE V8 flags; it prints a time in ms. */
async function childMs(code: string): Promise<number> {
  const { code: exit, stdout, stderr } = await client(Deno.execPath(), [
    "eval",
    CPE_V8_FLAGS,
    code,
  ]).output();
  if (exit !== 0) {
    throw new Error(
      `a timed child failed: ${new TextDecoder().decode(stderr)}`,
    );
  }
  return Number(new TextDecoder().decode(stdout).trim());
}

/**
 * Before a timed step: the disk writes back what earlier steps left, and
 * the page cache gets recently freed memory to take. On a virtual machine
 * the host reclaims guest memory that stays free for a few seconds (free
 * page reporting), and a write into such a page faults on the host: that
 * made a 200 MB write into the page cache take 170–400 ms instead of
 * ~30 ms, and it hit whichever step had the longest gap since the last
 * large file was removed — the agent, whose transfer starts only after an
 * ACS session, not curl. Writing and removing a file a little larger than
 * the download right before each step gives every step the same memory, as
 * a device (no host behind its RAM) always has.
 */
async function settle(dir: string): Promise<void> {
  const path = `${dir}/settle.bin`;
  const file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  const block = new Uint8Array(1 << 20);
  for (let mb = 0; mb < DOWNLOAD_MB + 64; mb++) file.writeSync(block);
  file.close();
  // Removed before any of it is written back: nothing reaches the disk.
  await Deno.remove(path);
  await new Deno.Command("sync").output();
  await new Promise((resolve) => setTimeout(resolve, 200));
}

function row(what: string, value: string, goal: string, met: boolean): void {
  console.log(
    `${what.padEnd(56)} ${value.padStart(20)}${goal ? `   goal ${goal}` : ""}${
      met ? "" : "   MISSED"
    }`,
  );
}

async function main(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-bench-transfer-" });
  const files = new FileServer({
    files: { "/big.bin": { body: { path: `${dir}/big.bin` } } },
    uploadDir: await Deno.makeTempDir({ dir, prefix: "up-" }),
    maxUploadBytes: (UPLOAD_MB + 1) << 20,
  });
  let agent: ReturnType<typeof startAgent> | undefined;
  const acs = new FixtureAcs({});
  try {
    await makeFile(`${dir}/big.bin`, DOWNLOAD_MB);
    await makeFile(`${dir}/up.bin`, UPLOAD_MB);
    await files.start();
    await acs.start();
    const download: AcsRequest = {
      kind: "request",
      method: "Download",
      args: {
        commandKey: "bench-get",
        fileType: "2 Web Content",
        url: files.url("/big.bin"),
        username: "",
        password: "",
        fileSize: DOWNLOAD_MB << 20,
        targetFileName: "",
        delaySeconds: 0,
        successUrl: "",
        failureUrl: "",
      },
    };
    const upload = (round: number): AcsRequest => ({
      kind: "request",
      method: "Upload",
      args: {
        commandKey: "bench-put",
        fileType: "X 00D09E Bench",
        url: files.url(`/up/agent-${round}.bin`),
        username: "",
        password: "",
        delaySeconds: 0,
      },
    });
    const WARMUP = 1;
    const ROUNDS = 7;
    // Session 0 is the boot; each round is a Download session, its
    // TransferComplete session, an Upload session and its TransferComplete.
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      acs.script(1 + 4 * i, { requests: [download] });
      acs.script(3 + 4 * i, { requests: [upload(i)] });
    }

    agent = startAgent([
      "--state-dir",
      `${dir}/state`,
      "--acs-url",
      acs.url,
      "--cr-port",
      "0",
      "--cr-username",
      "acs",
      "--cr-password",
      "cr",
      "--file-servers",
      "127.0.0.1",
      "--upload-files",
      `X 00D09E Bench=${dir}/up.bin`,
    ]);
    if (CLIENT_CPU !== undefined && !await pin(agent.child.pid, CLIENT_CPU)) {
      throw new Error("taskset could not move the agent to the clients' CPU");
    }
    const started = await agent.waitFor(
      (l) => l.msg === "agent started",
      30_000,
    );
    const crUrl = String(started.connectionRequestUrl);
    await acs.waitForSessions(1, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idle = await memoryMb(agent.child.pid);

    // Rounds interleave curl and the agent, so both meet the same machine.
    const curlGets: number[] = [];
    // curl's time plus an fsync of its file right after: the same work as
    // the agent's, which must make a firmware image durable before applying
    // it.
    const curlSynced: number[] = [];
    const curlPuts: number[] = [];
    const agentGets: number[] = [];
    const agentPuts: number[] = [];
    const floors: number[] = [];
    const peaks: Record<string, number> = { "bench-get": 0, "bench-put": 0 };
    let peaksReset = true;
    let seen = 0;
    const transfer = async (key: string, sessions: number): Promise<number> => {
      peaksReset &&= await resetPeak(agent!.child.pid);
      await FixtureAcs.connectionRequest(crUrl, "acs", "cr");
      const skip = seen++;
      const line = await agent!.waitFor(
        (l) =>
          l.msg === "transfer complete" && l.commandKey === key &&
          agent!.lines.filter((x) => x.msg === "transfer complete").indexOf(
              l,
            ) >= skip,
        120_000,
      );
      if (line.fault !== 0) throw new Error(`${key} failed: ${line.reason}`);
      // Its TransferComplete session ends before the next request.
      await acs.waitForSessions(sessions, 30_000);
      peaks[key] = Math.max(
        peaks[key],
        (await memoryMb(agent!.child.pid)).peak,
      );
      return Number(line.ms);
    };
    const uploaded = async (name: string) => {
      const kept = files.upload(name);
      if (typeof kept !== "string") {
        throw new Error(`the server kept no file for ${name}`);
      }
      const { size } = await Deno.stat(kept);
      await Deno.remove(kept);
      return size;
    };
    let agentSent = 0;
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const counted = i >= WARMUP;
      await settle(dir);
      const curlMs = await curl([
        "-o",
        `${dir}/curl.bin`,
        files.url("/big.bin"),
      ]);
      const syncMs = await fsyncMs(`${dir}/curl.bin`);
      await Deno.remove(`${dir}/curl.bin`);
      await settle(dir);
      // The agent removes its spooled file itself, after the completion.
      const agentGetMs = await transfer("bench-get", 3 + 4 * i);
      await settle(dir);
      const floorMs = await bareDeno(files.url("/big.bin"), `${dir}/bare.bin`);
      await Deno.remove(`${dir}/bare.bin`);
      await settle(dir);
      const curlPutMs = await curl([
        "-o",
        "/dev/null",
        "-T",
        `${dir}/up.bin`,
        files.url(`/up/curl-${i}.bin`),
      ]);
      await uploaded(`/up/curl-${i}.bin`);
      await settle(dir);
      const agentPutMs = await transfer("bench-put", 5 + 4 * i);
      agentSent = await uploaded(`/up/agent-${i}.bin`);
      if (!counted) continue;
      curlGets.push(curlMs);
      curlSynced.push(curlMs + syncMs);
      agentGets.push(agentGetMs);
      floors.push(floorMs);
      curlPuts.push(curlPutMs);
      agentPuts.push(agentPutMs);
    }
    const after = await memoryMb(agent.child.pid);
    if (agentSent !== UPLOAD_MB << 20) {
      throw new Error(`the server got ${agentSent} bytes`);
    }

    const agentGetMs = median(agentGets);
    const agentPutMs = median(agentPuts);
    // From the agent's log: start to the file whole on disk (fetch, write,
    // sync); the rest is state writes and the device's apply.
    const lines = agent.lines;
    const times = (msg: string) =>
      lines.filter((l) => l.msg === msg && l.commandKey === "bench-get")
        .map((l) => Date.parse(String(l.time)));
    const starts = times("transfer started").slice(WARMUP);
    const whole = times("applying download").slice(WARMUP);
    const fetchMs = median(starts.map((t, i) => whole[i] - t));
    const getRatio = median(curlGets) / agentGetMs;
    const putRatio = median(curlPuts) / agentPutMs;
    const floorMs = median(floors);
    const mbps = (mb: number, ms: number) =>
      `${ms.toFixed(0)} ms ${(mb / (ms / 1000)).toFixed(0)} MB/s`;
    console.log(
      `file transfers over loopback (${
        new Date().toISOString().slice(0, 10)
      }, agent with the CPE V8 flags, medians of ${ROUNDS} interleaved rounds after ${WARMUP} not counted, ${
        CLIENT_CPU === undefined
          ? "server and clients sharing the cores"
          : `server on CPU 0, clients on CPU ${CLIENT_CPU}`
      })`,
    );
    const rows: [string, string, string?, boolean?][] = [
      [
        `download ${DOWNLOAD_MB} MB: agent (fetched, synced, applied)`,
        mbps(DOWNLOAD_MB, agentGetMs),
      ],
      [
        `  of which fetched, written and synced (agent log)`,
        `${fetchMs} ms`,
      ],
      [
        `download ${DOWNLOAD_MB} MB: curl -o FILE`,
        mbps(DOWNLOAD_MB, median(curlGets)),
      ],
      [
        `download ${DOWNLOAD_MB} MB: curl -o FILE, then fsync FILE`,
        mbps(DOWNLOAD_MB, median(curlSynced)),
      ],
      [
        `download ${DOWNLOAD_MB} MB: bare Deno socket loop + fsync`,
        mbps(DOWNLOAD_MB, floorMs),
      ],
      [
        "download throughput, agent / curl",
        getRatio.toFixed(2),
        "≥ 0.8",
        getRatio >= 0.8,
      ],
      [
        "download throughput, agent / (curl + fsync)",
        (median(curlSynced) / agentGetMs).toFixed(2),
      ],
      [
        "download throughput, agent / bare Deno loop",
        (floorMs / agentGetMs).toFixed(2),
      ],
      ["RSS idle before the transfers", `${idle.rss.toFixed(1)} MB`],
      [
        `RSS during the downloads (peak${peaksReset ? "" : " since start"})`,
        `${peaks["bench-get"].toFixed(1)} MB`,
        `< idle + 16 = ${(idle.rss + 16).toFixed(1)} MB`,
        peaks["bench-get"] < idle.rss + 16,
      ],
      [
        `RSS during the uploads (peak${peaksReset ? "" : " since start"})`,
        `${peaks["bench-put"].toFixed(1)} MB`,
        `< idle + 16 = ${(idle.rss + 16).toFixed(1)} MB`,
        peaks["bench-put"] < idle.rss + 16,
      ],
      [
        "RSS after the transfers, idle again",
        `${after.rss.toFixed(1)} MB`,
      ],
      [`upload ${UPLOAD_MB} MB: agent`, mbps(UPLOAD_MB, agentPutMs)],
      [
        `upload ${UPLOAD_MB} MB: curl -T FILE`,
        mbps(UPLOAD_MB, median(curlPuts)),
      ],
      [
        "upload throughput, agent / curl",
        putRatio.toFixed(2),
        "≥ 0.8",
        putRatio >= 0.8,
      ],
    ];
    for (const [what, value, goal, met] of rows) {
      row(what, value, goal ?? "", met ?? true);
    }
  } finally {
    await agent?.stop();
    await acs.stop();
    await files.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
