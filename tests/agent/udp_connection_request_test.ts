/**
 * Annex G end to end, over real UDP sockets: the ACS turns STUN on, the
 * agent learns its public mapping from a STUN server playing a NAT,
 * publishes it (actively notified) with NATDetected, and a UDP Connection
 * Request to the port opens a session.
 */
import { until } from "../_helpers/until.ts";
import assert from "node:assert/strict";
import { StunServer } from "../../src/acs/stun_server.ts";
import { informOf, rig } from "../_helpers/agent.ts";
import { spa, spv } from "../_helpers/requests.ts";
import { parseSnapshot } from "../../src/device/snapshot.ts";

const MS = "Device.ManagementServer.";

/** The ACS's SetParameterValues turning STUN on, towards 127.0.0.1:`port`. */
const stunOn = (port: number) =>
  spv([
    [`${MS}STUNEnable`, "true"],
    [`${MS}STUNServerAddress`, "127.0.0.1"],
    [`${MS}STUNServerPort`, String(port)],
  ]);

Deno.test("behind a NAT: the mapping STUN finds is published and notified, and a UDP connection request opens a session", async () => {
  const nat = new StunServer({
    mapping: (from) => ({
      family: "IPv4",
      address: "203.0.113.7",
      port: from.port + 1,
    }),
  });
  await nat.start();
  const r = await rig({
    acs: {
      sessions: [{
        requests: [
          spa(`${MS}UDPConnectionRequestAddress`, 2),
          stunOn(nat.port),
        ],
      }],
    },
    context: { stun: true },
    defaults: { PeriodicInformEnable: "false" },
    agent: {
      udpConnectionRequest: {
        hostname: "127.0.0.1",
        port: 0,
        retransmitMs: [50, 100, 200],
      },
    },
  });
  const ms = (name: string) => r.context.device.managementServer(name);
  try {
    await r.agent.start();
    await r.acs.waitForSessions(1);
    await r.agent.idle();
    assert.equal(ms("SupportedConnReqMethods"), "HTTP,STUN");
    // The keep-alive's first exchange is due at once.
    await r.clock.advance(0);
    await until(
      () => ms("UDPConnectionRequestAddress").startsWith("203.0.113.7:"),
      "the mapping",
    );
    assert.equal(ms("NATDetected"), "true");
    const published = ms("UDPConnectionRequestAddress");
    const localPort = Number(published.split(":")[1]) - 1;
    assert.equal(nat.requests[0].connectionRequestBinding, true);
    assert.equal(
      nat.requests[0].from.port,
      localPort,
      "Binding Requests come from the UDP CR port",
    );

    // Active notification: a session carries the new address.
    await r.acs.waitForSessions(2);
    await r.agent.idle();
    assert.deepStrictEqual(r.acs.sessions[1].events, ["4 VALUE CHANGE"]);
    const values = new Map(
      informOf(r.acs, 1).parameterList.map((p) => [p.name, p.value]),
    );
    assert.equal(values.get(`${MS}UDPConnectionRequestAddress`), published);

    // The ACS reaches the CPE through the mapping (here: the port itself).
    await nat.sendConnectionRequest(
      { hostname: "127.0.0.1", port: localPort },
      { username: "acs", password: "cr-secret" },
    );
    await r.acs.waitForSessions(3);
    await r.agent.idle();
    assert.deepStrictEqual(r.acs.sessions[2].events, ["6 CONNECTION REQUEST"]);
    // Its two copies were dropped quietly; a wrong password is refused.
    await nat.sendConnectionRequest(
      { hostname: "127.0.0.1", port: localPort },
      { username: "acs", password: "guess" },
      { times: 1 },
    );
    await until(
      () => (r.agent.connectionRequestRefusals["bad-credentials"] ?? 0) === 1,
      "the refusal",
    );
    assert.deepStrictEqual(r.agent.connectionRequestRefusals, {
      "bad-credentials": 1,
    });
    assert.equal(r.acs.sessions.length, 3);

    // STUN off again: the port's own address, no NAT.
    // As a SetParameterValues or a local change would.
    await r.context.device.setValues([{
      path: `${MS}STUNEnable`,
      value: "false",
    }]);
    await until(() => ms("NATDetected") === "false", "STUN off");
    assert.equal(ms("UDPConnectionRequestAddress"), `127.0.0.1:${localPort}`);
  } finally {
    await r.stop();
    await nat.stop();
  }
});

