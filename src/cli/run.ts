/**
 * `agent run`: the agent as a long-running process.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { CwmpAgent } from "../agent/cwmp_agent.ts";
import { FileStateStore, type StateStore } from "../state/store.ts";
import { ResilientStore } from "../state/resilient_store.ts";
import { HealthFile, HealthReport } from "../state/health.ts";
import { RefusalLog } from "../connreq/refusals.ts";
import { acquireInstanceLock, describeHolder } from "./instance_lock.ts";
import { launcherGone } from "./launcher_watch.ts";
import { pemFileProblems } from "./pem_files.ts";
import { parseSnapshot } from "../device/snapshot.ts";
import { createRpcContext } from "../rpc/context.ts";
import {
  type AgentConfig,
  resolveConfig,
  RUN_FLAGS,
} from "../config/agent_config.ts";
import {
  DEFAULT_SNAPSHOT,
  DEFAULT_SNAPSHOT_DATA,
  openDevice,
  type OpenDeviceOptions,
  parseDeviceSpec,
} from "./device_option.ts";
import type { StateProblem } from "../state/state_document.ts";
import type { CommandIo } from "./io.ts";
import { createLogger } from "./logger.ts";
import { fileURLToPath } from "node:url";
import {
  acsAllowList,
  computePermissions,
  CPE_V8_FLAGS,
  permissionFlags,
  urlAllowed,
} from "../sandbox/permissions.ts";
import { childEnvironment, readEnv } from "../sandbox/child_env.ts";
import { BUILD_PROFILE } from "../tls/build_profile.ts";
import {
  environmentProblems,
  environmentWarnings,
  redirectAllowed,
  type TlsProfile,
  tlsSettings,
  TRUST_WIDENING_VARIABLES,
} from "../tls/profile.ts";
import type { DeviceAdapter } from "../datamodel/adapter.ts";
import { SimulatedDevice } from "../device/simulated.ts";

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

/** Whether this process may start Deno itself (the `agent` task allows it). */
function canRelaunch(): boolean {
  try {
    return Deno.permissions.querySync({ name: "run", command: Deno.execPath() })
      .state === "granted";
  } catch {
    return false;
  }
}

