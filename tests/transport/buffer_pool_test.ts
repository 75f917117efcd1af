/**
 * Reused socket buffers: the pool's bounds, and the HTTP/1.1 transport giving
 * its buffers back without two bodies ever sharing one, against a real
 * server.
 */
import assert from "node:assert/strict";
import { BufferPool, socketBuffers } from "../../src/transport/_buffer_pool.ts";
import { Http1Transport } from "../../src/transport/http1_transport.ts";

Deno.test("the pool hands a buffer back out, keeps at most its bound and refuses strangers", () => {
  const pool = new BufferPool(1024, 2);
  const a = pool.take();
  const b = pool.take();
  const c = pool.take();
  assert.equal(a.byteLength, 1024);
  pool.give(a);
  pool.give(a);
  assert.equal(pool.free, 1, "a buffer given twice is kept once");
  pool.give(new Uint8Array(512));
  pool.give(new Uint8Array(2048).subarray(0, 1024));
  assert.equal(pool.free, 1, "only whole buffers of the pool's size");
  pool.give(b);
  pool.give(c);
  assert.equal(pool.free, 2, "never more than the bound");
  const again = pool.take();
  assert.ok(again === b || again === a || again === c);
  assert.equal(pool.free, 1);
});

/** A server whose `/n` answers 300 KB of the byte n, chunked or not. */
async function serve(fn: (base: string) => Promise<void>): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => resolve(port),
  }, async (request) => {
    const url = new URL(request.url);
    if (request.method === "PUT") {
      return new Response(String((await request.arrayBuffer()).byteLength));
    }
    const n = Number(url.pathname.slice(1));
    const body = new Uint8Array(url.searchParams.has("small") ? 100 : 300_000)
      .fill(n);
    if (url.searchParams.has("chunked")) {
      return new Response(
        new ReadableStream({
          start(c) {
            for (let at = 0; at < body.length; at += 50_000) {
              c.enqueue(body.subarray(at, at + 50_000));
            }
            c.close();
          },
        }),
      );
    }
    return new Response(body);
  });
  try {
    await fn(`http://127.0.0.1:${await promise}`);
  } finally {
    await server.shutdown();
  }
}

/** Every byte of a body, checked to be `n` chunk by chunk as it comes. */
async function countOf(
  body: AsyncIterable<Uint8Array>,
  n: number,
): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) {
    assert.ok(chunk.every((b) => b === n), `a byte of body ${n} changed`);
    bytes += chunk.byteLength;
    // Lets the other body's reads land in between.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return bytes;
}

Deno.test("response and upload buffers return to the pool, and bodies read at once never share one", async () => {
  const dir = await Deno.makeTempDir();
  await serve(async (base) => {
    const transport = new Http1Transport();
    const get = (path: string) =>
      transport.send({
        method: "GET",
        url: new URL(`${base}${path}`),
        headers: new Headers(),
        body: "",
        timeoutMs: 5000,
      });
    try {
      const first = await get("/1");
      assert.equal(await countOf(first.body!, 1), 300_000);
      assert.ok(socketBuffers.free >= 1, "a read body gives its buffer back");

      const replies = await Promise.all([get("/2"), get("/3?chunked")]);
      const counts = await Promise.all(
        replies.map((reply, i) => countOf(reply.body!, i + 2)),
      );
      assert.deepStrictEqual(counts, [300_000, 300_000]);
      assert.equal(socketBuffers.free, 2, "both buffers back, no more kept");

      // A small reply with its length (a local-interface answer)
      // gets a buffer of its own size: none of the pool's is held for it.
      const held = socketBuffers.free;
      const small = await get("/5?small");
      assert.equal(socketBuffers.free, held, "no pooled buffer for 100 bytes");
      assert.equal(await countOf(small.body!, 5), 100);
      assert.equal(socketBuffers.free, held);

      const dropped = await get("/4");
      await dropped.discard();
      assert.equal(socketBuffers.free, 2, "a discarded body gives it back");

      const path = `${dir}/up.bin`;
      await Deno.writeFile(path, new Uint8Array(700_000).fill(7));
      const before = socketBuffers.free;
      const file = await Deno.open(path);
      const put = await transport.send({
        method: "PUT",
        url: new URL(`${base}/up`),
        headers: new Headers(),
        body: { stream: file.readable, size: 700_000 },
        timeoutMs: 5000,
      });
      assert.equal(new TextDecoder().decode(await bytes(put.body!)), "700000");
      assert.equal(
        socketBuffers.free,
        before,
        "the upload's buffer and the reply's both came back",
      );
    } finally {
      transport.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
});

async function bytes(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: number[] = [];
  for await (const chunk of body) parts.push(...chunk);
  return new Uint8Array(parts);
}
