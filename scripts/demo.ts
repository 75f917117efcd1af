/**
 * The workstation demo: a fixture ACS and the agent with the simulated TR-181
 * gateway, on loopback. The ACS runs a session that exercises every
 * implemented RPC and ends with a Reboot; the agent reboots the simulated
 * device and reports `1 BOOT` + `M Reboot`; then the ACS sends a connection
 * request and, in that session, a firmware Download of an image it serves
 * itself: the agent fetches and applies it, reboots into it, and reports
 * `1 BOOT` + `7 TRANSFER COMPLETE` + `M Download` with the TransferComplete.
 * In that session the ACS also turns STUN on (TR-069 Annex G): the agent
 * learns its public mapping from a STUN server that plays a NAT, reports it
 * with `4 VALUE CHANGE`, and a UDP connection request to it opens the last
 * session. Prints the conversation, stops all, exits 0 (1 if anything went
 * wrong).
 *
 * Usage: deno task demo [--verbose]
 */
import { FixtureAcs } from "../src/acs/fixture.ts";
import { StunServer } from "../src/acs/stun_server.ts";
import { CwmpAgent } from "../src/agent/cwmp_agent.ts";
import { DEFAULT_SNAPSHOT } from "../src/cli/device_option.ts";
import type { AcsRequest } from "../src/cwmp/messages.ts";
import { SimulatedDevice } from "../src/device/simulated.ts";
import { FileStateStore } from "../src/state/store.ts";
import { createRpcContext } from "../src/rpc/context.ts";
import type { TranscriptEntry } from "../src/session/runner.ts";
import { decodeAcsMessage, decodeCpeMessage } from "../mod.ts";
import { SIM_FIRMWARE_MAGIC } from "../src/device/simulated_transfers.ts";

const verbose = Deno.args.includes("--verbose");
const write = (line: string) => console.log(line);

/** The ACS's script: every implemented RPC, then a Reboot. */
export const DEMO_REQUESTS: readonly AcsRequest[] = [
  { kind: "request", method: "GetRPCMethods", args: {} },
  {
    kind: "request",
    method: "GetParameterNames",
    args: { parameterPath: "Device.", nextLevel: true },
  },
  {
    kind: "request",
    method: "GetParameterValues",
    args: {
      parameterNames: [
        "Device.DeviceInfo.SoftwareVersion",
        "Device.WiFi.SSID.1.SSID",
        "Device.IP.InterfaceNumberOfEntries",
      ],
    },
  },
  {
    kind: "request",
    method: "SetParameterValues",
    args: {
      parameterList: [
        {
          name: "Device.WiFi.SSID.1.SSID",
          value: "Demo Network",
          type: "string",
        },
        {
          name: "Device.ManagementServer.PeriodicInformInterval",
          value: "3600",
          type: "unsignedInt",
        },
      ],
      parameterKey: "demo-1",
    },
  },
  {
    kind: "request",
    method: "SetParameterValues",
    args: {
      parameterList: [{
        name: "Device.WiFi.Radio.1.Channel",
        value: "300",
        type: "unsignedInt",
      }],
      parameterKey: "demo-bad",
    },
  },
  {
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
  },
  {
    kind: "request",
    method: "GetParameterAttributes",
    args: { parameterNames: ["Device.WiFi.SSID.1.SSID"] },
  },
  {
    kind: "request",
    method: "AddObject",
    args: { objectName: "Device.NAT.PortMapping.", parameterKey: "demo-2" },
  },
  {
    kind: "request",
    method: "DeleteObject",
    args: { objectName: "Device.NAT.PortMapping.2.", parameterKey: "demo-3" },
  },
  {
    kind: "request",
    method: "ScheduleInform",
    args: { delaySeconds: 3600, commandKey: "demo-later" },
  },
  { kind: "request", method: "Reboot", args: { commandKey: "demo-reboot" } },
];

