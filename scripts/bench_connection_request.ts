/**
 * Connection requests as an ACS sends them, timed to the Inform they bring:
 * `agent run` as a real process (the CPE V8 flags) with an HTTP listener
 * and a UDP port; an HTTP connection request with its Digest round trips
 * (FixtureAcs, as GenieACS does it) against a UDP connection request of
 * three datagrams (Annex G, GenieACS's shape), from the moment the ACS
 * starts to the moment the Inform arrives. No goal is set for these; the
 * figures go in the README's Performance section.
 *
 * Usage: deno run --allow-read --allow-write --allow-net=127.0.0.1 --allow-run --allow-env scripts/bench_connection_request.ts
 *
 * @module
 */
import { FixtureAcs } from "../src/acs/fixture.ts";
import { StunServer } from "../src/acs/stun_server.ts";
import { startAgent } from "../tests/_helpers/agent_process.ts";

const ROUNDS = 9;
const CR = { username: "acs", password: "bench-cr" };
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-bench-cr-" });
  const acs = new FixtureAcs({});
  await acs.start();
  // Only its socket is used: it sends the UDP requests, as an ACS beside
  // its STUN server would.
  const sender = new StunServer();
  await sender.start();
  const agent = startAgent([
    "--state-dir",
    `${dir}/state`,
    "--acs-url",
    acs.url,
    "--cr-port",
    "0",
    "--cr-username",
    CR.username,
    "--cr-password",
    CR.password,
    "--udp-cr-port",
    "0",
    "--cr-rate-burst",
    "1000",
  ]);
  try {
    const started = await agent.waitFor(
      (l) => l.msg === "agent started",
      30_000,
    );
    const crUrl = String(started.connectionRequestUrl);
    const udp = await agent.waitFor(
      (l) => l.msg === "UDP connection-request port open",
      30_000,
    );
    const udpTo = { hostname: "127.0.0.1", port: Number(udp.port) };
    await acs.waitForSessions(1, 30_000);
    const timed = async (send: () => Promise<unknown>) => {
      const before = acs.sessions.length;
      await acs.waitForSessions(before, 30_000);
      const began = performance.now();
      await send();
      for (let n = 0; n < 30_000 && acs.sessions.length === before; n++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const ms = performance.now() - began;
      await acs.waitForSessions(before + 1, 30_000);
      return ms;
    };
    const http: number[] = [];
    const viaUdp: number[] = [];
    // Interleaved, one warm-up round of each not counted.
    for (let i = 0; i <= ROUNDS; i++) {
      const h = await timed(() =>
        FixtureAcs.connectionRequest(crUrl, CR.username, CR.password)
      );
      const u = await timed(() => sender.sendConnectionRequest(udpTo, CR));
      if (i === 0) continue;
      http.push(h);
      viaUdp.push(u);
    }
    const line = (what: string, xs: number[]) =>
      console.log(
        `${what.padEnd(46)} ${median(xs).toFixed(1)} ms median of ${ROUNDS} (${
          Math.min(...xs).toFixed(1)
        }–${Math.max(...xs).toFixed(1)})`,
      );
    console.log(
      `connection request → Inform at the ACS (${
        new Date().toISOString().slice(0, 10)
      }, agent with the CPE V8 flags, loopback)`,
    );
    line("HTTP, Digest (401, then 200)", http);
    line("UDP (Annex G), three copies of one datagram", viaUdp);
  } finally {
    await agent.stop();
    await acs.stop();
    await sender.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
