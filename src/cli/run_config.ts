/**
 * The command line and config file of `agent run` (and of `agent
 * permissions`, which takes the same flags): parsed, read and validated,
 * with errors that name the flag, the field or the file.
 *
 * @module
 */
import { parseArgs } from "./parse_args.ts";
import {
  type AgentConfig,
  resolveConfig,
  RUN_FLAGS,
} from "../config/agent_config.ts";
import type { CommandIo } from "./io.ts";

/** Help text of `agent run`. */
export const RUN_USAGE = `Usage: agent run [--config FILE] [flags]

Runs the CWMP agent: informs the ACS at boot, periodically, when scheduled,
on value changes and on connection requests, retries failed sessions, and
keeps its state in --state-dir. Stops cleanly on SIGINT or SIGTERM.

${
  Object.entries(RUN_FLAGS).map(([k, v]) => `  --${k.padEnd(18)}${v}`).join(
    "\n",
  )
}

  --enable-cwmp       set ManagementServer.EnableCWMP to true at this start (after
                      an ACS turned CWMP off; the data model leaves that to the LAN side)

Every flag but --enable-cwmp is also a key of the config file (e.g. {"acs-url": "https://acs.example.net/"}).
Started with permission to run Deno (as \`deno task agent run\` is), the agent
re-launches itself under exactly the permissions \`agent permissions\` prints.
ACS and connection-request settings are applied when they differ from the
values applied at the previous start, as a LAN-side change would be; changes
the ACS makes in between are kept otherwise.
`;

/** What `--config` and the flags resolve to. */
export interface LoadedRunConfig {
  /** The validated configuration. */
  readonly config: AgentConfig;
  /** The config file, if one was given. */
  readonly configFile?: string;
  /** This process is the sandboxed child (internal flag `--sandboxed`). */
  readonly sandboxed: boolean;
  /** Standard input is the launcher's pipe (internal flag `--parent-pipe`): stop when it closes. */
  readonly parentPipe?: boolean;
  /** `--enable-cwmp`: a local operator turns CWMP back on at this start. */
  readonly enableCwmp?: boolean;
}

/**
 * Parses `agent run`-style flags and the config file; prints help or an
 * error and returns an exit code when there is nothing to run.
 */
export async function loadRunConfig(
  command: string,
  args: readonly string[],
  io: CommandIo,
  usage: string,
): Promise<LoadedRunConfig | number> {
  try {
    const options: Record<
      string,
      { type: "string" } | { type: "boolean"; short?: string }
    > = {
      help: { type: "boolean", short: "h" },
      sandboxed: { type: "boolean" },
      "parent-pipe": { type: "boolean" },
      "enable-cwmp": { type: "boolean" },
    };
    for (const key of Object.keys(RUN_FLAGS)) options[key] = { type: "string" };
    const { values } = parseArgs({ args: [...args], options }) as {
      values: Record<string, string | boolean | undefined>;
    };
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    const configFile = typeof values.config === "string"
      ? values.config
      : undefined;
    const file = configFile ? await readConfigFile(configFile, io) : undefined;
    const flags: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
      if (typeof value === "string") flags[key] = value;
    }
    return {
      config: resolveConfig(file, flags),
      ...(configFile ? { configFile } : {}),
      sandboxed: values.sandboxed === true,
      parentPipe: values["parent-pipe"] === true,
      enableCwmp: values["enable-cwmp"] === true,
    };
  } catch (error) {
    io.stderr(`agent ${command}: ${(error as Error).message}\n`);
    return 1;
  }
}

/** The config file's JSON; an error names the file and what is wrong with it. */
async function readConfigFile(path: string, io: CommandIo): Promise<unknown> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      await io.readFile(path),
    );
  } catch (error) {
    throw new Error(
      `cannot read the config file ${path}: ${(error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(
      `the config file ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
}