function keyArguments(entry: TranscriptEntry): string {
  if (entry.xml === "") return "";
  try {
    const message = entry.direction === "ACS→CPE"
      ? decodeAcsMessage(entry.xml)
      : decodeCpeMessage(entry.xml);
    const body = message.body;
    if (body.kind === "fault") {
      const params = body.parameterFaults.map((p) =>
        `${p.parameterName}=${p.faultCode}`
      ).join(", ");
      return `${body.faultString}${params ? ` [${params}]` : ""}`;
    }
    if (body.kind !== "request" && body.kind !== "response") return "";
    const args = body.args as Record<string, unknown>;
    if (body.method === "Inform" && body.kind === "request") {
      const inform = body.args as {
        readonly event: readonly { eventCode: string; commandKey: string }[];
        retryCount: number;
      };
      return `events: ${
        inform.event.map((e) =>
          e.commandKey ? `${e.eventCode}(${e.commandKey})` : e.eventCode
        ).join(", ")
      }; RetryCount ${inform.retryCount}`;
    }
    const text = JSON.stringify(
      args,
      (_k, v) =>
        Array.isArray(v) && v.length > 4
          ? [...v.slice(0, 4), `… ${v.length - 4} more`]
          : v,
    );
    return text.length > 160
      ? text.slice(0, 157) + "…"
      : text === "{}"
      ? ""
      : text;
  } catch {
    return "";
  }
}

const TRANSFER_LINES = new Set([
  "NAT mapping",
  "UDP connection request accepted",
  "transfer started",
  "applying download",
  "transfer complete",
  "rebooting",
]);

