/**
 * `agent request-download`: ask the ACS for a file (RequestDownload), by
 * leaving a request in the running agent's state directory; the agent
 * takes it at once (or at its next start) and sends it in a session with
 * `9 REQUEST DOWNLOAD`.
 *
 * @module
 */
import { parseArgs } from "./parse_args.ts";
import {
  downloadRequestProblem,
  REQUESTS_DIR,
} from "../agent/transfer_announcements.ts";
import type { CommandIo } from "./io.ts";

/** Help text of `agent request-download`. */
export const REQUEST_DOWNLOAD_USAGE =
  `Usage: agent request-download --state-dir DIR --file-type TYPE [--arg NAME=VALUE]...

Asks the ACS for a file: the agent sends a RequestDownload with this FileType
("1 Firmware Upgrade Image", "3 Vendor Configuration File", "X <OUI> <name>", …)
and FileTypeArg (at most 16 --arg) in a session of its own. The request waits in
DIR/requests/ until the agent takes it.
`;

/**
 * Runs `agent request-download`.
 *
 * @example
 * ```ts
 * import { requestDownloadCommand } from "./request_download.ts";
 * // await requestDownloadCommand(["--state-dir", "/var/lib/cwmp", "--file-type", "1 Firmware Upgrade Image"], io);
 * ```
 */
export async function requestDownloadCommand(
  args: readonly string[],
  io: CommandIo,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        "state-dir": { type: "string" },
        "file-type": { type: "string" },
        arg: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    io.stderr(
      `agent request-download: ${
        (error as Error).message
      }\n\n${REQUEST_DOWNLOAD_USAGE}`,
    );
    return 1;
  }
  if (values.help) {
    io.stdout(REQUEST_DOWNLOAD_USAGE);
    return 0;
  }
  const dir = values["state-dir"];
  const fileType = values["file-type"];
  if (!dir || !fileType) {
    io.stderr(
      `agent request-download: --state-dir and --file-type are required\n\n${REQUEST_DOWNLOAD_USAGE}`,
    );
    return 1;
  }
  const pairs = values.arg ?? [];
  const bad = pairs.find((p) => p.indexOf("=") < 1);
  if (bad !== undefined) {
    io.stderr(
      `agent request-download: --arg ${
        JSON.stringify(bad)
      } is not NAME=VALUE\n`,
    );
    return 1;
  }
  const request = {
    fileType,
    args: pairs.map((p) => ({
      name: p.slice(0, p.indexOf("=")),
      value: p.slice(p.indexOf("=") + 1),
    })),
  };
  const problem = downloadRequestProblem(request);
  if (problem) {
    io.stderr(`agent request-download: ${problem}\n`);
    return 1;
  }
  const requests = `${dir}/${REQUESTS_DIR}`;
  try {
    await Deno.mkdir(requests, { recursive: true, mode: 0o700 });
    // Written aside and renamed: the agent never reads half a request.
    const name = `${Date.now()}-${crypto.randomUUID()}`;
    await Deno.writeTextFile(
      `${requests}/.${name}.tmp`,
      JSON.stringify(request),
      { mode: 0o600 },
    );
    await Deno.rename(`${requests}/.${name}.tmp`, `${requests}/${name}.json`);
  } catch (error) {
    io.stderr(
      `agent request-download: cannot write to ${requests}: ${
        (error as Error).message
      }\n`,
    );
    return 1;
  }
  io.stdout(`requested ${fileType}; the agent sends it in its next session\n`);
  return 0;
}
