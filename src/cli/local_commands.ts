/**
 * `agent get|set|add|delete|watch`: thin clients of the running agent's
 * local interface. The socket comes from `--socket`, or from `--state-dir`
 * or `--config` (its `local-socket`, else `<state-dir>/local.sock`); the
 * token from `--token` or `--token-file` (the configuration holds only its
 * hash). Exit codes: 0 done, 1 a usage error, 2 refused or a CWMP fault,
 * 3 the agent cannot be reached.
 *
 * @module
 */
import { parseArgs } from "./parse_args.ts";
import { LocalClient, LocalClientError } from "../local/local_client.ts";
import type { CommandIo } from "./io.ts";

/** Help text of the local commands. */
export const LOCAL_USAGE = `Usage:
  agent get PATH...                    values of parameters or partial paths
  agent set PATH=VALUE[:TYPE]...       set values, all or none (TYPE: boolean, int, unsignedInt, …)
  agent add OBJECT.                    create an instance; prints its number
  agent delete OBJECT.N.               delete an instance
  agent watch [PATH...]                print value changes until interrupted

Options (each command):
  --socket PATH        the agent's local socket
  --state-dir DIR      or its state directory (DIR/local.sock)
  --config FILE        or its config file (local-socket, state-dir)
  --token TOKEN        the application's token
  --token-file FILE    or a file holding it
  --json               print JSON
`;

type Command = "get" | "set" | "add" | "delete" | "watch";

/**
 * Runs one of the local commands.
 *
 * @example
 * ```ts
 * import { localCommand } from "./local_commands.ts";
 * // await localCommand("get", ["--state-dir", "/var/lib/cwmp", "--token-file", "/etc/ui.token", "Device.WiFi.SSID.1.SSID"], io);
 * ```
 */
export async function localCommand(
  command: Command,
  args: readonly string[],
  io: CommandIo,
  stop?: AbortSignal,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        socket: { type: "string" },
        "state-dir": { type: "string" },
        config: { type: "string" },
        token: { type: "string" },
        "token-file": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    io.stderr(
      `agent ${command}: ${(error as Error).message}\n\n${LOCAL_USAGE}`,
    );
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(LOCAL_USAGE);
    return 0;
  }
  const usage = (problem: string) => {
    io.stderr(`agent ${command}: ${problem}\n\n${LOCAL_USAGE}`);
    return 1;
  };
  let socket = values.socket;
  if (!socket && values.config) {
    try {
      const config = JSON.parse(await Deno.readTextFile(values.config));
      socket = config["local-socket"] ??
        (config["state-dir"] ? `${config["state-dir"]}/local.sock` : undefined);
    } catch (error) {
      return usage(`cannot read ${values.config}: ${(error as Error).message}`);
    }
  }
  socket ??= values["state-dir"]
    ? `${values["state-dir"]}/local.sock`
    : undefined;
  if (!socket) return usage("--socket, --state-dir or --config is required");
  let token = values.token;
  if (!token && values["token-file"]) {
    try {
      token = (await Deno.readTextFile(values["token-file"])).trim();
    } catch (error) {
      return usage(
        `cannot read ${values["token-file"]}: ${(error as Error).message}`,
      );
    }
  }
  if (!token) return usage("--token or --token-file is required");
  if (command !== "watch" && positionals.length === 0) {
    return usage("name at least one path");
  }
  const print = (data: unknown, text: string) =>
    io.stdout(values.json ? JSON.stringify(data) + "\n" : text);
  let client: LocalClient | undefined;
  try {
    client = new LocalClient(socket, token);
    switch (command) {
      case "get": {
        const found = await client.get(positionals);
        print(
          found,
          found.map((p) =>
            `${p.name} = ${p.value}${p.type ? ` (${p.type})` : ""}\n`
          ).join(""),
        );
        break;
      }
      case "set": {
        const parameters = [];
        for (const item of positionals) {
          const match =
            /^([^=]+)=(.*?)(?::(boolean|int|unsignedInt|long|unsignedLong|string|dateTime|base64|hexBinary))?$/s
              .exec(item);
          if (!match) {
            return usage(`${JSON.stringify(item)} is not PATH=VALUE[:TYPE]`);
          }
          parameters.push({
            name: match[1],
            value: match[2],
            ...(match[3] ? { type: match[3] } : {}),
          });
        }
        const status = await client.set(parameters);
        print(
          { status },
          status === 0 ? "set\n" : "set; it takes effect later\n",
        );
        break;
      }
      case "add": {
        const instance = await client.add(positionals[0]);
        print({ instance }, `${positionals[0]}${instance}.\n`);
        break;
      }
      case "delete":
        await client.delete(positionals[0]);
        print({ deleted: positionals[0] }, "deleted\n");
        break;
      case "watch":
        await client.watch(
          positionals,
          (c) => print(c, `${c.name} = ${c.value}\n`),
          stop,
        );
        break;
    }
    return 0;
  } catch (error) {
    if (error instanceof LocalClientError) {
      io.stderr(
        `agent ${command}: ${error.message}${
          error.code ? ` (fault ${error.code})` : ""
        }\n${
          error.parameters.map((p) => `  ${p.name}: ${p.message} (${p.code})\n`)
            .join("")
        }`,
      );
      return 2;
    }
    io.stderr(
      `agent ${command}: cannot reach the agent at ${socket}: ${
        (error as Error).message
      }\n`,
    );
    return 3;
  } finally {
    client?.close();
  }
}
