/**
 * `agent run --udp-cr-port` as a real process re-launched in its sandbox:
 * the ACS turns STUN on, the agent learns its mapping from a STUN server it
 * is allowed to use, and a UDP Connection Request opens a session.
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { StunServer } from "../../src/acs/stun_server.ts";
import { startAgent } from "../_helpers/agent_process.ts";
import { runAgent } from "../_helpers/cli.ts";
import { spv } from "../_helpers/requests.ts";

const MS = "Device.ManagementServer.";

Deno.test("the sandboxed agent keeps a NAT mapping through STUN and answers a UDP connection request with a session", async () => {
  const nat = new StunServer({
    mapping: (from) => ({
      family: "IPv4",
      address: "198.51.100.9",
      port: from.port + 3,
    }),
  });
  await nat.start();
  const acs = new FixtureAcs({
    sessions: [{
      requests: [spv([
        [`${MS}STUNEnable`, "true"],
        [`${MS}STUNServerAddress`, "127.0.0.1"],
        [`${MS}STUNServerPort`, String(nat.port)],
      ])],
    }],
  });
  await acs.start();
  const dir = await Deno.makeTempDir();
  const agent = startAgent([
    "--state-dir",
    dir,
    "--acs-url",
    acs.url,
    "--cr-port",
    "0",
    "--cr-username",
    "acs",
    "--cr-password",
    "cr-pw",
    "--udp-cr-port",
    "0",
    "--stun-servers",
    `127.0.0.1:${nat.port}`,
  ], ["--allow-net", "--allow-run"]);
  try {
    const open = await agent.waitFor(
      (l) => l.msg === "UDP connection-request port open",
      30_000,
    );
    const port = Number(open.port);
    const mapping = await agent.waitFor((l) => l.msg === "NAT mapping", 30_000);
    assert.equal(
      mapping.udpConnectionRequestAddress,
      `198.51.100.9:${port + 3}`,
    );
    assert.equal(mapping.natDetected, true);
    assert.equal(nat.requests[0].connectionRequestBinding, true);

    // agent status shows it (from the health file, within a second or so).
    let udp: unknown;
    for (let i = 0; i < 50; i++) {
      const status = await runAgent(["status", "--state-dir", dir, "--json"]);
      udp = JSON.parse(status.stdout).udpConnectionRequest;
      if ((udp as { natDetected?: boolean } | null)?.natDetected) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepStrictEqual(udp, {
      address: `198.51.100.9:${port + 3}`,
      natDetected: true,
    });
    const text = await runAgent(["status", "--state-dir", dir]);
    assert.match(
      text.stdout,
      new RegExp(
        `UDP requests: +198\\.51\\.100\\.9:${port + 3} \\(NAT detected\\)`,
      ),
    );

    await acs.waitForSessions(1, 30_000);
    await nat.sendConnectionRequest(
      { hostname: "127.0.0.1", port },
      { username: "acs", password: "cr-pw" },
    );
    await acs.waitForSessions(2, 30_000);
    assert.deepStrictEqual(acs.sessions[1].events, ["6 CONNECTION REQUEST"]);
  } finally {
    await agent.stop();
    await acs.stop();
    await nat.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
