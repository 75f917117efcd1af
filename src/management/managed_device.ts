/**
 * The device as the agent presents it to the ACS: the vendor's adapter plus
 * the parameters the agent owns itself — `ManagementServer.*` and
 * `RootDataModelVersion` — and the TR-069 flags (Forced Inform, active
 * notification) that the protocol, not the vendor, decides.
 *
 * @module
 */
import { OverlayMap } from "./overlay_map.ts";
import { Serial } from "../state/serial.ts";
import type { DataModelDefinitions } from "../datamodel/definitions.ts";
import type {
  ApplyResult,
  DeviceAdapter,
  DeviceIdentity,
  ParameterChange,
  TransferAdapter,
} from "../datamodel/adapter.ts";
import type { StateStore } from "../state/store.ts";
import type { StateProblem } from "../state/state_document.ts";
import { readStoredValues } from "./stored_values.ts";
import { managementServerTable } from "./stun_parameters.ts";
import {
  AGENT_PARAMETERS_KEY,
  type AgentParameterDefinition,
  withProtocolFlags,
} from "./management_server_parameters.ts";

export {
  AGENT_PARAMETERS_KEY,
  type AgentParameterDefinition,
  MANAGEMENT_SERVER_PARAMETERS,
} from "./management_server_parameters.ts";

/** Options for {@linkcode ManagedDevice.open}. */
export interface ManagedDeviceOptions {
  /** Factory values of agent-owned parameters (`URL`, `Username`, …) overriding the defaults. */
  readonly defaults?: Readonly<Record<string, string>>;
  /**
   * `Device.RootDataModelVersion` (Device:2 only). By default it follows the
   * data model in use: the version the device's definitions name (a
   * generated table knows it), else the device's own parameter if it has
   * one; with neither, the parameter is not advertised rather than guessed.
   */
  readonly rootDataModelVersion?: string;
  /**
   * Checks a new ManagementServer.URL (the sandbox's allow-list, the TLS
   * profile's https rule); returns why it is refused, or undefined.
   */
  readonly validateUrl?: (url: string) => string | undefined;
  /** Receives each problem found in the stored state, which is repaired anyway. */
  readonly onStateProblem?: (problem: StateProblem) => void;
  /** The agent has a UDP Connection Request port: advertise the STUN parameters. */
  readonly stun?: boolean;
}

interface AgentParametersDocument {
  readonly values: Record<string, string>;
}

/**
 * A device adapter wrapped with the agent-owned parameters.
 *
 * @example
 * ```ts
 * import { ManagedDevice } from "./managed_device.ts";
 * import { SimulatedDevice } from "../device/simulated.ts";
 * const device = await ManagedDevice.open(SimulatedDevice.fromSnapshot({
 *   "Device.DeviceInfo.SerialNumber": { value: "S1" },
 * }));
 * const values = await device.getValues(["Device.ManagementServer.CWMPRetryMinimumWaitInterval"]);
 * console.log(values.get("Device.ManagementServer.CWMPRetryMinimumWaitInterval")); // "5"
 * ```
 */
export class ManagedDevice implements DeviceAdapter {
  /** The vendor's adapter. */
  readonly device: DeviceAdapter;
  /** The device's transfer side, if it takes files. */
  readonly transfers: TransferAdapter | undefined;
  /** The root object name: `Device` or `InternetGatewayDevice`. */
  readonly root: string;
  readonly #prefix: string;
  readonly #table: Readonly<Record<string, AgentParameterDefinition>>;
  readonly #definitions: DataModelDefinitions;
  readonly #ownedPaths: ReadonlyMap<string, AgentParameterDefinition>;
  #values: Record<string, string>;
  readonly #writes = new Serial();
  readonly #validateUrl: ((url: string) => string | undefined) | undefined;
  readonly #ownedListeners = new Set<(names: readonly string[]) => void>();

