import assert from "node:assert/strict";
import { FileStateStore, MemoryStateStore } from "../../mod.ts";

Deno.test("FileStateStore reads back what it wrote, and undefined for missing keys", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FileStateStore(`${dir}/nested/state`);
    assert.equal(await store.read("missing"), undefined);
    await store.write("doc", { a: [1, "é", null] });
    assert.deepStrictEqual(await store.read("doc"), { a: [1, "é", null] });
    await store.write("doc", "replaced");
    assert.equal(
      await new FileStateStore(`${dir}/nested/state`).read("doc"),
      "replaced",
    );
    const mode = (await Deno.stat(`${dir}/nested/state/doc.json`)).mode! &
      0o777;
    assert.equal(mode, 0o600, "state files are private to the agent");
    await assert.rejects(() => store.write("../escape", 1), TypeError);
    await assert.rejects(() => store.read("Bad Key"), TypeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a corrupt state file is reported, not silently replaced", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/doc.json`, "{ not json");
    await assert.rejects(
      () => new FileStateStore(dir).read("doc"),
      /not valid JSON/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MemoryStateStore copies documents in and out", async () => {
  const store = new MemoryStateStore();
  const doc = { list: [1] };
  await store.write("k", doc);
  doc.list.push(2);
  const read = await store.read("k") as { list: number[] };
  assert.deepStrictEqual(read, { list: [1] });
});

Deno.test("kill -9 during writes never leaves a torn or missing document", async () => {
  const dir = await Deno.makeTempDir();
  const writer = new URL("./_store_writer.ts", import.meta.url).pathname;
  try {
    let last = 0;
    for (let round = 0; round < 5; round++) {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          `--allow-read=${dir}`,
          `--allow-write=${dir}`,
          writer,
          dir,
        ],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const reader = child.stdout.getReader();
      await reader.read(); // "ready": at least one write completed
      await new Promise((resolve) =>
        setTimeout(resolve, 20 + Math.random() * 80)
      );
      child.kill("SIGKILL");
      await child.status;
      reader.releaseLock();
      await child.stdout.cancel().catch(() => {});
      const doc = await new FileStateStore(dir).read("doc") as {
        counter: number;
        payload: string;
        check: number;
      };
      assert.ok(doc, `round ${round}: document missing`);
      assert.equal(doc.check, doc.counter * 7, `round ${round}: torn document`);
      assert.equal(doc.payload.length, 200_000);
      assert.ok(doc.counter >= 1);
      last = doc.counter;
    }
    assert.ok(last >= 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
