/**
 * The names `mod.ts` exports are a vendor's contract: moving code between
 * folders must not change them. `tests/fixtures/public_api.txt` lists them;
 * a deliberate change to the API updates it in the same commit.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("mod.ts exports exactly the names in tests/fixtures/public_api.txt", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", `${ROOT}mod.ts`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const doc = JSON.parse(new TextDecoder().decode(stdout)) as {
    nodes: Record<string, { symbols: { name: string }[] }>;
  };
  const names = [
    ...new Set(
      Object.values(doc.nodes).flatMap((node) =>
        node.symbols.map((s) => s.name)
      ),
    ),
  ].sort();
  const expected = (await Deno.readTextFile(
    `${ROOT}tests/fixtures/public_api.txt`,
  )).split("\n").filter(Boolean);
  const missing = expected.filter((n) => !names.includes(n));
  const added = names.filter((n) => !expected.includes(n));
  assert.deepStrictEqual({ missing, added }, { missing: [], added: [] });
  // And at run time, the values are there under those names.
  const mod = await import(`${ROOT}mod.ts`);
  for (const name of Object.keys(mod)) assert.ok(names.includes(name), name);
});
