/**
 * The keep-alive loop against a real STUN server playing a NAT: the mapping
 * published, a moved mapping announced with BINDING-CHANGE at once, the
 * period from the keep-alive parameters, failures said once.
 */
import { until } from "../_helpers/until.ts";
import assert from "node:assert/strict";
import { StunServer } from "../../src/acs/stun_server.ts";
import {
  authorityOf,
  keepAlivePeriodS,
  type NatMapping,
  StunKeepAlive,
} from "../../src/nat/stun_keepalive.ts";
import { UdpEndpoint } from "../../src/nat/udp_endpoint.ts";

/** Timers the test fires by hand; each remembers its delay. */
class ManualTimers {
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  #next = 1;
  setTimeout(fn: () => void, ms: number): number {
    this.pending.set(this.#next, { fn, ms });
    return this.#next++;
  }
  clearTimeout(handle: number): void {
    this.pending.delete(handle);
  }
  /** Fires the one pending timer, returning its delay. */
  fire(): number {
    assert.equal(this.pending.size, 1, "one timer at a time");
    const [[handle, timer]] = this.pending;
    this.pending.delete(handle);
    timer.fn();
    return timer.ms;
  }
}

Deno.test("the period follows the keep-alive parameters", () => {
  assert.equal(keepAlivePeriodS(0, -1), 30);
  assert.equal(keepAlivePeriodS(120, -1), 120);
  assert.equal(keepAlivePeriodS(120, 60), 60);
  assert.equal(keepAlivePeriodS(0, 0), 30);
  assert.equal(
    authorityOf({ family: "IPv4", address: "203.0.113.1", port: 9 }),
    "203.0.113.1:9",
  );
});

Deno.test("behind a NAT: the mapping is published, a moved one is announced with BINDING-CHANGE at once", async () => {
  const nat = new StunServer({
    mapping: (from) => ({
      family: "IPv4",
      address: "203.0.113.50",
      port: from.port + 1,
    }),
  });
  await nat.start();
  const endpoint = UdpEndpoint.start({
    hostname: "127.0.0.1",
    port: 0,
    credentials: () => ({ username: "acs", password: "x" }),
    onRequest: () => {},
    retransmitMs: [50, 100],
  });
  const timers = new ManualTimers();
  const published: NatMapping[] = [];
  const keepAlive = new StunKeepAlive({
    endpoint,
    target: () => ({ hostname: "127.0.0.1", port: nat.port }),
    periods: () => ({ minS: 45, maxS: -1 }),
    localAddresses: () => ["127.0.0.1"],
    onMapping: (m) => published.push(m),
    timers,
  });
  try {
    keepAlive.start();
    assert.equal(timers.fire(), 0, "the first exchange is at once");
    await until(() => published.length === 1 && timers.pending.size === 1);
    const port = endpoint.local.port;
    assert.deepStrictEqual(published[0], {
      address: `203.0.113.50:${port + 1}`,
      natDetected: true,
    });
    assert.equal(nat.requests[0].bindingChange, false);

    // The next keep-alive comes after the minimum period; nothing changed.
    assert.equal(timers.fire(), 45_000);
    await until(() => nat.requests.length === 2 && timers.pending.size === 1);
    assert.equal(published.length, 1);

    // The NAT moves the binding.
    nat.mapping = (from) => ({
      family: "IPv4",
      address: "203.0.113.51",
      port: from.port + 7,
    });
    timers.fire();
    await until(() => nat.requests.length === 4 && timers.pending.size === 1);
    assert.deepStrictEqual(published[1], {
      address: `203.0.113.51:${port + 7}`,
      natDetected: true,
    });
    assert.deepStrictEqual(
      nat.requests.map((r) => r.bindingChange),
      [false, false, false, true],
      "the request after the move carries BINDING-CHANGE",
    );
  } finally {
    await keepAlive.stop();
    await endpoint.stop();
    await nat.stop();
  }
});

Deno.test("no NAT when the server sees the port's own address; failures are logged once per reason and retried", async () => {
  const server = new StunServer();
  await server.start();
  const endpoint = UdpEndpoint.start({
    hostname: "127.0.0.1",
    port: 0,
    credentials: () => ({ username: "acs", password: "x" }),
    onRequest: () => {},
    retransmitMs: [20],
  });
  const timers = new ManualTimers();
  const published: NatMapping[] = [];
  const logs: string[] = [];
  let target: { hostname: string; port: number } | undefined;
  const keepAlive = new StunKeepAlive({
    endpoint,
    target: () => target,
    periods: () => ({ minS: 0, maxS: 20 }),
    localAddresses: () => ["127.0.0.1"],
    onMapping: (m) => published.push(m),
    log: (_level, msg, details) => logs.push(`${msg} ${details.reason ?? ""}`),
    timers,
  });
  try {
    keepAlive.start();
    timers.fire();
    await until(() => timers.pending.size === 1);
    assert.equal(timers.fire(), 20_000, "the maximum caps the period");
    await until(() => timers.pending.size === 1);
    assert.deepStrictEqual(logs, [
      "STUN binding failed no STUN server may be used",
    ]);
    target = { hostname: "127.0.0.1", port: server.port };
    timers.fire();
    await until(() => published.length === 1);
    assert.deepStrictEqual(published[0], {
      address: `127.0.0.1:${endpoint.local.port}`,
      natDetected: false,
    });
  } finally {
    await keepAlive.stop();
    await endpoint.stop();
    await server.stop();
  }
});

Deno.test("an IPv6 mapping to one of the host's own addresses is no NAT, however it is spelled", async () => {
  const server = new StunServer({
    mapping: (from) => ({
      family: "IPv6",
      address: "2001:db8:0:0:0:0:0:7",
      port: from.port,
    }),
  });
  await server.start();
  const endpoint = UdpEndpoint.start({
    hostname: "127.0.0.1",
    port: 0,
    credentials: () => ({ username: "acs", password: "x" }),
    onRequest: () => {},
    retransmitMs: [50],
  });
  const timers = new ManualTimers();
  const published: NatMapping[] = [];
  const keepAlive = new StunKeepAlive({
    endpoint,
    target: () => ({ hostname: "127.0.0.1", port: server.port }),
    periods: () => ({ minS: 30, maxS: -1 }),
    // As Deno.networkInterfaces() writes it: compressed.
    localAddresses: () => ["127.0.0.1", "2001:DB8::7"],
    onMapping: (m) => published.push(m),
    timers,
  });
  try {
    keepAlive.start();
    timers.fire();
    await until(() => published.length === 1);
    assert.deepStrictEqual(published[0], {
      address: `[2001:db8::7]:${endpoint.local.port}`,
      natDetected: false,
    });
  } finally {
    await keepAlive.stop();
    await endpoint.stop();
    await server.stop();
  }
});
