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

/**
 * A raw HTTP/1.1 server on a free port: it answers one request with a
 * Content-Length head, then calls `send` to write the body its own way.
 */
async function rawServer(
  length: number,
  send: (conn: Deno.Conn) => Promise<void>,
  fn: (base: string) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const served = (async () => {
    const conn = await listener.accept();
    try {
      await conn.read(new Uint8Array(4096));
      await conn.write(
        new TextEncoder().encode(
          `HTTP/1.1 200 OK\r\ncontent-length: ${length}\r\nconnection: close\r\n\r\n`,
        ),
      );
      await send(conn);
    } finally {
      conn.close();
    }
  })();
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    await served;
    listener.close();
  }
}

Deno.test("a body sent in many small writes comes out in large chunks, whole and in order", async () => {
  const body = new Uint8Array(2 << 20);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 12)) & 0xff;
  await rawServer(body.length, async (conn) => {
    for (let at = 0; at < body.length; at += 16_384) {
      const piece = body.subarray(at, at + 16_384);
      for (let done = 0; done < piece.length;) {
        done += await conn.write(piece.subarray(done));
      }
    }
  }, async (base) => {
    const transport = new Http1Transport();
    try {
      const reply = await transport.send(get(`${base}/big`));
      const sizes: number[] = [];
      const parts: Uint8Array[] = [];
      for await (const chunk of reply.body!) {
        sizes.push(chunk.byteLength);
        parts.push(chunk.slice());
      }
      const got = new Uint8Array(body.length);
      let at = 0;
      for (const p of parts) {
        got.set(p, at);
        at += p.byteLength;
      }
      assert.equal(at, body.length);
      assert.deepStrictEqual(got, body);
      // Reads of what the socket holds are gathered: a chunk per 16 KiB
      // write would be 128 of them.
      assert.ok(
        Math.max(...sizes) > 64 * 1024,
        `chunks of ${Math.max(...sizes)} bytes at most`,
      );
      assert.ok(sizes.length < 128, `${sizes.length} chunks`);
    } finally {
      transport.close();
    }
  });
});

Deno.test("a slow server's bytes are handed on as they come, not held to fill a chunk", async () => {
  const { promise: firstSeen, resolve: seeFirst } = Promise.withResolvers<
    void
  >();
  await rawServer(20, async (conn) => {
    await conn.write(new Uint8Array(10).fill(1));
    // The rest only once the client has the first half: a transport that
    // waited to gather more would never hand it on, and the test time out.
    await firstSeen;
    await conn.write(new Uint8Array(10).fill(2));
  }, async (base) => {
    const transport = new Http1Transport();
    try {
      const reply = await transport.send(get(`${base}/slow`));
      const chunks: number[][] = [];
      for await (const chunk of reply.body!) {
        chunks.push([...chunk]);
        if (chunks.length === 1) seeFirst();
      }
      assert.deepStrictEqual(chunks, [
        new Array(10).fill(1),
        new Array(10).fill(2),
      ]);
    } finally {
      transport.close();
    }
  });
});

Deno.test("a malformed Content-Length fails the body naming it; the same count repeated is that count", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const values = ["-1", "1e3", "10, 12", "ten", "10, 10"];
  const served = (async () => {
    for (const value of values) {
      const conn = await listener.accept();
      await conn.read(new Uint8Array(4096));
      await conn.write(
        new TextEncoder().encode(
          `HTTP/1.1 200 OK\r\ncontent-length: ${value}\r\n\r\n0123456789`,
        ),
      );
      conn.close();
    }
  })();
  const transport = new Http1Transport();
  try {
    for (const value of values) {
      const reply = await transport.send(get(`http://127.0.0.1:${port}/x`));
      if (value === "10, 10") {
        assert.equal((await bytesOf(reply.body)).byteLength, 10);
        continue;
      }
      await assert.rejects(
        bytesOf(reply.body),
        (e) =>
          e instanceof TransportError && e.kind === "http" &&
          e.message.includes(
            `malformed Content-Length (${JSON.stringify(value)})`,
          ),
        value,
      );
    }
  } finally {
    transport.close();
    await served;
    listener.close();
  }
});
