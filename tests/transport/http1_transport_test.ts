/** HTTP/1.1 on a socket of its own (file transfers), against real servers. */
import assert from "node:assert/strict";
import { Http1Transport } from "../../src/transport/http1_transport.ts";
import { TransportError } from "../../src/transport/transport_error.ts";

async function serve(
  handler: (request: Request) => Response | Promise<Response>,
  fn: (base: string) => Promise<void>,
): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => resolve(port),
  }, handler);
  try {
    await fn(`http://127.0.0.1:${await promise}`);
  } finally {
    await server.shutdown();
  }
}

async function bytesOf(
  body: AsyncIterable<Uint8Array> | null,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of body ?? []) parts.push(chunk.slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const get = (url: string, more: { idleTimeoutMs?: number } = {}) => ({
  method: "GET" as const,
  url: new URL(url),
  headers: new Headers({ "x-probe": "1" }),
  body: "",
  timeoutMs: 5000,
  ...more,
});

Deno.test("a chunked body, a Content-Length body and a 204 arrive as sent", async () => {
  const pieces = Array.from(
    { length: 50 },
    (_, i) => new Uint8Array(10_000 + i).fill(i),
  );
  const whole = await bytesOf((async function* () {
    yield* pieces;
  })());
  await serve((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/chunked") {
      let i = 0;
      return new Response(
        new ReadableStream({
          pull(c) {
            if (i < pieces.length) c.enqueue(pieces[i++]);
            else c.close();
          },
        }),
      );
    }
    if (path === "/empty") return new Response(null, { status: 204 });
    return new Response(whole as Uint8Array<ArrayBuffer>, {
      headers: { "x-seen": request.headers.get("x-probe") ?? "" },
    });
  }, async (base) => {
    const transport = new Http1Transport();
    try {
      const chunked = await transport.send(get(`${base}/chunked`));
      assert.equal(chunked.status, 200);
      assert.match(chunked.headers.get("transfer-encoding") ?? "", /chunked/);
      assert.deepStrictEqual(await bytesOf(chunked.body), whole);
      const plain = await transport.send(get(`${base}/plain`));
      assert.equal(plain.headers.get("x-seen"), "1");
      assert.deepStrictEqual(await bytesOf(plain.body), whole);
      const empty = await transport.send(get(`${base}/empty`));
      assert.equal(empty.status, 204);
      assert.equal((await bytesOf(empty.body)).byteLength, 0);
    } finally {
      transport.close();
    }
  });
});

Deno.test("a PUT sends a byte stream and a plain stream whole, with Content-Length", async () => {
  const data = crypto.getRandomValues(new Uint8Array(60_000));
  const got: { length: string | null; bytes: Uint8Array }[] = [];
  await serve(async (request) => {
    got.push({
      length: request.headers.get("content-length"),
      bytes: new Uint8Array(await request.arrayBuffer()),
    });
    return new Response(null, { status: 201 });
  }, async (base) => {
    const transport = new Http1Transport();
    try {
      let reported = 0;
      const byteStream = new Blob([data as Uint8Array<ArrayBuffer>]).stream();
      const plainStream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(data.subarray(0, 1000));
          c.enqueue(data.subarray(1000));
          c.close();
        },
      });
      for (const stream of [byteStream, plainStream]) {
        const reply = await transport.send({
          method: "PUT",
          url: new URL(`${base}/up`),
          headers: new Headers(),
          body: { stream, size: data.byteLength, onBytes: (n) => reported = n },
          timeoutMs: 5000,
        });
        assert.equal(reply.status, 201);
        await reply.discard();
      }
      assert.equal(reported, data.byteLength);
      for (const g of got) {
        assert.equal(g.length, String(data.byteLength));
        assert.deepStrictEqual(g.bytes, data);
      }
    } finally {
      transport.close();
    }
  });
});

Deno.test("a refused connection is a network error, a stalled body a timeout naming the stall", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const transport = new Http1Transport();
  await assert.rejects(
    transport.send({
      ...get(`http://127.0.0.1:${port}/x`),
      peer: "the file server",
    }),
    (e) =>
      e instanceof TransportError && e.kind === "network" &&
      /file server/.test(e.message),
  );
  const { promise: never, resolve: release } = Promise.withResolvers<void>();
  await serve(() =>
    new Response(
      new ReadableStream({
        async pull(c) {
          c.enqueue(new Uint8Array(10));
          await never;
        },
      }),
      { headers: { "content-length": "100" } },
    ), async (base) => {
    const reply = await transport.send(
      get(`${base}/stall`, { idleTimeoutMs: 200 }),
    );
    await assert.rejects(
      bytesOf(reply.body),
      (e) =>
        e instanceof TransportError && e.kind === "timeout" &&
        /stalled/.test(e.message),
    );
    release();
  });
  transport.close();
});
