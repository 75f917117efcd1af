/**
 * The UDP Connection Request port against a real STUN server on loopback:
 * Binding exchanges (retransmitted, challenged, refused) and UDP
 * Connection Requests, accepted once, refused and counted otherwise.
 */
import { until } from "../_helpers/until.ts";
import assert from "node:assert/strict";
import { StunServer } from "../../src/acs/stun_server.ts";
import { UdpEndpoint } from "../../src/nat/udp_endpoint.ts";

const CR = { username: "acs", password: "cr-secret" };
const FAST = [20, 40, 80];

async function withStun(
  server: StunServer,
  fn: (endpoint: UdpEndpoint, requests: { count: number }) => Promise<void>,
): Promise<void> {
  await server.start();
  const requests = { count: 0 };
  const endpoint = UdpEndpoint.start({
    hostname: "127.0.0.1",
    port: 0,
    credentials: () => CR,
    onRequest: () => requests.count++,
    retransmitMs: FAST,
  });
  try {
    await fn(endpoint, requests);
  } finally {
    await endpoint.stop();
    await server.stop();
  }
}

Deno.test("a Binding exchange from the CR port returns the mapping the server saw, with the TR-111 attribute", async () => {
  const server = new StunServer();
  await withStun(server, async (endpoint) => {
    const target = { hostname: "127.0.0.1", port: server.port };
    const result = await endpoint.bind(target);
    assert.deepStrictEqual(result, {
      ok: true,
      mapped: {
        family: "IPv4",
        address: "127.0.0.1",
        port: endpoint.local.port,
      },
    });
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].connectionRequestBinding, true);
    assert.equal(server.requests[0].bindingChange, false);
    assert.equal(
      server.requests[0].from.port,
      endpoint.local.port,
      "sent from the CR port",
    );
    await endpoint.bind(target, { bindingChange: true });
    assert.equal(server.requests[1].bindingChange, true);
  });
});

Deno.test("dropped requests are sent again; a server that never answers ends in a reason, not a hang", async () => {
  const server = new StunServer({ drop: 2 });
  await withStun(server, async (endpoint) => {
    const target = { hostname: "127.0.0.1", port: server.port };
    const result = await endpoint.bind(target);
    assert.equal(result.ok, true);
    assert.deepStrictEqual(server.requests.map((r) => r.answer), [
      "dropped",
      "dropped",
      "mapped",
    ]);
  });
  const silent = new StunServer({ drop: 100 });
  await withStun(silent, async (endpoint) => {
    const began = Date.now();
    const result = await endpoint.bind({
      hostname: "127.0.0.1",
      port: silent.port,
    });
    assert.deepStrictEqual(result, {
      ok: false,
      reason: `no answer from the STUN server 127.0.0.1:${silent.port}`,
    });
    assert.equal(silent.requests.length, FAST.length);
    assert.ok(Date.now() - began < 1000);
    // A server the socket cannot send to (port 0) is a reason too.
    const unsendable = await endpoint.bind({ hostname: "127.0.0.1", port: 0 });
    assert.equal(unsendable.ok, false);
    assert.match(
      (unsendable as { reason: string }).reason,
      /^cannot send to the STUN server 127\.0\.0\.1:0: /,
    );
  });
});

Deno.test("a server that asks for credentials gets USERNAME and MESSAGE-INTEGRITY; wrong ones end in its 431", async () => {
  const stunCredentials = { username: "cpe-1", password: "stun-pw" };
  const server = new StunServer({ credentials: stunCredentials });
  await withStun(server, async (endpoint) => {
    const target = {
      hostname: "127.0.0.1",
      port: server.port,
      credentials: stunCredentials,
    };
    const result = await endpoint.bind(target);
    assert.equal(result.ok, true);
    assert.deepStrictEqual(
      server.requests.map((r) => [r.answer, r.username, r.integrityOk]),
      [["401", undefined, undefined], ["mapped", "cpe-1", true]],
    );
    const wrong = await endpoint.bind({
      ...target,
      credentials: { username: "cpe-1", password: "not-it" },
    });
    assert.deepStrictEqual(wrong, {
      ok: false,
      reason: "the STUN server answered 431 Integrity Check Failure",
    });
    // Without STUNUsername the 401 is the answer: no integrity is sent.
    const none = await endpoint.bind({
      hostname: "127.0.0.1",
      port: server.port,
    });
    assert.deepStrictEqual(none, {
      ok: false,
      reason: "the STUN server answered 401 Unauthorized",
    });
  });
});

