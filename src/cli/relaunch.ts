/**
 * The sandbox around `agent run`: whether the environment lets the agent
 * start under the build's TLS profile, and the re-launch of itself under
 * exactly the permissions its configuration needs, in a cleared
 * environment, watching a pipe from this process.
 *
 * @module
 */
import { filePathOf } from "../sandbox/paths.ts";
import type { AgentConfig } from "../config/agent_config.ts";
import {
  computePermissions,
  CPE_V8_FLAGS,
  permissionFlags,
} from "../sandbox/permissions.ts";
import { childEnvironment, readEnv } from "../sandbox/child_env.ts";
import {
  environmentProblems,
  environmentWarnings,
  type TlsProfile,
  TRUST_WIDENING_VARIABLES,
} from "../tls/profile.ts";

/** What the environment check found. */
export interface EnvironmentCheck {
  /** Why the agent may not start (empty when it may). */
  readonly refusals: readonly string[];
  /** What to say (a dropped variable, the lab profile's leniency). */
  readonly warnings: readonly ({ msg: string } & Record<string, unknown>)[];
  /** The child's environment, when this process re-launches itself. */
  readonly childEnv: Record<string, string>;
}

/**
 * Checks the environment against `profile`. Re-launching, the child's
 * cleared environment is what counts (standard leaves the TLS variables
 * behind and says so; strict passes them so that they are refused); run
 * directly (a compiled binary, a service unit), the agent refuses what a
 * launcher would drop. Checked here as the child would, so that a refusal
 * needs no child.
 *
 * @example
 * ```ts
 * import { checkEnvironment } from "./relaunch.ts";
 * const lab = { name: "lab" as const, caCerts: [], clientCertRequired: false };
 * console.log(checkEnvironment(lab, false, {}).refusals.length); // 0
 * ```
 */
export function checkEnvironment(
  profile: TlsProfile,
  relaunch: boolean,
  env: Readonly<Record<string, string>> | undefined,
): EnvironmentCheck {
  const read = env ? (name: string) => env[name] : readEnv;
  const tlsEnv = env ?? readTlsEnvironment();
  const child = childEnvironment(profile, read);
  const warnings: ({ msg: string } & Record<string, unknown>)[] = [];
  if (relaunch && child.dropped.length > 0) {
    warnings.push({
      msg: "not passed to the agent",
      variables: child.dropped,
      reason:
        `the ${profile.name} TLS profile does not let the environment change whom the agent trusts`,
    });
  }
  const effective = relaunch
    ? Object.fromEntries(
      // Strict cannot prove clean what it could not read.
      Object.entries(
        profile.name === "strict" ? { ...tlsEnv, ...child.env } : child.env,
      ).filter(([name]) =>
        name === "DENO_TLS_CA_STORE" || TRUST_WIDENING_VARIABLES.includes(name)
      ),
    )
    : tlsEnv;
  // Said once, by the process that runs the agent; about what it can read.
  if (!relaunch) {
    const readable = Object.fromEntries(
      Object.entries(tlsEnv).filter(([name]) => read(name) !== undefined),
    );
    for (const warning of environmentWarnings(profile, readable)) {
      warnings.push({ msg: "LAB TLS PROFILE", warning });
    }
  }
  return {
    refusals: environmentProblems(profile, effective),
    warnings,
    childEnv: child.env,
  };
}

/** Whether this process may start Deno itself (the `agent` task allows it). */
export function canRelaunch(): boolean {
  try {
    return Deno.permissions.querySync({ name: "run", command: Deno.execPath() })
      .state === "granted";
  } catch {
    return false;
  }
}

/** Starts `agent run` again under the computed permissions and waits for it. */
export async function relaunchSandboxed(
  args: readonly string[],
  config: AgentConfig,
  configFile: string | undefined,
  stop: Promise<void>,
  env: Record<string, string>,
): Promise<number> {
  const main = filePathOf(new URL("./main.ts", import.meta.url));
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      CPE_V8_FLAGS,
      ...permissionFlags(computePermissions(config, configFile)),
      main,
      "run",
      ...args,
      "--sandboxed",
      "--parent-pipe",
    ],
    clearEnv: true,
    env,
    // Never written to: when this process dies, the child sees it close.
    stdin: "piped",
  }).spawn();
  void stop.then(() => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
  });
  const { code } = await child.status;
  await child.stdin.close().catch(() => {});
  return code;
}

/**
 * The TLS variables, read one by one (the agent is granted --allow-env for
 * exactly these). One that cannot be read counts as set: Deno honours it
 * whatever the permissions, so the environment cannot be proved clean.
 */
function readTlsEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...TRUST_WIDENING_VARIABLES, "DENO_TLS_CA_STORE"]) {
    try {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    } catch {
      env[name] = "(unreadable: grant --allow-env for it)";
    }
  }
  return env;
}