/** Starts `agent run` again under the computed permissions and waits for it. */
async function relaunchSandboxed(
  args: readonly string[],
  config: AgentConfig,
  configFile: string | undefined,
  stop: Promise<void>,
  env: Record<string, string>,
): Promise<number> {
  const main = fileURLToPath(new URL("./main.ts", import.meta.url));
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

/** Store key of the configuration values applied at the last start. */
const APPLIED_CONFIG_KEY = "applied-config";

const MS_FROM_CONFIG: Readonly<Partial<Record<keyof AgentConfig, string>>> = {
  "acs-url": "URL",
  "acs-username": "Username",
  "acs-password": "Password",
  "cr-username": "ConnectionRequestUsername",
  "cr-password": "ConnectionRequestPassword",
  "periodic-interval": "PeriodicInformInterval",
};

/**
 * Runs `agent run` until a signal (or `signal` in tests) stops it.
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

  // Run under exactly the computed permissions: re-launch self with them, when this process may
  // start Deno (the `agent` task grants that).
  const relaunch = !sandboxed && canRelaunch();
  const tlsEnv = env ?? readTlsEnvironment();
  // The child starts from a cleared environment: nothing here can widen the
  // trust the build's profile fixed (lab passes the TLS variables on).
  const child = childEnvironment(
    profile,
    env ? (name) => env[name] : readEnv,
  );
  if (relaunch && child.dropped.length > 0) {
    log({
      level: "warn",
      msg: "not passed to the agent",
      variables: child.dropped,
      reason:
        `the ${profile.name} TLS profile does not let the environment change whom the agent trusts`,
    });
  }
  // The build's TLS profile decides; the environment and the configuration may only narrow it.
  // Run directly (a compiled binary, a service unit), the agent refuses what a launcher drops.
  // Checked here as the child would, so that a refusal needs no child.
  const effectiveEnv = relaunch
    ? Object.fromEntries(
      // Strict cannot prove clean what it could not read.
      Object.entries(
        profile.name === "strict" ? { ...tlsEnv, ...child.env } : child.env,
      ).filter(([name]) =>
        name === "DENO_TLS_CA_STORE" || TRUST_WIDENING_VARIABLES.includes(name)
      ),
    )
    : tlsEnv;
  const refusals = environmentProblems(profile, effectiveEnv);
  if (refusals.length > 0) {
    for (const problem of refusals) {
      log({ level: "error", msg: "refusing to start", problem });
    }
    return 1;
  }
  // Said once, by the process that runs the agent; about what it can read.
  if (!relaunch) {
    const readable = Object.fromEntries(
      Object.entries(tlsEnv).filter(([name]) =>
        (env ? env[name] : readEnv(name)) !== undefined
      ),
    );
    for (const warning of environmentWarnings(profile, readable)) {
      log({ level: "warn", msg: "LAB TLS PROFILE", warning });
    }
  }
  if (
    config["acs-url"] !== undefined && profile.name !== "lab" &&
    !config["acs-url"].startsWith("https://")
  ) {
    log({
      level: "error",
      msg: "refusing to start",
      problem:
        `acs-url: the ${profile.name} TLS profile accepts https URLs only`,
    });
    return 1;
  }
  const pemProblems = await pemFileProblems(
    config,
    (path) => io.readFile(path),
  );
  if (pemProblems.length > 0) {
    for (const problem of pemProblems) {
      log({ level: "error", msg: "refusing to start", problem });
    }
    return 1;
  }
  if (relaunch) {
    return await relaunchSandboxed(args, config, configFile, stop, child.env);
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

  let agent: CwmpAgent;
  let store: ResilientStore | undefined;
  let health: HealthFile | undefined;
  let healthReport: HealthReport | undefined;
  let crRefusals: RefusalLog | undefined;
  let releaseLock = () => {};
  try {
    const files = new FileStateStore(config["state-dir"]);
    await Deno.mkdir(config["state-dir"], { recursive: true, mode: 0o700 });
    const lock = await acquireInstanceLock(config["state-dir"]);
    if (lock.ok === false) {
      log({
        level: "error",
        msg: "refusing to start",
        problem: `the state directory ${config["state-dir"]} is in use by ${
          describeHolder(lock.holder)
        } (${lock.path})`,
      });
      return 1;
    }
    if (lock.ok === "unavailable") {
      log({
        level: "warn",
        msg: "running without the instance lock",
        error: lock.error,
      });
    } else {
      releaseLock = lock.release;
    }
    const stale = await files.removeTemporaries();
    if (stale > 0) {
      log({
        level: "info",
        msg: "removed temporary files of interrupted writes",
        count: stale,
      });
    }
    health = await HealthFile.open(config["state-dir"]);
    const report = healthReport = new HealthReport(health);
    store = new ResilientStore(files, {
      log: (level, msg, fields) => log({ level, msg, ...fields }),
      // Rare and what status is asked about: written at once.
      onHealth: (state) => void report.updateNow({ state }),
    });
    report.update({ state: store.health });
    await report.flush();
    crRefusals = new RefusalLog({
      log: (msg, details) => log({ level: "warn", msg, ...details }),
      onChange: (connectionRequests) => report.update({ connectionRequests }),
    });
    const onStateProblem = (problem: StateProblem) =>
      log({ level: "error", msg: "state file repaired", ...problem });
    const device = await openConfiguredDevice(config, store, {
      onWarning: (warning) =>
        log({ level: "warn", msg: "snapshot loaded", warning }),
      onStateProblem,
    });
    const allowList = acsAllowList(config);
    const urlRefusal = (url: string) => {
      if (!urlAllowed(allowList, url)) {
        return `${url} is outside the ACS allow-list (${
          allowList.join(", ") || "empty"
        })`;
      }
      if (profile.name !== "lab" && !url.startsWith("https://")) {
        return `the ${profile.name} TLS profile allows https only`;
      }
      return undefined;
    };
    const context = await createRpcContext(device, {
      onStateProblem,
      // The configured ACS is this device's factory URL: what a stored URL
      // that no longer checks out falls back to.
      ...(config["acs-url"] ? { defaults: { URL: config["acs-url"] } } : {}),
      ...(config["root-data-model-version"] !== undefined
        ? { rootDataModelVersion: config["root-data-model-version"] }
        : {}),
      validateUrl: (url) => {
        const refusal = urlRefusal(url);
        if (refusal) {
          log({
            level: "warn",
            msg: "ManagementServer.URL refused",
            reason: refusal,
          });
        }
        return refusal;
      },
    });
    await applyConfig(config, context, store);
    if (
      enableCwmp && context.device.managementServer("EnableCWMP") !== "true"
    ) {
      // EnableCWMP=false is undone on the LAN side only (TR-181): this flag.
      await context.device.setManagementServer({ EnableCWMP: "true" });
      log({ level: "info", msg: "CWMP enabled again (--enable-cwmp)" });
    }
    const readPem = async (file: string | undefined) =>
      file === undefined
        ? undefined
        : new TextDecoder().decode(await io.readFile(file));
    const caFile = await readPem(config["ca-file"]);
    const cert = await readPem(config["cert-file"]);
    const key = await readPem(config["key-file"]);
    const crCert = await readPem(config["cr-cert-file"]);
    const crKey = await readPem(config["cr-key-file"]);
    const crClientCa = await readPem(config["cr-client-ca-file"]);
    const tls = tlsSettings(profile, {
      acsUrl: context.device.managementServer("URL") || undefined,
      ...(caFile !== undefined ? { caFile } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
    });
    agent = new CwmpAgent({
      context,
      log,
      sessionLimits: {
        ...(config["session-max-requests"] !== undefined
          ? { maxRequests: config["session-max-requests"] }
          : {}),
        ...(config["session-max-duration"] !== undefined
          ? { maxDurationMs: config["session-max-duration"] * 1000 }
          : {}),
      },
      allowPlainHttp: profile.name === "lab",
      client: {
        caCerts: tls.caCerts,
        pins: tls.pins,
        minTlsVersion: tls.minTlsVersion,
        ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
        allowRedirect: (url) =>
          redirectAllowed(profile, url) && urlAllowed(allowList, url.href),
      },
      connectionRequest: {
        ...(crCert && crKey
          ? {
            tls: {
              cert: crCert,
              key: crKey,
              ...(crClientCa ? { clientCa: [crClientCa] } : {}),
            },
          }
          : {}),
        hostname: config["cr-host"] ?? "127.0.0.1",
        port: config["cr-port"] ?? 7547,
        ...(config["cr-rate-burst"] !== undefined
          ? { rateLimit: config["cr-rate-burst"] }
          : {}),
        ...(config["cr-rate-interval"] !== undefined
          ? { rateIntervalMs: config["cr-rate-interval"] * 1000 }
          : {}),
        ...(config["cr-path"] ? { path: config["cr-path"] } : {}),
        ...(crRefusals ? { refusals: crRefusals } : {}),
      },
    });
    await agent.start();
  } catch (error) {
    log({
      level: "error",
      msg: "cannot start",
      error: (error as Error).message,
    });
    health?.close();
    releaseLock();
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
  await agent.stop();
  // A last try for what the disk did not take; it stays in memory otherwise.
  await store.flush();
  store.close();
  if (!store.health.ok) {
    log({
      level: "error",
      msg: "stopped with state not on disk",
      pending: store.health.pending,
    });
  }
  await healthReport?.flush();
  health?.close();
  releaseLock();
  globalThis.removeEventListener("unhandledrejection", unhandled);
  log({ level: "info", msg: "stopped" });
  return 0;
}

async function openConfiguredDevice(
  config: AgentConfig,
  store: StateStore,
  options: OpenDeviceOptions,
): Promise<DeviceAdapter> {
  const spec = parseDeviceSpec(config.device);
  if (spec.kind === "sim" && config.serial !== undefined) {
    const builtin = spec.snapshot === DEFAULT_SNAPSHOT;
    const snapshot = builtin
      ? DEFAULT_SNAPSHOT_DATA
      : parseSnapshot(await Deno.readTextFile(spec.snapshot), spec.snapshot);
    const paths = Object.keys(snapshot);
    const serialPath = paths.find((p) =>
      /^[^.]+\.DeviceInfo\.SerialNumber$/.test(p)
    ) ??
      paths.find((p) => p === "DeviceID.SerialNumber");
    if (!serialPath) {
      throw new Error("--serial: the snapshot has no DeviceInfo.SerialNumber");
    }
    const overrides = { [serialPath]: config.serial };
    return builtin
      ? await SimulatedDevice.restore(snapshot, {
        store,
        overrides,
        onStateProblem: options.onStateProblem,
      })
      : await openDevice(spec, store, { ...options, overrides });
  }
  return await openDevice(spec, store, options);
}

async function applyConfig(
  config: AgentConfig,
  context: Awaited<ReturnType<typeof createRpcContext>>,
  store: StateStore,
) {
  // What the configuration set last time; unreadable means "nothing yet",
  // so every configured value applies again (the configuration is the truth).
  const saved = await store.read(APPLIED_CONFIG_KEY).catch(() => undefined);
  const applied: Record<string, string> = {};
  if (typeof saved === "object" && saved !== null && !Array.isArray(saved)) {
    for (const [key, value] of Object.entries(saved)) {
      if (typeof value === "string") applied[key] = value;
    }
  }
  const changes = [];
  const next: Record<string, string> = { ...applied };
  for (const [key, name] of Object.entries(MS_FROM_CONFIG)) {
    const value = config[key as keyof AgentConfig];
    if (value === undefined) continue;
    const text = String(value);
    if (applied[key] !== text) {
      changes.push({
        path: `${context.device.root}.ManagementServer.${name}`,
        value: text,
      });
    }
    next[key] = text;
  }
  if (changes.length > 0) await context.device.apply(changes);
  await store.write(APPLIED_CONFIG_KEY, next);
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
