/**
 * Generator benchmarks (issue #6): generating full TR-181 (goal ≤ 5 s) — XML
 * parsing, selection, the definitions module and every stub — and the
 * start-up of the simulated device built from the generated table.
 *
 * Usage: deno run --allow-read scripts/bench_codegen.ts [BBF_DIR]
 */
import { readDataModel } from "../src/codegen/bbf_xml.ts";
import { definitionsModule, generateStubs } from "../src/codegen/generate.ts";
import { selectModel } from "../src/codegen/select.ts";
import { MemoryStateStore } from "../src/state/store.ts";
import { SimulatedDevice } from "../src/device/simulated.ts";
import { createRpcContext } from "../src/rpc/context.ts";

const bbf = Deno.args[0] ??
  new URL("../../shared/bbf", import.meta.url).pathname;
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const generate: number[] = [];
let bytes = 0;
for (let i = 0; i < 5; i++) {
  const start = performance.now();
  const selected = selectModel(
    await readDataModel(`${bbf}/models/tr-181-2-19-1-cwmp-full.xml`),
  );
  const module = definitionsModule(selected, "../mod.ts");
  const stubs = generateStubs(selected, new Map(), "../mod.ts");
  generate.push(performance.now() - start);
  bytes = module.length + stubs.files.reduce((n, f) => n + f.text.length, 0);
}

const startup: number[] = [];
const load = performance.now();
const { definitions } = await import("../src/device/models/tr181.ts");
const importMs = performance.now() - load;
for (let i = 0; i < 5; i++) {
  const start = performance.now();
  const device = await SimulatedDevice.fromDefinitions(definitions, {
    store: new MemoryStateStore(),
  });
  const context = await createRpcContext(device);
  await context.model.view().names("Device.", false);
  startup.push(performance.now() - start);
}

console.log(
  `generate full TR-181 (definitions + ${
    Math.round(bytes / 1024 / 1024 * 10) / 10
  } MiB of stubs), goal ≤ 5 s: ${median(generate).toFixed(0)} ms`,
);
console.log(
  `simulated device from the generated table: import ${
    importMs.toFixed(0)
  } ms, start-up + first full GetParameterNames ${
    median(startup).toFixed(0)
  } ms`,
);
