/**
 * The local interface as an on-device application meets it (issue #15):
 * `agent run` as a real process (the CPE V8 flags) serving its Unix
 * socket; round trips of `get` per second from one client and from eight
 * at once, and the time from a local `set` of a parameter with active
 * notification to the Inform arriving at the fixture ACS.
 *
 * Usage: deno run --allow-read --allow-write --allow-net --allow-run --allow-env scripts/bench_local.ts
 *
 * @module
 */
import { FixtureAcs } from "../src/acs/fixture.ts";
import { tokenSha256 } from "../src/local/access.ts";
import { LocalClient } from "../src/local/local_client.ts";
import { startAgent } from "../tests/_helpers/agent_process.ts";

const GETS = 2000;
const SETS = 7;
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-bench-local-" });
  const acs = new FixtureAcs({
    sessions: [{
      requests: [{
        kind: "request",
        method: "SetParameterAttributes",
        args: {
          parameterList: [{
            name: "Device.WiFi.SSID.1.SSID",
            notificationChange: true,
            notification: 2,
            accessListChange: false,
            accessList: [],
          }],
        },
      }],
    }],
  });
  await acs.start();
  const socket = `${dir}/state/local.sock`;
  const config = {
    "state-dir": `${dir}/state`,
    "acs-url": acs.url,
    "cr-port": 0,
    "local-apps": [{
      name: "bench",
      "token-sha256": await tokenSha256("bench-token"),
      read: ["Device."],
      write: ["Device.WiFi."],
    }],
  };
  await Deno.writeTextFile(`${dir}/agent.json`, JSON.stringify(config));
  const agent = startAgent(["--config", `${dir}/agent.json`], [
    `--allow-net=127.0.0.1,unix:${socket}`,
  ]);
  const clients: LocalClient[] = [];
  try {
    await agent.waitFor((l) => l.msg === "local interface listening", 30_000);
    await acs.waitForSessions(1, 30_000);
    for (let i = 0; i < 8; i++) {
      clients.push(new LocalClient(socket, "bench-token"));
    }
    const names = ["Device.DeviceInfo.SoftwareVersion"];
    for (let i = 0; i < 200; i++) await clients[0].get(names); // warm up
    let t = performance.now();
    for (let i = 0; i < GETS; i++) await clients[0].get(names);
    const serial = GETS / ((performance.now() - t) / 1000);
    t = performance.now();
    await Promise.all(clients.map(async (c) => {
      for (let i = 0; i < GETS / 8; i++) await c.get(names);
    }));
    const parallel = GETS / ((performance.now() - t) / 1000);

    const latencies: number[] = [];
    for (let i = 0; i < SETS; i++) {
      const before = acs.sessions.length;
      // Each session must end before the next change, or they share one.
      await acs.waitForSessions(before, 30_000);
      const began = performance.now();
      await clients[0].set([{
        name: "Device.WiFi.SSID.1.SSID",
        value: `bench-${i}`,
      }]);
      for (let n = 0; n < 30_000 && acs.sessions.length === before; n++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      latencies.push(performance.now() - began);
      await acs.waitForSessions(before + 1, 30_000);
    }
    console.log(
      `local interface over its Unix socket (${
        new Date().toISOString().slice(0, 10)
      }, agent with the CPE V8 flags)`,
    );
    console.log(`get round trips, one client          ${serial.toFixed(0)} /s`);
    console.log(
      `get round trips, eight clients       ${parallel.toFixed(0)} /s`,
    );
    console.log(
      `local set → Inform at the ACS        ${
        median(latencies).toFixed(1)
      } ms median of ${SETS} (${Math.min(...latencies).toFixed(1)}–${
        Math.max(...latencies).toFixed(1)
      })`,
    );
  } finally {
    for (const c of clients) c.close();
    await agent.stop();
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
