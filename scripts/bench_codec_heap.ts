/**
 * The codec's memory goal: decode a SetParameterValues of 5,000 parameters
 * inside a 128 MB V8 heap. `deno bench` cannot run under such a heap (its own
 * harness needs about 160 MB on Deno 2.9.6), so this script measures in child
 * processes started with `--v8-flags=--max-old-space-size=N`: it decodes under
 * the 128 MB goal, then finds the smallest heap in which the decode still
 * succeeds. It exits non-zero when the decode does not fit in 128 MB.
 *
 * Usage: deno run --allow-read --allow-run scripts/bench_codec_heap.ts [PARAMETERS]
 */
import { decodeAcsMessage, encodeAcsMessage } from "../mod.ts";

const GOAL_MB = 128;
const ROUNDS = 20;

function message(count: number): string {
  return encodeAcsMessage({
    namespace: "1-2",
    header: { id: "bench" },
    body: {
      kind: "request",
      method: "SetParameterValues",
      args: {
        parameterList: Array.from({ length: count }, (_, i) => ({
          name: `Device.Bench.Object.${(i % 97) + 1}.Parameter${i}`,
          value: i % 5 === 0 ? `value <${i}> & "more" é` : String(i),
          type: i % 2 ? "unsignedInt" : "string",
        })),
        parameterKey: "k",
      },
    },
  });
}

/** Child mode: decode ROUNDS times and print the median time in ms. */
function probe(count: number): void {
  const xml = message(count);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    const decoded = decodeAcsMessage(xml);
    times.push(performance.now() - start);
    if (decoded.body.kind !== "request") throw new Error("decode failed");
  }
  times.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bytes: xml.length,
      median: times[ROUNDS >> 1],
      max: times[ROUNDS - 1],
    }),
  );
}

async function runProbe(count: number, heapMb: number) {
  const { success, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `--v8-flags=--max-old-space-size=${heapMb}`,
      import.meta.filename!,
      "--probe",
      String(count),
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  return success
    ? JSON.parse(new TextDecoder().decode(stdout)) as {
      bytes: number;
      median: number;
      max: number;
    }
    : undefined;
}

const count = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 5_000);
if (Deno.args.includes("--probe")) {
  probe(count);
} else {
  const atGoal = await runProbe(count, GOAL_MB);
  if (!atGoal) {
    console.log(
      `decode of ${count} parameters does NOT fit in a ${GOAL_MB} MB heap`,
    );
    Deno.exit(1);
  }
  let smallest = GOAL_MB;
  for (const heap of [96, 64, 48, 32, 24, 16]) {
    if (!(await runProbe(count, heap))) break;
    smallest = heap;
  }
  console.log(
    `decode SetParameterValues, ${count} parameters (${
      (atGoal.bytes / 1024).toFixed(0)
    } KiB), ${ROUNDS} rounds in a ${GOAL_MB} MB heap:\n` +
      `  median ${atGoal.median.toFixed(1)} ms, max ${
        atGoal.max.toFixed(1)
      } ms; smallest heap that still works: ${smallest} MB`,
  );
}
