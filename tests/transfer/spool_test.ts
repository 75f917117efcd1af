import assert from "node:assert/strict";
import { TransferSpool } from "../../src/transfer/spool.ts";
import { tmpfs, unmount } from "../_helpers/tmpfs.ts";

/** Bytes that differ from position to position, so a lost or repeated piece shows. */
function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

Deno.test("the spool writes every chunk in order, small and larger than its buffer, and renames the file only once whole", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const spool = new TransferSpool(`${dir}/transfers`);
    // Small chunks, one that overflows the 1 MiB buffer, one larger than it,
    // and enough in all to cross a 16 MiB sync.
    const chunks = [
      pattern(1000, 1),
      pattern(65_536, 2),
      pattern((1 << 20) - 500, 3),
      pattern(3 << 20, 4),
      ...Array.from({ length: 15 }, (_, i) => pattern(1 << 20, 5 + i)),
      pattern(7, 99),
    ];
    const file = await spool.receive("t1", async (write) => {
      for (const chunk of chunks) {
        await write(chunk);
        // Nothing counts as whole while it comes in.
        assert.deepStrictEqual(await spool.has("t1"), false);
      }
    });
    const expected = chunks.reduce((n, c) => n + c.byteLength, 0);
    assert.deepStrictEqual(file.bytes, expected);
    assert.deepStrictEqual(file.path, spool.pathOf("t1"));
    const written = await Deno.readFile(file.path);
    assert.deepStrictEqual(written.byteLength, expected);
    let offset = 0;
    for (const chunk of chunks) {
      assert.deepStrictEqual(
        written.subarray(offset, offset + chunk.byteLength),
        chunk,
      );
      offset += chunk.byteLength;
    }
    assert.deepStrictEqual(
      (await Deno.stat(`${dir}/transfers`)).mode! & 0o777,
      0o700,
    );
    assert.deepStrictEqual((await Deno.stat(file.path)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failing fill leaves no file behind and its error reaches the caller", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const spool = new TransferSpool(dir);
    await assert.rejects(
      () =>
        spool.receive("t2", async (write) => {
          await write(pattern(2 << 20, 1));
          throw new Error("the server went away");
        }),
      /the server went away/,
    );
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepStrictEqual(names, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("files received one after another, after a failure and two at once keep their own bytes", async () => {
  // The write buffer is kept between files: nothing of one may reach another.
  const dir = await Deno.makeTempDir();
  const fill =
    (bytes: Uint8Array) => async (write: (c: Uint8Array) => Promise<void>) => {
      for (let at = 0; at < bytes.length; at += 70_000) {
        await write(bytes.subarray(at, at + 70_000));
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    };
  try {
    const spool = new TransferSpool(dir);
    const a = pattern(1_500_000, 3);
    const b = pattern(700_000, 9);
    const c = pattern(1_200_000, 17);
    await spool.receive("a", fill(a));
    await assert.rejects(() =>
      spool.receive("x", async (write) => {
        await write(pattern(500_000, 40));
        throw new Error("cut");
      })
    );
    const [fb, fc] = await Promise.all([
      spool.receive("b", fill(b)),
      spool.receive("c", fill(c)),
    ]);
    assert.deepStrictEqual(await Deno.readFile(spool.pathOf("a")), a);
    assert.deepStrictEqual(await Deno.readFile(fb.path), b);
    assert.deepStrictEqual(await Deno.readFile(fc.path), c);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a full disk while writing fails the receive with the system's error and removes the partial file", async () => {
  const mounted = await tmpfs("2m");
  if (typeof mounted !== "string") {
    console.log(`skipped: cannot mount a tmpfs here (${mounted.skip})`);
    return;
  }
  try {
    const spool = new TransferSpool(`${mounted}/transfers`);
    await assert.rejects(
      () =>
        spool.receive("t3", async (write) => {
          for (let i = 0; i < 4; i++) await write(pattern(1 << 20, i));
        }),
      /No space left|os error 28/i,
    );
    assert.deepStrictEqual(await spool.has("t3"), false);
    const names = [];
    for await (const entry of Deno.readDir(spool.dir)) names.push(entry.name);
    assert.deepStrictEqual(names, []);
    // The space is free again: the next file fits.
    const file = await spool.receive("t4", (write) => write(pattern(1000, 7)));
    assert.deepStrictEqual(file.bytes, 1000);
  } finally {
    await unmount(mounted);
  }
});

Deno.test("clean removes partial files and whole files no transfer keeps", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const spool = new TransferSpool(dir);
    for (const name of ["a.part", "a.file", "b.file", "c.part", "notes.txt"]) {
      await Deno.writeTextFile(`${dir}/${name}`, "x");
    }
    const removed = await spool.clean(new Set(["a"]));
    assert.deepStrictEqual(removed.sort(), ["a.part", "b.file", "c.part"]);
    const left = [];
    for await (const entry of Deno.readDir(dir)) left.push(entry.name);
    assert.deepStrictEqual(left.sort(), ["a.file", "notes.txt"]);
    assert.deepStrictEqual(await spool.has("a"), true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