Deno.test("a STUN server outside the allowed ones gets no Binding Request; the refusal is logged once", async () => {
  const nat = new StunServer();
  await nat.start();
  const r = await rig({
    acs: {
      sessions: [{
        requests: [
          stunOn(nat.port),
        ],
      }],
    },
    context: { stun: true },
    defaults: { PeriodicInformEnable: "false" },
    agent: {
      udpConnectionRequest: {
        hostname: "127.0.0.1",
        port: 0,
        retransmitMs: [20],
        stunServerRefusal: (host, port) =>
          `${host}:${port} is not among the STUN servers this agent may use`,
      },
    },
  });
  try {
    await r.agent.start();
    await r.acs.waitForSessions(1);
    await r.agent.idle();
    await r.clock.advance(0);
    await r.clock.advance(30_000);
    await until(
      () => r.logs.some((l) => l.msg === "STUN server refused"),
      "the refusal line",
    );
    assert.equal(
      r.logs.filter((l) => l.msg === "STUN server refused").length,
      1,
    );
    assert.equal(nat.requests.length, 0);
    assert.match(
      r.context.device.managementServer("UDPConnectionRequestAddress"),
      /^127\.0\.0\.1:\d+$/,
    );
  } finally {
    await r.stop();
    await nat.stop();
  }
});

Deno.test("TR-098: UDPConnectionRequestAddressNotificationLimit spaces the address's notifications; its value is current at once", async () => {
  const csv = new URL("../fixtures/devices/igd.csv", import.meta.url).pathname;
  const IGD = "InternetGatewayDevice.ManagementServer.";
  let offset = 1;
  const nat = new StunServer({
    mapping: (from) => ({
      family: "IPv4",
      address: "203.0.113.8",
      port: from.port + offset,
    }),
  });
  await nat.start();
  const r = await rig({
    snapshot: parseSnapshot(Deno.readTextFileSync(csv), csv),
    acs: {
      sessions: [{
        requests: [
          spa(`${IGD}UDPConnectionRequestAddress`, 2),
          spv([
            [`${IGD}UDPConnectionRequestAddressNotificationLimit`, "60"],
            [`${IGD}STUNEnable`, "true"],
            [`${IGD}STUNServerAddress`, "127.0.0.1"],
            [`${IGD}STUNServerPort`, String(nat.port)],
          ]),
        ],
      }],
    },
    context: { stun: true },
    defaults: { PeriodicInformEnable: "false" },
    agent: {
      udpConnectionRequest: {
        hostname: "127.0.0.1",
        port: 0,
        retransmitMs: [50, 100],
      },
    },
  });
  const ms = (name: string) => r.context.device.managementServer(name);
  try {
    await r.agent.start();
    await r.acs.waitForSessions(1);
    await r.agent.idle();
    await r.clock.advance(0);
    await until(
      () => ms("UDPConnectionRequestAddress").startsWith("203.0.113.8:"),
      "the mapping",
    );
    // The first notification goes at once.
    await r.acs.waitForSessions(2);
    await r.agent.idle();
    assert.deepStrictEqual(r.acs.sessions[1].events, ["4 VALUE CHANGE"]);
    const first = ms("UDPConnectionRequestAddress");

    // The NAT moves the binding 30 s later: the value follows at once…
    offset = 2;
    await r.clock.advance(30_000);
    await until(
      () => ms("UDPConnectionRequestAddress") !== first,
      "the new mapping",
    );
    const second = ms("UDPConnectionRequestAddress");
    await new Promise((resolve) => setTimeout(resolve, 100));
    await r.agent.idle();
    assert.equal(
      r.acs.sessions.length,
      2,
      "…its notification waits for the limit",
    );
    // …and goes 60 s after the first one.
    await r.clock.advance(30_000);
    await r.acs.waitForSessions(3);
    await r.agent.idle();
    assert.deepStrictEqual(r.acs.sessions[2].events, ["4 VALUE CHANGE"]);
    const values = new Map(
      informOf(r.acs, 2).parameterList.map((p) => [p.name, p.value]),
    );
    assert.equal(values.get(`${IGD}UDPConnectionRequestAddress`), second);
  } finally {
    await r.stop();
    await nat.stop();
  }
});

Deno.test("a UDP port already taken is logged and the agent goes on with its sessions", async () => {
  const taken = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const port = (taken.addr as Deno.NetAddr).port;
  const r = await rig({
    context: { stun: true },
    defaults: { PeriodicInformEnable: "false" },
    agent: { udpConnectionRequest: { hostname: "127.0.0.1", port } },
  });
  try {
    await r.agent.start();
    await r.acs.waitForSessions(1);
    await r.agent.idle();
    const line = r.logs.find((l) =>
      l.msg === "the UDP connection-request port cannot open"
    );
    assert.ok(line, JSON.stringify(r.logs));
    assert.equal(line.port, port);
    assert.equal(
      r.context.device.managementServer("UDPConnectionRequestAddress"),
      "",
    );
    // Sessions go on.
    await r.agent.trigger([{
      eventCode: "6 CONNECTION REQUEST",
      commandKey: "",
    }]);
    await r.acs.waitForSessions(2);
  } finally {
    await r.stop();
    taken.close();
  }
});