Deno.test("a UDP Connection Request sent three times starts one session; its copies are dropped quietly, replays, forgeries and garbage are counted", async () => {
  const server = new StunServer();
  await withStun(server, async (endpoint, requests) => {
    const to = endpoint.local;
    await server.sendConnectionRequest(to, CR, { ts: 1000, id: 1 });
    await until(() => endpoint.retransmissions === 2);
    assert.equal(requests.count, 1);
    assert.deepStrictEqual(endpoint.refusals(), {}, "copies are no refusal");
    // The same id again later: a copy; an older timestamp: a replay.
    await server.sendConnectionRequest(to, CR, { ts: 1000, id: 1, times: 1 });
    await server.sendConnectionRequest(to, CR, { ts: 999, id: 2, times: 1 });
    // A wrong password and a wrong username.
    await server.sendConnectionRequest(to, { ...CR, password: "guess" }, {
      times: 1,
    });
    await server.sendConnectionRequest(to, { ...CR, username: "root" }, {
      times: 1,
    });
    // Not a request at all.
    const probe = Deno.listenDatagram({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 0,
    });
    await probe.send(new TextEncoder().encode("hello"), {
      transport: "udp",
      ...to,
    });
    await probe.send(new Uint8Array(4000), { transport: "udp", ...to });
    probe.close();
    await until(() => (endpoint.refusals().malformed ?? 0) === 2);
    assert.deepStrictEqual(endpoint.refusals(), {
      replayed: 1,
      "bad-credentials": 2,
      malformed: 2,
    });
    assert.equal(endpoint.retransmissions, 3);
    assert.equal(requests.count, 1);
    // A new request is served, and the port still answers STUN.
    await server.sendConnectionRequest(to, CR, { ts: 1001, id: 3, times: 1 });
    await until(() => requests.count === 2);
    assert.equal(
      (await endpoint.bind({ hostname: "127.0.0.1", port: server.port })).ok,
      true,
    );
  });
});

Deno.test("past the burst, valid requests are rate-limited", async () => {
  const server = new StunServer();
  await server.start();
  let count = 0;
  const endpoint = UdpEndpoint.start({
    hostname: "127.0.0.1",
    port: 0,
    credentials: () => CR,
    onRequest: () => count++,
    rateLimit: 2,
    rateIntervalMs: 60_000,
  });
  try {
    for (let id = 1; id <= 5; id++) {
      await server.sendConnectionRequest(endpoint.local, CR, {
        ts: 5000,
        id,
        times: 1,
      });
    }
    await until(() => (endpoint.refusals()["rate-limited"] ?? 0) === 3);
    assert.equal(count, 2);
  } finally {
    await endpoint.stop();
    await server.stop();
  }
});

Deno.test("a throwing session callback is logged and the port goes on serving", async () => {
  const server = new StunServer();
  await server.start();
  const lines: string[] = [];
  let calls = 0;
  const endpoint = UdpEndpoint.start({
    hostname: "127.0.0.1",
    port: 0,
    credentials: () => CR,
    onRequest: () => {
      calls++;
      throw new Error("the agent is stopping");
    },
    log: (msg, details) => lines.push(`${msg}: ${details.reason ?? ""}`),
  });
  try {
    await server.sendConnectionRequest(endpoint.local, CR, {
      ts: 1,
      id: 1,
      times: 1,
    });
    await until(() =>
      lines.some((l) => l.startsWith("UDP datagram not handled"))
    );
    await server.sendConnectionRequest(endpoint.local, CR, {
      ts: 2,
      id: 2,
      times: 1,
    });
    await until(() => calls === 2);
    assert.ok(
      lines.includes("UDP datagram not handled: the agent is stopping"),
    );
    assert.equal(
      (await endpoint.bind({ hostname: "127.0.0.1", port: server.port })).ok,
      true,
    );
  } finally {
    await endpoint.stop();
    await server.stop();
  }
});

Deno.test("closing the port ends a Binding exchange in flight at once, not after its retransmissions", async () => {
  const silent = new StunServer({ drop: 100 });
  await silent.start();
  const endpoint = UdpEndpoint.start({
    hostname: "127.0.0.1",
    port: 0,
    credentials: () => CR,
    onRequest: () => {},
    retransmitMs: [5000, 5000],
  });
  try {
    const bound = endpoint.bind({ hostname: "127.0.0.1", port: silent.port });
    await until(() => silent.requests.length === 1);
    const began = Date.now();
    await endpoint.stop();
    const result = await bound;
    assert.equal(result.ok, false);
    assert.ok(Date.now() - began < 1000, `${Date.now() - began} ms`);
  } finally {
    await silent.stop();
  }
});
