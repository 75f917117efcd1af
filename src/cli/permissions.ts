/**
 * `agent permissions`: the exact Deno permissions `agent run` would get.
 *
 * @module
 */
import { computePermissions, permissionFlags } from "../sandbox/permissions.ts";
import type { CommandIo } from "./io.ts";
import { loadRunConfig } from "./run.ts";

/** Help text of `agent permissions`. */
export const PERMISSIONS_USAGE =
  `Usage: agent permissions [--config FILE] [agent run flags]

Prints the Deno permission flags \`agent run\` runs under with this
configuration, one per line: network only to the ACS and the connection-request
listener, read only the configuration, certificates, snapshot and state
directory, write only the state directory, env only the TLS variables it
checks, sys only what the device adapter needs.
`;

/**
 * Runs `agent permissions`.
 *
 * @example
 * ```ts
 * import { permissionsCommand } from "./permissions.ts";
 * // await permissionsCommand(["--config", "agent.json"], io);
 * ```
 */
export async function permissionsCommand(
  args: readonly string[],
  io: CommandIo,
): Promise<number> {
  const loaded = await loadRunConfig(
    "permissions",
    args,
    io,
    PERMISSIONS_USAGE,
  );
  if (typeof loaded === "number") return loaded;
  io.stdout(
    permissionFlags(computePermissions(loaded.config, loaded.configFile)).join(
      "\n",
    ) + "\n",
  );
  return 0;
}
