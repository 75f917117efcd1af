/**
 * The `agent` command line: `deno task agent <command> …`.
 *
 * @module
 */
import { type Command, type CommandIo, processIo } from "./io.ts";

/**
 * Subcommands by name. Each is loaded when it runs: `agent run` on a CPE
 * carries neither the decoder's command line nor the `rpc` tool in memory.
 */
export const COMMANDS: Readonly<
  Record<string, { run: Command; summary: string }>
> = {
  decode: {
    run: async (args, io) =>
      (await import("./decode.ts")).decodeCommand(args, io),
    summary: "decode a CWMP message and print it as JSON",
  },
  rpc: {
    run: async (args, io) => (await import("./rpc.ts")).rpcCommand(args, io),
    summary: "run one ACS request against a device and print the response",
  },
  run: {
    run: async (args, io) => (await import("./run.ts")).runCommand(args, io),
    summary: "run the agent",
  },
  permissions: {
    run: async (args, io) =>
      (await import("./permissions.ts")).permissionsCommand(args, io),
    summary: "print the Deno permissions agent run gets",
  },
  status: {
    run: async (args, io) =>
      (await import("./status.ts")).statusCommand(args, io),
    summary: "show the agent's state: sessions, retries, events, transfers",
  },
  ...Object.fromEntries(
    ([
      ["get", "read parameters through the running agent's local interface"],
      ["set", "set parameters through it (PATH=VALUE[:TYPE])"],
      ["add", "create an instance through it"],
      ["delete", "delete an instance through it"],
      ["watch", "print value changes through it"],
    ] as const).map(([name, summary]) => [name, {
      run: async (args: readonly string[], io: CommandIo) =>
        (await import("./local_commands.ts")).localCommand(name, args, io),
      summary,
    }]),
  ),
  "request-download": {
    run: async (args, io) =>
      (await import("./request_download.ts")).requestDownloadCommand(args, io),
    summary: "ask the ACS for a file (RequestDownload)",
  },
};

/** Help text of `agent`. */
export const USAGE = `Usage: agent <command> [options]

Commands:
${
  Object.entries(COMMANDS).map(([name, c]) =>
    `  ${name.padEnd(18)}${c.summary}`
  ).join("\n")
}

Run "agent <command> --help" for a command's options.
`;

/**
 * Runs the command line and returns the exit code.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * const code = await main(["--help"]);
 * console.log(code); // 0
 * ```
 */
export async function main(
  args: readonly string[],
  io: CommandIo = processIo(),
): Promise<number> {
  const [name, ...rest] = args;
  if (
    name === undefined || name === "--help" || name === "-h" || name === "help"
  ) {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? 1 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`agent: unknown command "${name}"\n\n${USAGE}`);
    return 1;
  }
  return await command.run(rest, io);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
