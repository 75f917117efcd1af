/**
 * The device `agent run` manages: opened from `--device` (with `--serial`
 * for the simulated one), its RPC context with the checks the ACS's
 * changes pass, and the configuration applied to it the way a LAN-side
 * change would be.
 *
 * @module
 */
import type { AgentConfig } from "../config/agent_config.ts";
import type { DeviceAdapter } from "../datamodel/adapter.ts";
import { parseSnapshot } from "../device/snapshot.ts";
import { SimulatedDevice } from "../device/simulated.ts";
import {
  createRpcContext,
  type RpcContext,
  type TransferUrlRefusal,
} from "../rpc/context.ts";
import type { StateStore } from "../state/store.ts";
import type { StateProblem } from "../state/state_document.ts";
import {
  acsAllowList,
  fileServerList,
  hostPort,
  urlAllowed,
} from "../sandbox/permissions.ts";
import type { TlsProfile } from "../tls/profile.ts";
import {
  DEFAULT_SNAPSHOT,
  DEFAULT_SNAPSHOT_DATA,
  openDevice,
  type OpenDeviceOptions,
  parseDeviceSpec,
} from "./device_option.ts";

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
 * Why ManagementServer.URL may not become `url` under this configuration
 * and profile, or undefined when it may.
 */
export function urlRefusal(
  config: AgentConfig,
  profile: TlsProfile,
  url: string,
): string | undefined {
  const allowList = acsAllowList(config);
  if (!urlAllowed(allowList, url)) {
    return `${url} is outside the ACS allow-list (${
      allowList.join(", ") || "empty"
    })`;
  }
  if (profile.name !== "lab" && !url.startsWith("https://")) {
    return `the ${profile.name} TLS profile allows https only`;
  }
  return undefined;
}

/**
 * With `--sim-reboot exit`, a reboot of the simulated device ends the
 * process once the device has rebooted (its new boot is on disk), as a
 * real reboot ends the agent; whoever supervises it starts it again, and
 * that start is the boot. A firmware Download is then tested the way it
 * happens on a device.
 */
export function exitOnSimulatedReboot(
  context: RpcContext,
  log: (record: { level: "info"; msg: string }) => void,
  exit: (code: number) => void = (code) => Deno.exit(code),
): void {
  const device = context.device.device;
  if (!(device instanceof SimulatedDevice)) return;
  for (const name of ["reboot", "factoryReset"] as const) {
    const original = device[name].bind(device);
    device[name] = async () => {
      await original();
      log({
        level: "info",
        msg:
          `the simulated device rebooted (${name}); exiting as a real device's agent would (--sim-reboot exit)`,
      });
      exit(0);
    };
  }
}

/**
 * Why a file transfer may not use `url` under this configuration and
 * profile, with the fault it earns: a host outside `file-servers` (9001,
 * request denied), plain http under a profile that forbids it (9013,
 * unsupported protocol); undefined when it may.
 *
 * @example
 * ```ts
 * import { transferUrlRefusal } from "./run_device.ts";
 * import { BUILD_PROFILE } from "../tls/build_profile.ts";
 * // transferUrlRefusal(config, BUILD_PROFILE, new URL("https://cdn.example.net/fw.bin"));
 * ```
 */
export function transferUrlRefusal(
  config: AgentConfig,
  profile: TlsProfile,
  url: URL,
): TransferUrlRefusal | undefined {
  const servers = fileServerList(config);
  if (!urlAllowed(servers, url.href)) {
    return {
      code: 9001,
      reason: `${
        hostPort(url.href)
      } is not among the file servers this agent may use (${
        servers.join(", ") || "none"
      }; name it in file-servers)`,
    };
  }
  if (profile.name !== "lab" && url.protocol !== "https:") {
    return {
      code: 9013,
      reason: `the ${profile.name} TLS profile transfers files over https only`,
    };
  }
  return undefined;
}

/**
 * Opens the configured device and its RPC context, and applies the
 * configuration to it.
 */
export async function openManagedDevice(
  config: AgentConfig,
  profile: TlsProfile,
  store: StateStore,
  log: (
    record:
      & { level: "info" | "warn" | "error"; msg: string }
      & Record<string, unknown>,
  ) => void,
): Promise<RpcContext> {
  const onStateProblem = (problem: StateProblem) =>
    log({ level: "error", msg: "state file repaired", ...problem });
  const device = await openConfiguredDevice(config, store, {
    onWarning: (warning) =>
      log({ level: "warn", msg: "snapshot loaded", warning }),
    onStateProblem,
  });
  const context = await createRpcContext(device, {
    onStateProblem,
    // A UDP port: the Annex G parameters are advertised.
    ...(config["udp-cr-port"] !== undefined ? { stun: true } : {}),
    // The configured ACS is this device's factory URL: what a stored URL
    // that no longer checks out falls back to.
    ...(config["acs-url"] ? { defaults: { URL: config["acs-url"] } } : {}),
    ...(config["root-data-model-version"] !== undefined
      ? { rootDataModelVersion: config["root-data-model-version"] }
      : {}),
    validateUrl: (url) => {
      const refusal = urlRefusal(config, profile, url);
      if (refusal) {
        log({
          level: "warn",
          msg: "ManagementServer.URL refused",
          reason: refusal,
        });
      }
      return refusal;
    },
    transferUrlProblem: (url) => {
      const refusal = transferUrlRefusal(config, profile, url);
      if (refusal) {
        log({
          level: "warn",
          msg: "file transfer refused",
          reason: refusal.reason,
        });
      }
      return refusal;
    },
  });
  await applyConfig(config, context, store);
  return context;
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
  context: RpcContext,
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