async function main(): Promise<number> {
  const stateDir = await Deno.makeTempDir({ prefix: "cwmp-demo-" });
  const image = new TextEncoder().encode(
    `${SIM_FIRMWARE_MAGIC}\nversion: 2.0.0-demo\n\n${
      "firmware ".repeat(100_000)
    }`,
  );
  const acs = new FixtureAcs({
    sessions: [{ requests: DEMO_REQUESTS }, {}],
    cookies: true,
    files: { files: { "/fw-2.0.0.bin": { body: image } } },
  });
  await acs.start();
  // The connection-request session brings the firmware Download.
  const firmware: AcsRequest = {
    kind: "request",
    method: "Download",
    args: {
      commandKey: "demo-fw",
      fileType: "1 Firmware Upgrade Image",
      url: acs.fileUrl("/fw-2.0.0.bin"),
      username: "",
      password: "",
      fileSize: image.byteLength,
      targetFileName: "",
      delaySeconds: 0,
      successUrl: "",
      failureUrl: "",
    },
  };
  acs.script(2, { requests: [firmware] });
  // A STUN server that answers as a NAT would: another address and port.
  const nat = new StunServer({
    mapping: (from) => ({
      family: "IPv4",
      address: "203.0.113.10",
      port: from.port + 10_000 > 65535
        ? from.port - 10_000
        : from.port + 10_000,
    }),
  });
  await nat.start();
  const MS = "Device.ManagementServer.";
  // After the upgrade, the ACS turns STUN on and asks to hear of the address.
  acs.script(3, {
    requests: [
      {
        kind: "request",
        method: "SetParameterAttributes",
        args: {
          parameterList: [{
            name: `${MS}UDPConnectionRequestAddress`,
            notificationChange: true,
            notification: 2,
            accessListChange: false,
            accessList: [],
          }],
        },
      },
      {
        kind: "request",
        method: "SetParameterValues",
        args: {
          parameterList: [
            { name: `${MS}STUNEnable`, value: "true", type: "boolean" },
            {
              name: `${MS}STUNServerAddress`,
              value: "127.0.0.1",
              type: "string",
            },
            {
              name: `${MS}STUNServerPort`,
              value: String(nat.port),
              type: "unsignedInt",
            },
          ],
          parameterKey: "demo-stun",
        },
      },
    ],
  });
  write(`fixture ACS listening at ${acs.url}`);
  const store = new FileStateStore(stateDir);
  const device = await SimulatedDevice.load(DEFAULT_SNAPSHOT, { store });
  const context = await createRpcContext(device, {
    stun: true,
    defaults: {
      URL: acs.url,
      ConnectionRequestUsername: "acs",
      ConnectionRequestPassword: "demo-cr-secret",
    },
  });
  let session = 0;
  let failed = false;
  const agent = new CwmpAgent({
    context,
    connectionRequest: { hostname: "127.0.0.1", port: 0 },
    udpConnectionRequest: { hostname: "127.0.0.1", port: 0 },
    notificationPollMs: 0,
    transfers: { dir: `${stateDir}/transfers` },
    onMessage: (entry) => {
      if (entry.direction === "CPE→ACS" && entry.summary === "Inform") {
        write(`\n— session ${++session} —`);
      }
      const args = keyArguments(entry);
      write(
        `${String(entry.atMs).padStart(5)} ms  ${entry.direction}  ${
          entry.summary.padEnd(30)
        } ${args}`,
      );
      if (verbose && entry.xml) {
        write(
          entry.xml.replace(/></g, ">\n<").split("\n").map((l) =>
            "           " + l
          ).join("\n"),
        );
      }
    },
    onSession: (result) => {
      write(
        `        session ${result.outcome} in ${result.durationMs} ms${
          result.reason ? `: ${result.reason}` : ""
        }`,
      );
      if (result.outcome !== "success") failed = true;
    },
    log: (record) =>
      (record.level !== "info" || TRANSFER_LINES.has(record.msg)) &&
      write(
        `        [${record.level}] ${record.msg}${
          record.commandKey ? ` ${record.commandKey}` : ""
        }${record.bytes !== undefined ? ` (${record.bytes} bytes)` : ""}${
          record.udpConnectionRequestAddress
            ? ` ${record.udpConnectionRequestAddress}${
              record.natDetected ? " (NAT detected)" : ""
            }`
            : ""
        }`,
      ),
  });
  try {
    await agent.start();
    write(`agent started; ConnectionRequestURL ${agent.connectionRequestUrl}`);
    // Session 1 (BOOTSTRAP) runs every RPC and ends in a Reboot; session 2 reports it.
    await acs.waitForSessions(2);
    await agent.idle();
    write(`\nthe ACS sends a connection request`);
    const status = await FixtureAcs.connectionRequest(
      agent.connectionRequestUrl!,
      "acs",
      "demo-cr-secret",
    );
    write(`        connection request answered HTTP ${status}`);
    // Session 3 asks for the firmware; session 4, after the reboot, reports
    // it and turns STUN on; session 5 reports the public address.
    await acs.waitForSessions(5);
    await agent.idle();
    const address = context.device.managementServer(
      "UDPConnectionRequestAddress",
    );
    write(`\nthe ACS sends a UDP connection request to ${address}`);
    // Through the "NAT": the mapping leads back to the agent's own port.
    const own = nat.requests.at(-1)!.from;
    await nat.sendConnectionRequest(own, {
      username: "acs",
      password: "demo-cr-secret",
    });
    await acs.waitForSessions(6);
    await agent.idle();
  } finally {
    await agent.stop();
    await acs.stop();
    await nat.stop();
    await Deno.remove(stateDir, { recursive: true });
  }
  const ok = !failed && acs.sessions.length === 6 &&
    acs.sessions[0].events.includes("0 BOOTSTRAP") &&
    acs.sessions[1].events.includes("M Reboot") &&
    acs.sessions[2].events.includes("6 CONNECTION REQUEST") &&
    acs.sessions[3].events.includes("7 TRANSFER COMPLETE") &&
    acs.sessions[4].events.includes("4 VALUE CHANGE") &&
    acs.sessions[5].events.includes("6 CONNECTION REQUEST");
  write(
    `\n${
      ok
        ? "demo finished: 6 sessions, every RPC exercised, a firmware upgrade reported, a UDP connection request through a NAT"
        : "demo FAILED"
    }`,
  );
  return ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
