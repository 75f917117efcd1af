/**
 * Peak RSS of a GetParameterValues through handler and codec (issue #3 goal:
 * ≤ 100 MB for 10,000 and 50,000 parameters). Each size runs in its own
 * child process, which reads its peak resident set (VmHWM) from
 * /proc/self/status after five rounds. Deno only lets a process read
 * /proc/self with every permission, so the child (this script, nothing else)
 * runs with --allow-all.
 *
 * It measures twice: with V8's defaults, and with the flags a memory-tight
 * CPE would run with (CPE_V8_FLAGS). It reports a missed goal rather than
 * failing, so `deno task bench` still prints every figure.
 *
 * Usage: deno run --allow-read --allow-run scripts/bench_rpc_memory.ts
 */
import {
  type AcsRequest,
  createRpcContext,
  decodeAcsMessage,
  encodeAcsMessage,
  encodeCpeMessage,
  handleRequest,
  MemoryStateStore,
  SimulatedDevice,
} from "../mod.ts";
import { syntheticSnapshot } from "./synthetic_snapshot.ts";

const GOAL_MB = 100;

function kib(field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
    Deno.readTextFileSync("/proc/self/status"),
  );
  return match ? Number(match[1]) : NaN;
}

async function child(count: number): Promise<void> {
  const context = await createRpcContext(
    SimulatedDevice.fromSnapshot(syntheticSnapshot(count), {
      store: new MemoryStateStore(),
    }),
  );
  const loaded = kib("VmRSS");
  const xml = encodeAcsMessage({
    namespace: "1-2",
    body: {
      kind: "request",
      method: "GetParameterValues",
      args: { parameterNames: ["Device."] },
    },
  });
  let bytes = 0;
  const start = performance.now();
  for (let i = 0; i < 5; i++) {
    const request = decodeAcsMessage(xml);
    const { body } = await handleRequest(request.body as AcsRequest, context);
    bytes = encodeCpeMessage({ namespace: "1-2", body }).length;
  }
  console.log(
    JSON.stringify({
      loadedKiB: loaded,
      peakKiB: kib("VmHWM"),
      bytes,
      ms: (performance.now() - start) / 5,
    }),
  );
}

/** V8 settings for a memory-constrained CPE: small young generation, capped heap. */
const CPE_V8_FLAGS =
  "--v8-flags=--max-semi-space-size=1,--max-old-space-size=64";

if (Deno.args[0] === "--child") {
  await child(Number(Deno.args[1]));
} else {
  for (const flags of [[], [CPE_V8_FLAGS]]) {
    for (const count of [10_000, 50_000]) {
      const { stdout, success } = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          ...flags,
          import.meta.filename!,
          "--child",
          String(count),
        ],
        stdout: "piped",
      }).output();
      if (!success) throw new Error(`child for ${count} failed`);
      const r = JSON.parse(new TextDecoder().decode(stdout));
      const peak = r.peakKiB / 1024;
      console.log(
        `GetParameterValues of ${count} parameters (${
          (r.bytes / 1024 / 1024).toFixed(1)
        } MiB response)` +
          `${flags.length ? ", CPE V8 flags" : ", default V8 flags"}: ${
            r.ms.toFixed(0)
          } ms per round, ` +
          `RSS after loading ${(r.loadedKiB / 1024).toFixed(0)} MB, peak RSS ${
            peak.toFixed(0)
          } MB ` +
          `(goal ≤ ${GOAL_MB} MB: ${peak <= GOAL_MB ? "met" : "MISSED"})`,
      );
    }
  }
}
