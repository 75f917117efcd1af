/**
 * What `agent run` loads before its first connection (issue #13): no node:
 * module (each one brought the Node compatibility layer, ~20–40 ms of
 * start-up and 6–10 MB), and none of the tools — generator, fixture ACS,
 * XSD helper, other commands. Read from Deno's own module graph of the run
 * command, static imports only (a dynamic import loads when used).
 */
import assert from "node:assert/strict";

interface GraphModule {
  readonly specifier: string;
  readonly dependencies?: {
    readonly code?: { readonly specifier?: string };
    readonly isDynamic?: boolean;
  }[];
}

async function staticGraph(entry: string): Promise<Set<string>> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    roots: string[];
    modules: GraphModule[];
  };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const pending = [...info.roots];
  // Bounded by the graph's size: each module is visited once.
  while (pending.length > 0) {
    const specifier = pending.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (target && !dependency.isDynamic) pending.push(target);
    }
  }
  return seen;
}

Deno.test("agent run statically imports no node: module and none of the tools", async () => {
  const root = new URL("../../", import.meta.url);
  const graph = await staticGraph(new URL("src/cli/run.ts", root).pathname);
  const local = [...graph].filter((s) => s.startsWith(root.href)).map((s) =>
    s.slice(root.href.length)
  );
  assert.ok(local.includes("src/agent/cwmp_agent.ts"), "the graph was read");
  assert.deepStrictEqual([...graph].filter((s) => s.startsWith("node:")), []);
  assert.deepStrictEqual(
    local.filter((p) =>
      /^src\/(codegen|acs|nat)\//.test(p) || p.includes("xsd") ||
      /^src\/device\/models\//.test(p) ||
      /^src\/cli\/(decode|rpc|status|permissions|local_commands|request_download)\.ts$/
        .test(p)
    ),
    [],
  );
});