  private constructor(
    device: DeviceAdapter,
    root: string,
    values: Record<string, string>,
    options: ManagedDeviceOptions,
  ) {
    this.device = device;
    this.transfers = device.transfers;
    this.root = root;
    this.#prefix = `${root}.ManagementServer.`;
    this.#table = managementServerTable({ ...options, root });
    const owned = new Map<string, AgentParameterDefinition>();
    for (const [name, definition] of Object.entries(this.#table)) {
      owned.set(this.#prefix + name, definition);
    }
    const version = rootDataModelVersion(root, device, options);
    if (version !== undefined) {
      owned.set("Device.RootDataModelVersion", {
        type: { base: "string", maxLength: 32 },
        writable: false,
        forcedInform: true,
        default: version,
      });
    }
    this.#ownedPaths = owned;
    this.#values = values;
    this.#validateUrl = options.validateUrl;
    const deviceDefinitions = device.definitions();
    // The agent answers for ManagementServer itself; a device's own vendor
    // extensions there (X_…, as real dumps have) stay the device's.
    const agentOwns = (path: string) =>
      owned.has(path) ||
      (path.startsWith(this.#prefix) &&
        !path.slice(this.#prefix.length).startsWith("X_"));
    this.#definitions = {
      parameters: [
        ...deviceDefinitions.parameters
          .filter((d) => !agentOwns(d.path))
          .map((d) => withProtocolFlags(root, d)),
        ...[...owned].map(([path, d]) => ({ ...d, path })),
      ],
      objects: deviceDefinitions.objects.filter((o) => !agentOwns(o.path)),
    };
  }

  /**
   * Wraps `device`, loading the agent-owned values from its store. Values not
   * stored yet take `options.defaults`, then the table's defaults.
   */
  static async open(
    device: DeviceAdapter,
    options: ManagedDeviceOptions = {},
  ): Promise<ManagedDevice> {
    const root = device.definitions().parameters[0]?.path.split(".")[0] ??
      "Device";
    const values: Record<string, string> = {};
    const table = managementServerTable({ ...options, root });
    for (const [name, definition] of Object.entries(table)) {
      values[`${root}.ManagementServer.${name}`] = options.defaults?.[name] ??
        definition.default;
    }
    const stored = await readStoredValues(device.store, root, table, options);
    for (const [path, value] of Object.entries(stored)) values[path] = value;
    // Not a setting: it says what the data model in use is, every time.
    const version = rootDataModelVersion(root, device, options);
    if (version !== undefined) values["Device.RootDataModelVersion"] = version;
    return new ManagedDevice(device, root, values, options);
  }

  get store(): StateStore {
    return this.device.store;
  }

  /**
   * Why the agent refuses a value for one of its own parameters (beyond its
   * type), or undefined: a ManagementServer.URL the policy does not allow.
   */
  refusal(path: string, value: string): string | undefined {
    if (path === this.#prefix + "URL" && value !== "" && this.#validateUrl) {
      return this.#validateUrl(value);
    }
    return undefined;
  }

  /** Whether the agent, not the device, owns a parameter. */
  owns(path: string): boolean {
    return this.#ownedPaths.has(path);
  }

  /** The current value of an agent-owned parameter, by name under ManagementServer. */
  managementServer(name: string): string {
    return this.#values[this.#prefix + name] ?? "";
  }

  /** The current ParameterKey. */
  get parameterKey(): string {
    return this.managementServer("ParameterKey");
  }

  identity(): Promise<DeviceIdentity> {
    return this.device.identity();
  }

  definitions(): DataModelDefinitions {
    return this.#definitions;
  }

  async getValues(
    paths: readonly string[],
  ): Promise<ReadonlyMap<string, string>> {
    let owned = 0;
    for (const path of paths) if (this.owns(path)) owned++;
    // The usual large request names none of the agent's own parameters.
    if (owned === 0) return await this.device.getValues(paths);
    const own = new Map<string, string>();
    const forDevice = paths.filter((p) => {
      if (!this.owns(p)) return true;
      own.set(p, this.#values[p]);
      return false;
    });
    const fromDevice = forDevice.length > 0
      ? await this.device.getValues(forDevice)
      : new Map<string, string>();
    return new OverlayMap(own, fromDevice);
  }

  instances(table: string): Promise<readonly number[]> {
    return this.device.instances(table);
  }

  setValues(changes: readonly ParameterChange[]): Promise<ApplyResult> {
    return this.apply(changes);
  }

  /**
   * Applies changes atomically across the device and the agent-owned
   * parameters, and records a new ParameterKey with them when given: the
   * device applies its part (all or nothing), then one atomic write stores
   * the agent's part. If that write fails, the device's part is undone.
   */
  async apply(
    changes: readonly ParameterChange[],
    parameterKey?: string,
  ): Promise<ApplyResult> {
    const own = changes.filter((c) => this.owns(c.path));
    const forDevice = changes.filter((c) => !this.owns(c.path));
    let result: ApplyResult = { applied: true };
    let previous: ReadonlyMap<string, string> | undefined;
    if (forDevice.length > 0) {
      previous = await this.device.getValues(forDevice.map((c) => c.path));
      result = await this.device.setValues(forDevice);
    }
    try {
      if (own.length > 0 || parameterKey !== undefined) {
        await this.#persist((current) => {
          const values = { ...current };
          for (const change of own) values[change.path] = change.value;
          if (parameterKey !== undefined) {
            values[this.#prefix + "ParameterKey"] = parameterKey;
          }
          return values;
        });
      }
    } catch (error) {
      if (previous && previous.size > 0) {
        await this.device.setValues(
          [...previous].map(([path, value]) => ({ path, value })),
        );
      }
      throw error;
    }
    return result;
  }

  /** Sets the ConnectionRequestURL the listener publishes (not persisted across restarts). */
  setConnectionRequestUrl(url: string): void {
    this.publish("ConnectionRequestURL", url);
  }

  /**
   * Sets a value the agent finds rather than stores (ConnectionRequestURL,
   * UDPConnectionRequestAddress, NATDetected): not persisted across restarts.
   */
  publish(name: string, value: string): void {
    const before = this.#values;
    this.#values = { ...this.#values, [this.#prefix + name]: value };
    this.#announce(before, this.#values);
  }

  /** Records a new ParameterKey (after a successful AddObject or DeleteObject). */
  async setParameterKey(key: string): Promise<void> {
    await this.#persist((current) => ({
      ...current,
      [this.#prefix + "ParameterKey"]: key,
    }));
  }

  /** Writes `change(values)`; serialized, so overlapping changes never drop one another. */
  #persist(
    change: (values: Record<string, string>) => Record<string, string>,
  ): Promise<void> {
    return this.#writes.run(async () => {
      const before = this.#values;
      const values = change(before);
      await this.store.write(
        AGENT_PARAMETERS_KEY,
        { values } satisfies AgentParametersDocument,
      );
      this.#values = values;
      this.#announce(before, values);
    });
  }

  #announce(
    before: Readonly<Record<string, string>>,
    after: Readonly<Record<string, string>>,
  ): void {
    const names = Object.keys(after).filter((p) => before[p] !== after[p])
      .filter((p) => p.startsWith(this.#prefix))
      .map((p) => p.slice(this.#prefix.length));
    if (names.length === 0) return;
    for (const listener of this.#ownedListeners) {
      try {
        listener(names);
      } catch {
        // A listener's failure is its own; the value is stored.
      }
    }
  }

  /**
   * Calls `listener` with the ManagementServer names (`URL`,
   * `PeriodicInformInterval`, …) whose value changed, after the change is
   * stored, whoever made it (the ACS, the configuration, the agent). Returns
   * the function that stops the calls.
   */
  onManagementServerChange(
    listener: (names: readonly string[]) => void,
  ): () => void {
    this.#ownedListeners.add(listener);
    return () => this.#ownedListeners.delete(listener);
  }

  /**
   * Sets agent-owned ManagementServer parameters from the agent itself (a
   * reboot resetting DelayReboot, say), durably. Not for the ACS: its
   * changes go through {@linkcode ManagedDevice.apply} and the RPCs' checks.
   */
  async setManagementServer(
    values: Readonly<Record<string, string>>,
  ): Promise<void> {
    await this.#persist((current) => {
      const next = { ...current };
      for (const [name, value] of Object.entries(values)) {
        if (this.owns(this.#prefix + name)) next[this.#prefix + name] = value;
      }
      return next;
    });
  }

  /** The device's boot id, or undefined when it cannot tell its boots apart. */
  currentBootId(): Promise<string | undefined> {
    return this.device.bootId?.() ?? Promise.resolve(undefined);
  }

  /** Reports changes the device makes itself, when it can (see {@linkcode DeviceAdapter.watch}). */
  watch(listener: (paths: readonly string[]) => void): () => void {
    return this.device.watch?.(listener) ?? (() => {});
  }

  addInstance(table: string, instance: number): Promise<ApplyResult> {
    return this.device.addInstance(table, instance);
  }

  deleteInstance(instancePath: string): Promise<ApplyResult> {
    return this.device.deleteInstance(instancePath);
  }

  reboot(): Promise<void> {
    return this.device.reboot();
  }

  /** Resets the device and the agent-owned parameters to factory values. */
  async factoryReset(): Promise<void> {
    await this.store.write(AGENT_PARAMETERS_KEY, { values: {} });
    await this.device.factoryReset();
  }
}

/** The RootDataModelVersion the agent answers for, or undefined when it does not. */
function rootDataModelVersion(
  root: string,
  device: DeviceAdapter,
  options: ManagedDeviceOptions,
): string | undefined {
  if (root !== "Device") return undefined;
  if (options.rootDataModelVersion !== undefined) {
    return options.rootDataModelVersion;
  }
  // The version the definitions name is the data model in use; else the
  // device's own parameter answers (a dump says what it was), else nothing.
  return /^Device:(\d+\.\d+)$/.exec(device.definitions().model ?? "")?.[1];
}
