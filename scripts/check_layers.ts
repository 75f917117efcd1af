/**
 * The layer check: every folder of `src/` has a layer, and a file may import
 * only its own layer or those below it, with no import cycle between
 * folders. Part of `deno task check`.
 *
 * ```
 * deno run --allow-read scripts/check_layers.ts [SRC_DIR]
 * ```
 *
 * Prints one line per problem, naming the file, the import and both layers,
 * and exits 1 when there is any.
 *
 * @module
 */

/**
 * The layers, bottom first; folders in one entry are on the same floor and
 * may import each other as long as no cycle forms. The README's Layout
 * section shows the same table.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["cwmp", "tls"],
  ["state"],
  ["datamodel"],
  ["device"],
  ["management"],
  ["rpc"],
  ["transport"],
  ["session"],
  ["connreq", "nat", "transfer", "local"],
  ["agent"],
  ["config"],
  ["acs", "codegen", "sandbox"],
  ["cli"],
];

/** One problem the check found. */
export interface LayerProblem {
  readonly kind: "upward" | "cycle" | "unlayered";
  readonly message: string;
}

/** One import of one file: the folder of each side and the specifier. */
interface FolderImport {
  readonly file: string;
  readonly specifier: string;
  readonly from: string;
  readonly to: string;
}

/**
 * The relative import specifiers of a module's source: static imports and
 * re-exports, side-effect imports and dynamic imports of a string literal.
 * Comments are removed first, so the imports in a JSDoc example do not
 * count.
 *
 * @example
 * ```ts
 * import { importSpecifiers } from "./check_layers.ts";
 * console.log(importSpecifiers('// import "./no.ts"\nimport { a } from "../x/a.ts";'));
 * // ["../x/a.ts"]
 * ```
 */
export function importSpecifiers(source: string): string[] {
  const code = stripComments(source);
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^;'"`]*?\bfrom\s*(["'])([^"']+)\1/g,
    /\bimport\s*(["'])([^"']+)\1/g,
    /\bimport\s*\(\s*(["'])([^"']+)\1\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[2]);
  }
  return [...new Set(found)].filter((s) => s.startsWith("."));
}

/** The source without comments; strings and template literals are kept as they are. */
function stripComments(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      i = end < 0 ? source.length : end;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < source.length && source[j] !== c) {
        j += source[j] === "\\" ? 2 : 1;
      }
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** `a/b/../c.ts` → `a/c.ts`. */
function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "." && part !== "") parts.push(part);
  }
  return parts.join("/");
}

/**
 * Checks a tree: `files` maps paths relative to `src/` (e.g.
 * `rpc/context.ts`) to their source.
 *
 * @example
 * ```ts
 * import { checkLayers } from "./check_layers.ts";
 * const problems = checkLayers(new Map([
 *   ["cwmp/a.ts", 'import { b } from "../cli/b.ts";'],
 *   ["cli/b.ts", "export const b = 1;"],
 * ]));
 * console.log(problems[0].kind); // "upward"
 * ```
 */
export function checkLayers(
  files: ReadonlyMap<string, string>,
  layers: readonly (readonly string[])[] = LAYERS,
): LayerProblem[] {
  const level = new Map<string, number>();
  layers.forEach((floor, i) => floor.forEach((f) => level.set(f, i)));
  const describe = (folder: string) =>
    `"${folder}" (layer ${(level.get(folder) ?? -1) + 1})`;
  const problems: LayerProblem[] = [];
  const unlayered = new Set<string>();
  const imports: FolderImport[] = [];
  for (const [file, source] of [...files].sort(([a], [b]) => a < b ? -1 : 1)) {
    const from = file.split("/")[0];
    if (!file.includes("/")) continue;
    if (!level.has(from)) unlayered.add(from);
    const dir = file.split("/").slice(0, -1).join("/");
    for (const specifier of importSpecifiers(source)) {
      const target = normalize(`${dir}/${specifier}`);
      if (target.startsWith("..") || !target.includes("/")) continue;
      const to = target.split("/")[0];
      if (to === from) continue;
      imports.push({ file, specifier, from, to });
    }
  }
  for (const folder of [...unlayered].sort()) {
    problems.push({
      kind: "unlayered",
      message:
        `src/${folder}/ has no layer: add it to LAYERS in scripts/check_layers.ts and to the README's Layout table`,
    });
  }
  for (const i of imports) {
    const a = level.get(i.from);
    const b = level.get(i.to);
    if (a === undefined || b === undefined) continue;
    if (b > a) {
      problems.push({
        kind: "upward",
        message: `src/${i.file} imports ${i.specifier}: ${
          describe(i.from)
        } may not import ${describe(i.to)}, which is above it`,
      });
    }
  }
  problems.push(...folderCycles(imports));
  return problems;
}

/** Cycles in the folder graph, each named once with an import per edge. */
function folderCycles(imports: readonly FolderImport[]): LayerProblem[] {
  const edges = new Map<string, Map<string, FolderImport>>();
  for (const i of imports) {
    const out = edges.get(i.from) ?? new Map<string, FolderImport>();
    if (!out.has(i.to)) out.set(i.to, i);
    edges.set(i.from, out);
  }
  const problems: LayerProblem[] = [];
  const seen = new Set<string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (folder: string) => {
    seen.add(folder);
    stack.push(folder);
    for (const [next] of edges.get(folder) ?? []) {
      if (stack.includes(next)) {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const via = cycle.slice(0, -1).map((f, k) => {
          const edge = edges.get(f)!.get(cycle[k + 1])!;
          return `src/${edge.file} → ${edge.specifier}`;
        });
        problems.push({
          kind: "cycle",
          message: `import cycle between folders ${cycle.join(" → ")} (${
            via.join("; ")
          })`,
        });
      } else if (!seen.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    done.add(folder);
  };
  for (const folder of [...edges.keys()].sort()) {
    if (!done.has(folder)) visit(folder);
  }
  return problems;
}

/** Reads every `.ts` file under `root`, keyed by its path relative to it. */
export async function readTree(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: string, prefix: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      const key = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(path, key);
      else if (entry.isFile && entry.name.endsWith(".ts")) {
        files.set(key, await Deno.readTextFile(path));
      }
    }
  };
  await walk(root, "");
  return files;
}

if (import.meta.main) {
  const root = Deno.args[0] ??
    new URL("../src", import.meta.url).pathname;
  const problems = checkLayers(await readTree(root));
  for (const problem of problems) console.error(problem.message);
  if (problems.length > 0) {
    console.error(`${problems.length} layer problem(s)`);
    Deno.exit(1);
  }
  console.log(
    `layers: ${LAYERS.map((floor) => floor.join(" · ")).join(" → ")}: clean`,
  );
}
