import assert from "node:assert/strict";
import { syncReadStream } from "../../src/transfer/file_stream.ts";

const closed = (file: Deno.FsFile) => {
  try {
    file.readSync(new Uint8Array(1));
    return false;
  } catch (error) {
    return error instanceof Deno.errors.BadResource;
  }
};

Deno.test("a file read as a byte stream arrives whole, in reads of the offered size, and is closed at its end", async () => {
  const path = await Deno.makeTempFile();
  try {
    const bytes = new Uint8Array(700_001).map((_, i) => (i * 13) & 0xff);
    await Deno.writeFile(path, bytes);
    const file = await Deno.open(path);
    const reader = syncReadStream(file).getReader({ mode: "byob" });
    const got: number[] = [];
    let buffer = new Uint8Array(256 * 1024);
    const out = new Uint8Array(bytes.byteLength);
    let at = 0;
    for (let i = 0; i < 100; i++) {
      const { value, done } = await reader.read(buffer);
      if (done) break;
      got.push(value.byteLength);
      out.set(value, at);
      at += value.byteLength;
      buffer = new Uint8Array(value.buffer);
    }
    assert.equal(at, bytes.byteLength);
    assert.deepStrictEqual(out, bytes);
    assert.ok(got.length >= 3 && got.every((n) => n <= 256 * 1024), `${got}`);
    assert.ok(closed(file), "closed at the end");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a cancelled file stream closes its file; a default reader gets the bytes too", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, new Uint8Array(1_000_000).fill(7));
    const file = await Deno.open(path);
    const stream = syncReadStream(file);
    const reader = stream.getReader();
    const first = await reader.read();
    assert.ok(!first.done && first.value.byteLength > 0);
    assert.ok(!closed(file));
    await reader.cancel();
    assert.ok(closed(file), "closed on cancel");

    const again = await Deno.open(path);
    const text = await new Response(syncReadStream(again)).arrayBuffer();
    assert.equal(text.byteLength, 1_000_000);
    assert.ok(closed(again));
  } finally {
    await Deno.remove(path);
  }
});
