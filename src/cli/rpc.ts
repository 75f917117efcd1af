/**
 * `agent rpc`: runs one ACS request through the RPC handlers against a
 * device and prints the CPE's SOAP response — an integrator's way to check
 * an adapter without an ACS.
 *
 * @module
 */
import { decodeAcsMessage } from "../cwmp/decode.ts";
import { encodeCpeMessage, faultBody } from "../cwmp/encode.ts";
import { CwmpFault } from "../cwmp/faults.ts";
import { DEFAULT_DECODE_LIMITS } from "../cwmp/limits.ts";
import { FileStateStore } from "../state/store.ts";
import { createRpcContext } from "../rpc/context.ts";
import { handleRequest } from "../rpc/handlers.ts";
import { openDevice, parseDeviceSpec } from "./device_option.ts";
import { type CommandIo, parseCommand, readSource } from "./io.ts";

/** Help text of `agent rpc`. */
export const RPC_USAGE =
  `Usage: agent rpc --device sim[:SNAPSHOT]|linux --state-dir DIR [REQUEST.xml|-]

Runs one ACS request (a SOAP envelope from REQUEST.xml, or standard input
when it is - or absent) through the agent's RPC handlers against the device,
and prints the CPE's SOAP response envelope — a fault when the request fails.

  --device sim            the simulated TR-181 gateway shipped with the agent
  --device sim:SNAPSHOT   a simulated device from a JSON or CSV snapshot
  --device linux          the Linux host this runs on (read-only)
  --state-dir DIR         where the device and agent state persist between runs

Changes persist in DIR, so a sequence of rpc runs behaves like one device.
Work a request leaves for after the session (Reboot, FactoryReset) is
reported on standard error and not carried out.

Exit status: 0 a response or fault was printed; 1 usage or setup error.
`;

/**
 * Runs `agent rpc`.
 *
 * @example
 * ```ts
 * import { rpcCommand } from "./rpc.ts";
 * // await rpcCommand(["--device", "sim", "--state-dir", "/tmp/s", "request.xml"], io);
 * ```
 */
export async function rpcCommand(
  args: readonly string[],
  io: CommandIo,
): Promise<number> {
  const parsed = parseCommand("rpc", RPC_USAGE, args, {
    device: { type: "string" },
    "state-dir": { type: "string" },
  }, io);
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (!values.device || !values["state-dir"] || positionals.length > 1) {
    io.stderr(
      `agent rpc: --device and --state-dir are required, and at most one REQUEST\n\n${RPC_USAGE}`,
    );
    return 1;
  }
  let context;
  try {
    const spec = parseDeviceSpec(values.device);
    const store = new FileStateStore(values["state-dir"]);
    context = await createRpcContext(
      await openDevice(spec, store, {
        onWarning: (message) => io.stderr(`agent rpc: warning: ${message}\n`),
      }),
    );
  } catch (error) {
    io.stderr(
      `agent rpc: cannot open the device: ${(error as Error).message}\n`,
    );
    return 1;
  }

  const source = positionals[0] ?? "-";
  let input: Uint8Array;
  try {
    input = await readSource(source, io, DEFAULT_DECODE_LIMITS.maxBytes);
  } catch (error) {
    io.stderr(
      `agent rpc: cannot read ${source}: ${(error as Error).message}\n`,
    );
    return 1;
  }

  let request;
  try {
    request = decodeAcsMessage(input);
  } catch (error) {
    if (!(error instanceof CwmpFault)) throw error;
    io.stderr(`agent rpc: request rejected: ${error.message}\n`);
    io.stdout(
      encodeCpeMessage({
        namespace: "1-2",
        header: error.requestId === undefined ? {} : { id: error.requestId },
        body: faultBody(error),
      }) + "\n",
    );
    return 0;
  }
  if (request.body.kind !== "request") {
    io.stderr(
      `agent rpc: the message is a ${request.body.kind}, not an ACS request\n`,
    );
    return 1;
  }
  const handled = await handleRequest(request.body, context);
  if (handled.fault) {
    io.stderr(
      `agent rpc: ${request.body.method} fault ${handled.fault.code}: ${handled.fault.message}\n`,
    );
  }
  for (const action of handled.after) {
    io.stderr(
      `agent rpc: after the session the agent would run: ${action.kind}\n`,
    );
  }
  io.stdout(
    encodeCpeMessage({
      namespace: request.namespace ?? "1-2",
      header: request.header.id === undefined ? {} : { id: request.header.id },
      body: handled.body,
    }) + "\n",
  );
  return 0;
}
