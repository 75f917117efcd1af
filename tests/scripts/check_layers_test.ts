/** The layer checker: it catches an upward import and a cycle, and passes the real tree. */
import assert from "node:assert/strict";
import {
  checkLayers,
  importSpecifiers,
  LAYERS,
  readTree,
} from "../../scripts/check_layers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const LAYERED = [["low"], ["mid_a", "mid_b"], ["high"]];

Deno.test("an import of a higher layer is named with the file, the import and both layers", () => {
  const problems = checkLayers(
    new Map([
      ["low/a.ts", 'import { h } from "../high/h.ts";\nexport const a = h;'],
      ["high/h.ts", 'import { a } from "../low/b.ts";\nexport const h = 1;'],
      ["low/b.ts", "export const a = 1;"],
    ]),
    LAYERED,
  );
  assert.deepStrictEqual(problems.map((p) => p.kind), ["upward", "cycle"]);
  assert.equal(
    problems[0].message,
    'src/low/a.ts imports ../high/h.ts: "low" (layer 1) may not import "high" (layer 3), which is above it',
  );
});

Deno.test("folders on one floor may import each other, but not in a cycle", () => {
  const ok = checkLayers(
    new Map([
      ["mid_a/x.ts", 'export { y } from "../mid_b/y.ts";'],
      [
        "mid_b/y.ts",
        'import type { l } from "../low/l.ts";\nexport const y = 1;',
      ],
      ["low/l.ts", "export type l = 1;"],
    ]),
    LAYERED,
  );
  assert.deepStrictEqual(ok, []);
  const cycle = checkLayers(
    new Map([
      ["mid_a/x.ts", 'export { y } from "../mid_b/y.ts";'],
      ["mid_b/y.ts", 'import "../mid_a/z.ts";'],
      ["mid_a/z.ts", "export {};"],
    ]),
    LAYERED,
  );
  assert.equal(cycle.length, 1);
  assert.equal(cycle[0].kind, "cycle");
  assert.match(
    cycle[0].message,
    /^import cycle between folders mid_a → mid_b → mid_a \(src\/mid_a\/x\.ts → \.\.\/mid_b\/y\.ts; src\/mid_b\/y\.ts → \.\.\/mid_a\/z\.ts\)$/,
  );
});

Deno.test("a folder without a layer is a problem; imports in comments and strings that are not imports do not count", () => {
  const problems = checkLayers(
    new Map([
      ["stray/s.ts", "export const s = 1;"],
      [
        "low/a.ts",
        [
          "/**",
          " * @example",
          " * ```ts",
          ' * import { h } from "../high/h.ts";',
          " * ```",
          " */",
          '// import "../high/h.ts";',
          'const text = "from \\"../high/h.ts\\"";',
          'export const u = new URL("../high/h.ts", import.meta.url);',
        ].join("\n"),
      ],
    ]),
    LAYERED,
  );
  assert.deepStrictEqual(problems.map((p) => p.kind), ["unlayered"]);
  assert.match(problems[0].message, /src\/stray\/ has no layer/);
  assert.deepStrictEqual(
    importSpecifiers(
      'import a from "./a.ts";\nimport type { B } from "../b/b.ts";\nexport * from "./c.ts";\nimport "./d.ts";\nawait import("../e/e.ts");\nimport x from "npm:zod";',
    ).sort(),
    ["../b/b.ts", "../e/e.ts", "./a.ts", "./c.ts", "./d.ts"],
  );
});

Deno.test("the real tree is clean, and every folder of src/ has a layer", async () => {
  const files = await readTree(`${ROOT}src`);
  assert.deepStrictEqual(checkLayers(files), []);
  const layered = new Set(LAYERS.flat());
  for await (const entry of Deno.readDir(`${ROOT}src`)) {
    if (entry.isDirectory) assert.ok(layered.has(entry.name), entry.name);
  }
});

Deno.test("the script fails on a tree with an upward import, naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/cwmp`);
    await Deno.mkdir(`${dir}/cli`);
    await Deno.writeTextFile(
      `${dir}/cwmp/codec.ts`,
      'import { main } from "../cli/main.ts";\nexport const x = main;',
    );
    await Deno.writeTextFile(`${dir}/cli/main.ts`, "export const main = 1;");
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", `${ROOT}scripts/check_layers.ts`, dir],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 1);
    assert.match(
      new TextDecoder().decode(stderr),
      /src\/cwmp\/codec\.ts imports \.\.\/cli\/main\.ts: "cwmp" \(layer 1\) may not import "cli" \(layer 13\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
