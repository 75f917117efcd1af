/** The connection-request listener over real sockets. */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { startConnectionRequestServer } from "../../src/connreq/server.ts";
import { RefusalLog } from "../../src/connreq/refusals.ts";
import {
  digestAuthorization,
  parseDigestChallenge,
  randomNonce,
} from "../../src/transport/digest.ts";

async function listener(
  options: {
    rateLimit?: number;
    rateIntervalMs?: number;
    now?: () => number;
  } = {},
) {
  let requests = 0;
  const server = await startConnectionRequestServer({
    port: 0,
    credentials: () => ({ username: "acs", password: "cr-secret" }),
    onRequest: () => requests++,
    ...options,
  });
  return { server, count: () => requests };
}

Deno.test("a valid Digest connection request is answered 200 with no body and triggers at once", async () => {
  const { server, count } = await listener();
  try {
    const start = performance.now();
    assert.equal(
      await FixtureAcs.connectionRequest(server.url, "acs", "cr-secret"),
      200,
    );
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(count(), 1);
    assert.ok(performance.now() - start < 1000);
    // Query strings are ignored but covered by the Digest uri.
    assert.equal(
      await FixtureAcs.connectionRequest(
        server.url + "?ts=1&id=2",
        "acs",
        "cr-secret",
      ),
      200,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("wrong credentials, a wrong path or another method get no session", async () => {
  const { server, count } = await listener();
  try {
    assert.equal(
      await FixtureAcs.connectionRequest(server.url, "acs", "wrong"),
      401,
    );
    assert.equal(
      await FixtureAcs.connectionRequest(server.url, "intruder", "cr-secret"),
      401,
    );
    const wrongPath = new URL(server.url);
    wrongPath.pathname = "/guess";
    const r1 = await fetch(wrongPath);
    await r1.body?.cancel();
    assert.equal(r1.status, 404);
    const r2 = await fetch(server.url, { method: "POST", body: "x" });
    await r2.body?.cancel();
    assert.equal(r2.status, 405);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(count(), 0);
  } finally {
    await server.stop();
  }
});

Deno.test("a replayed Authorization header is refused", async () => {
  const { server, count } = await listener();
  try {
    const authorization = await authorizationFor(server.url);
    const ok = await fetch(server.url, { headers: { authorization } });
    await ok.body?.cancel();
    const replay = await fetch(server.url, { headers: { authorization } });
    await replay.body?.cancel();
    assert.deepStrictEqual([ok.status, replay.status], [200, 401]);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(count(), 1);
  } finally {
    await server.stop();
  }
});

Deno.test("a burst of 1,000 requests is rate-limited with 503 and the listener stays healthy", async () => {
  // A clock that does not move: the bucket never refills during the flood.
  const t0 = Date.now();
  const { server, count } = await listener({ now: () => t0 });
  try {
    const statuses: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      statuses.push(
        ...await Promise.all(
          Array.from(
            { length: 100 },
            () => FixtureAcs.connectionRequest(server.url, "acs", "cr-secret"),
          ),
        ),
      );
    }
    assert.equal(statuses.length, 1000);
    assert.equal(statuses.filter((s) => s === 200).length, 10);
    assert.equal(statuses.filter((s) => s === 503).length, 990);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(count(), 10);
  } finally {
    await server.stop();
  }
});

Deno.test("a slow-loris client does not block a valid request", async () => {
  const { server, count } = await listener();
  const url = new URL(server.url);
  const slow: Deno.TcpConn[] = [];
  try {
    for (let i = 0; i < 20; i++) {
      const conn = await Deno.connect({
        hostname: url.hostname,
        port: Number(url.port),
      });
      await conn.write(
        new TextEncoder().encode(
          `GET ${url.pathname} HTTP/1.1\r\nHost: x\r\nX-Slow: `,
        ),
      );
      slow.push(conn);
    }
    const start = performance.now();
    assert.equal(
      await FixtureAcs.connectionRequest(server.url, "acs", "cr-secret"),
      200,
    );
    assert.ok(performance.now() - start < 1000);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(count(), 1);
  } finally {
    for (const conn of slow) conn.close();
    await server.stop();
  }
});

Deno.test("connection requests over HTTPS, optionally requiring the ACS's client certificate", async () => {
  const certs = new URL("../../certs/", import.meta.url).pathname;
  const pem = (name: string) => Deno.readTextFileSync(certs + name);
  let requests = 0;
  const plain = await startConnectionRequestServer({
    port: 0,
    tls: { cert: pem("acs-server.chain.pem"), key: pem("acs-server.key") },
    credentials: () => ({ username: "acs", password: "cr-secret" }),
    onRequest: () => requests++,
  });
  const mutual = await startConnectionRequestServer({
    port: 0,
    tls: {
      cert: pem("acs-server.chain.pem"),
      key: pem("acs-server.key"),
      clientCa: [pem("root-ca.crt")],
    },
    credentials: () => ({ username: "acs", password: "cr-secret" }),
    onRequest: () => requests++,
  });
  const trusting = Deno.createHttpClient({ caCerts: [pem("root-ca.crt")] });
  const withCert = Deno.createHttpClient({
    caCerts: [pem("root-ca.crt")],
    cert: pem("cpe-client.chain.pem"),
    key: pem("cpe-client.key"),
  });
  try {
    assert.match(plain.url, /^https:\/\/127\.0\.0\.1:\d+\//);
    assert.equal(
      await FixtureAcs.connectionRequest(
        plain.url,
        "acs",
        "cr-secret",
        trusting,
      ),
      200,
    );
    assert.equal(
      await FixtureAcs.connectionRequest(plain.url, "acs", "wrong", trusting),
      401,
    );
    // Without a client certificate: refused in the handshake, or with 403
    // when the client resumes a TLS session (this client just talked to the
    // other listener), but never a session.
    const refused = await FixtureAcs.connectionRequest(
      mutual.url,
      "acs",
      "cr-secret",
      trusting,
    ).catch(() => "rejected");
    assert.ok(refused === "rejected" || refused === 403, `got ${refused}`);
    assert.equal(
      await FixtureAcs.connectionRequest(
        mutual.url,
        "acs",
        "cr-secret",
        withCert,
      ),
      200,
    );
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(requests, 2);
  } finally {
    trusting.close();
    withCert.close();
    await plain.stop();
    await mutual.stop();
  }
});

Deno.test("an operator clicking through tasks gets a burst of 10, then one every 3 s; a 503 says when to come back", async () => {
  let t = Date.now();
  const { server, count } = await listener({ now: () => t });
  try {
    const one = () =>
      FixtureAcs.connectionRequest(server.url, "acs", "cr-secret");
    const first: number[] = [];
    for (let i = 0; i < 10; i++) first.push(await one());
    assert.deepStrictEqual(first, Array(10).fill(200));
    const refused = await fetchWithDigest(server.url);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "3");
    t += 2_000;
    assert.equal(await one(), 503, "not yet");
    t += 1_000;
    assert.equal(await one(), 200, "one more after 3 s");
    t += 30_000;
    const refilled: number[] = [];
    for (let i = 0; i < 11; i++) refilled.push(await one());
    assert.deepStrictEqual(
      refilled,
      [...Array(10).fill(200), 503],
      "refills to the burst, no more",
    );
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(count(), 21);
  } finally {
    await server.stop();
  }
});

Deno.test("the limit is configurable: burst and interval", async () => {
  let t = Date.now();
  const { server } = await listener({
    rateLimit: 2,
    rateIntervalMs: 500,
    now: () => t,
  });
  try {
    const one = () =>
      FixtureAcs.connectionRequest(server.url, "acs", "cr-secret");
    assert.deepStrictEqual([await one(), await one(), await one()], [
      200,
      200,
      503,
    ]);
    t += 500;
    assert.deepStrictEqual([await one(), await one()], [200, 503]);
  } finally {
    await server.stop();
  }
});

/** The Authorization header answering the listener's fresh challenge. */
async function authorizationFor(url: string): Promise<string> {
  const first = await fetch(url);
  await first.body?.cancel();
  const challenge = parseDigestChallenge(
    first.headers.get("www-authenticate"),
  )!;
  return digestAuthorization({
    challenge,
    username: "acs",
    password: "cr-secret",
    method: "GET",
    uri: new URL(url).pathname,
    cnonce: randomNonce(),
    nc: 1,
  });
}

/** A Digest-authenticated GET, returning the whole response. */
async function fetchWithDigest(url: string): Promise<Response> {
  const authorization = await authorizationFor(url);
  const response = await fetch(url, { headers: { authorization } });
  await response.body?.cancel();
  return response;
}

Deno.test("idle sockets are closed after the request timeout and past the connection cap, over HTTP and HTTPS", async () => {
  const certs = new URL("../../certs/", import.meta.url).pathname;
  const pem = (name: string) => Deno.readTextFileSync(certs + name);
  const trusting = Deno.createHttpClient({ caCerts: [pem("root-ca.crt")] });
  for (
    const tls of [undefined, {
      cert: pem("acs-server.chain.pem"),
      key: pem("acs-server.key"),
    }]
  ) {
    const refusals = new RefusalLog();
    const server = await startConnectionRequestServer({
      port: 0,
      ...(tls ? { tls } : {}),
      credentials: () => ({ username: "acs", password: "cr-secret" }),
      onRequest: () => {},
      maxConnections: 20,
      requestTimeoutMs: 600,
      refusals,
    });
    const { port } = new URL(server.url);
    const idle: Deno.TcpConn[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        idle.push(await Deno.connect({ hostname: "127.0.0.1", port: +port }));
      }
      // Let the listener accept them all.
      const settled = Date.now() + 2000;
      while (
        (refusals.totals().evicted ?? 0) < 30 && Date.now() < settled
      ) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(refusals.totals().evicted, 30, tls ? "https" : "http");
      assert.ok(server.connections <= 20);
      assert.equal(
        await FixtureAcs.connectionRequest(
          server.url,
          "acs",
          "cr-secret",
          tls ? trusting : undefined,
        ),
        200,
      );
      // The rest time out: each read sees the connection closed.
      const closed = await Promise.all(idle.map(async (conn) => {
        try {
          return await conn.read(new Uint8Array(16)) === null;
        } catch {
          return true;
        }
      }));
      assert.ok(closed.every(Boolean));
      // The valid request's own connections took the place of idle ones too.
      const { evicted = 0, timeout = 0 } = refusals.totals();
      assert.equal(evicted + timeout, 50, tls ? "https" : "http");
      assert.ok(timeout > 0);
      assert.equal(server.connections, 0);
    } finally {
      for (const conn of idle) {
        try {
          conn.close();
        } catch {
          // Closed.
        }
      }
      await server.stop();
    }
  }
  trusting.close();
});
