/**
 * `agent run`: the agent as a long-running process. The steps live beside
 * this file: the flags and config file (`run_config.ts`), the environment
 * and the sandbox (`relaunch.ts`), the state directory (`run_state.ts`),
 * the device (`run_device.ts`) and the agent (`run_agent.ts`).
 *
 * @module
 */
import type { CwmpAgent } from "../agent/cwmp_agent.ts";
import { BUILD_PROFILE } from "../tls/build_profile.ts";
import type { TlsProfile } from "../tls/profile.ts";
import type { CommandIo } from "./io.ts";
import { launcherGone } from "./launcher_watch.ts";
import { createLogger } from "./logger.ts";
import { pemFileProblems } from "./pem_files.ts";
import {
  canRelaunch,
  checkEnvironment,
  relaunchSandboxed,
} from "./relaunch.ts";
import { createAgent } from "./run_agent.ts";
import { loadRunConfig, RUN_USAGE } from "./run_config.ts";
import { exitOnSimulatedReboot, openManagedDevice } from "./run_device.ts";
import { startLocalInterface } from "./run_local.ts";
import type { LocalServer } from "../local/local_server.ts";
import { type OpenState, openStateDir } from "./run_state.ts";

export {
  type LoadedRunConfig,
  loadRunConfig,
  RUN_USAGE,
} from "./run_config.ts";

/**
 * Runs `agent run` until a signal (or `stop` in tests) stops it. `profile`
 * and `env` stand in for the build's profile and the environment in tests.
 *
 * @example
 * ```ts
 * import { runCommand } from "./run.ts";
 * // await runCommand(["--state-dir", "/var/lib/cwmp", "--acs-url", "https://acs.example.net/"], io);
 * ```
 */
export async function runCommand(
  args: readonly string[],
  io: CommandIo,
  stop: Promise<void> = signalled(),
  profile: TlsProfile = BUILD_PROFILE,
  env: Readonly<Record<string, string>> | undefined = undefined,
): Promise<number> {
  const loaded = await loadRunConfig("run", args, io, RUN_USAGE);
  if (typeof loaded === "number") return loaded;
  const { config, configFile, sandboxed, parentPipe, enableCwmp } = loaded;
  const log = createLogger({
    level: config["log-level"],
    format: config["log-format"],
    write: (l) => io.stderr(l + "\n"),
  });
  const refuse = (problems: readonly string[]) => {
    for (const problem of problems) {
      log({ level: "error", msg: "refusing to start", problem });
    }
    return 1;
  };

  // Run under exactly the computed permissions: re-launch self with them,
  // when this process may start Deno (the `agent` task grants that).
  const relaunch = !sandboxed && canRelaunch();
  // The build's TLS profile decides; the environment and the configuration
  // may only narrow it.
  const environment = checkEnvironment(profile, relaunch, env);
  for (const warning of environment.warnings) {
    log({ level: "warn", ...warning });
  }
  if (environment.refusals.length > 0) return refuse(environment.refusals);
  if (
    config["acs-url"] !== undefined && profile.name !== "lab" &&
    !config["acs-url"].startsWith("https://")
  ) {
    return refuse([
      `acs-url: the ${profile.name} TLS profile accepts https URLs only`,
    ]);
  }
  const pemProblems = await pemFileProblems(config, (p) => io.readFile(p));
  if (pemProblems.length > 0) return refuse(pemProblems);
  if (relaunch) {
    return await relaunchSandboxed(
      args,
      config,
      configFile,
      stop,
      environment.childEnv,
    );
  }
  if (profile.name === "lab") {
    log({
      level: "warn",
      msg:
        "LAB TLS PROFILE: plain http to the ACS is allowed. Build with `deno task profile strict|standard` for a device.",
    });
  }

  // Nothing a peer or the disk does may end the process: a promise that
  // escaped every handler is logged, not fatal.
  const unhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    log({
      level: "error",
      msg: "unhandled failure",
      error: String((event.reason as Error)?.stack ?? event.reason),
    });
  };
  globalThis.addEventListener("unhandledrejection", unhandled);
  let state: OpenState | undefined;
  let agent: CwmpAgent;
  let local: LocalServer | undefined;
  try {
    const opened = await openStateDir(config["state-dir"], log);
    if (typeof opened === "string") {
      globalThis.removeEventListener("unhandledrejection", unhandled);
      return refuse([opened]);
    }
    state = opened;
    const context = await openManagedDevice(config, profile, state.store, log);
    if (config["sim-reboot"] === "exit") exitOnSimulatedReboot(context, log);
    if (
      enableCwmp && context.device.managementServer("EnableCWMP") !== "true"
    ) {
      // EnableCWMP=false is undone on the LAN side only (TR-181): this flag.
      await context.device.setManagementServer({ EnableCWMP: "true" });
      log({ level: "info", msg: "CWMP enabled again (--enable-cwmp)" });
    }
    agent = await createAgent(config, profile, context, {
      readFile: (path) => io.readFile(path),
      log,
      refusals: state.refusals,
      reportUdp: state.reportUdp,
    });
    await agent.start();
    local = await startLocalInterface(config, context, agent, log);
  } catch (error) {
    log({
      level: "error",
      msg: "cannot start",
      error: (error as Error).message,
    });
    await state?.close();
    globalThis.removeEventListener("unhandledrejection", unhandled);
    return 1;
  }
  log({
    level: "info",
    msg: "agent started",
    connectionRequestUrl: agent.connectionRequestUrl ?? "",
  });
  await Promise.race([
    stop,
    ...(parentPipe
      ? [
        launcherGone(io.stdin).then(() =>
          log({ level: "warn", msg: "the launcher is gone" })
        ),
      ]
      : []),
  ]);
  log({ level: "info", msg: "stopping" });
  await local?.stop();
  await agent.stop();
  // A last try for what the disk did not take; it stays in memory otherwise.
  await state.close();
  globalThis.removeEventListener("unhandledrejection", unhandled);
  log({ level: "info", msg: "stopped" });
  return 0;
}

/** Resolves on SIGINT or SIGTERM. */
function signalled(): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, () => resolve());
    } catch {
      // Signals the platform lacks are ignored.
    }
  }
  return promise;
}
