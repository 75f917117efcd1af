/**
 * The Linux host adapter: real values read from the machine the agent runs
 * on. It is the example a vendor copies — each getter shows where firmware
 * code goes. Everything that would change the host is read-only; the one
 * writable parameter (ProvisioningCode) lives in the agent's store.
 *
 * Permissions it needs: read `/etc/os-release` and `/etc/machine-id`; sys
 * `networkInterfaces`, `hostname`, `osUptime`, `systemMemoryInfo` and
 * `loadavg`. Deno 2.9.6 lets a program read files under `/proc` and `/sys`
 * only with every permission (`--allow-read=/proc/uptime` is not enough), so
 * uptime, memory and load come from Deno's own calls; the kernel's boot id
 * and the DMI vendor and product names are read only where all permissions
 * are given. Without a boot id the agent counts each of its starts as a boot.
 *
 * @module
 */
import type {
  ApplyResult,
  DeviceAdapter,
  DeviceIdentity,
} from "../datamodel/adapter.ts";
import { NotImplementedError } from "../datamodel/adapter.ts";
import {
  FileRejected,
  type TransferAdapter,
} from "../datamodel/transfer_adapter.ts";
import type { StateStore } from "../state/store.ts";
import { createTableAdapter, type TableParameter } from "./table_adapter.ts";

/** Options for {@linkcode createLinuxHostAdapter}. */
export interface LinuxHostOptions {
  /** Where the agent keeps its state. */
  readonly store: StateStore;
  /** The organisation's OUI (six upper-case hex digits); a vendor sets its own. */
  readonly oui?: string;
  /** The product class reported to the ACS. */
  readonly productClass?: string;
  /** Overrides the serial number (defaults to the host's machine id). */
  readonly serialNumber?: string;
}

/**
 * What the example does with files: a vendor's adapter writes a firmware
 * image to flash here, and checks its signature (FileRejected 9019). This
 * one, running on a workstation, refuses every download rather than touch
 * the host, and uploads only the files named with `agent run
 * --upload-files` (the agent sends those itself).
 */
const LINUX_HOST_TRANSFERS: TransferAdapter = {
  // Deno has no statfs; a vendor reports its flash partition's free bytes.
  freeSpace: () => Promise.resolve(undefined),
  applyDownload: (file) =>
    Promise.reject(
      new FileRejected(
        9010,
        `the Linux host example applies no files (${file.fileType}); a vendor's adapter does`,
      ),
    ),
  produceUpload: (fileType) =>
    Promise.reject(
      new Error(
        `the Linux host example has no ${fileType}; name a file for it with --upload-files`,
      ),
    ),
};

async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

/** Key/value pairs of /etc/os-release. */
async function osRelease(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of (await readText("/etc/os-release")).split("\n")) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) out[match[1]] = match[2].replace(/^"(.*)"$/, "$1");
  }
  return out;
}

/** KiB of memory in all, or available, as /proc/meminfo counts them. */
function memoryKib(which: "total" | "available"): string {
  try {
    return String(Math.floor(Deno.systemMemoryInfo()[which] / 1024));
  } catch {
    return "0";
  }
}

/** Seconds since the host booted. */
function upTimeSeconds(): string {
  try {
    return String(Math.floor(Deno.osUptime()));
  } catch {
    return "0";
  }
}

/** The one-minute load average. */
function loadAverage(): number {
  try {
    return Deno.loadavg()[0];
  } catch {
    return 0;
  }
}

interface HostInterface {
  readonly name: string;
  readonly ipv4: { address: string; netmask: string }[];
  readonly ipv6: string[];
}

/** Network interfaces grouped by name, numbered 1… in name order (stable across calls). */
function hostInterfaces(): HostInterface[] {
  const byName = new Map<string, HostInterface>();
  for (const i of Deno.networkInterfaces()) {
    let entry = byName.get(i.name);
    if (!entry) {
      byName.set(i.name, entry = { name: i.name, ipv4: [], ipv6: [] });
    }
    if (i.family === "IPv4") {
      entry.ipv4.push({ address: i.address, netmask: i.netmask });
    } else entry.ipv6.push(i.address.split("%")[0]);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const ro = (
  type: TableParameter["type"],
  get: TableParameter["get"],
  extra: Partial<TableParameter> = {},
) => ({
  type,
  get,
  ...extra,
});
const str = (max: number) => ({ base: "string" as const, maxLength: max });

/**
 * An adapter for the Linux host the agent runs on.
 *
 * @example
 * ```ts
 * import { createLinuxHostAdapter } from "./linux.ts";
 * import { MemoryStateStore } from "../state/store.ts";
 * const host = await createLinuxHostAdapter({ store: new MemoryStateStore() });
 * const up = await host.getValues(["Device.DeviceInfo.UpTime"]);
 * console.log(Number(up.get("Device.DeviceInfo.UpTime")) > 0); // true
 * ```
 */
export async function createLinuxHostAdapter(
  options: LinuxHostOptions,
): Promise<DeviceAdapter> {
  const release = await osRelease();
  const machineId = (await readText("/etc/machine-id")).trim();
  const vendor = (await readText("/sys/class/dmi/id/sys_vendor")).trim();
  const product = (await readText("/sys/class/dmi/id/product_name")).trim();
  // A vendor reads these from its manufacturing data (EEPROM, device tree).
  const identity: DeviceIdentity = {
    manufacturer: (vendor || "Linux").slice(0, 64),
    oui: options.oui ?? "000000",
    productClass: options.productClass ?? "LinuxHost",
    serialNumber:
      (options.serialNumber ?? (machineId.slice(0, 32) || Deno.hostname()))
        .slice(0, 64),
  };
  const store = options.store;
  const provisioningKey = "linux-provisioning-code";

  const ipv4 = (path: readonly number[]) =>
    hostInterfaces()[path[0] - 1]?.ipv4[path[1] - 1];

  const adapter = createTableAdapter({
    identity,
    store,
    parameters: {
      "Device.DeviceInfo.Manufacturer": ro(
        str(64),
        () => identity.manufacturer,
      ),
      "Device.DeviceInfo.ManufacturerOUI": ro(str(6), () => identity.oui),
      "Device.DeviceInfo.ProductClass": ro(
        str(64),
        () => identity.productClass,
      ),
      "Device.DeviceInfo.SerialNumber": ro(
        str(64),
        () => identity.serialNumber,
      ),
      "Device.DeviceInfo.ModelName": ro(
        str(64),
        () => (product || "Linux host").slice(0, 64),
      ),
      "Device.DeviceInfo.Description": ro(
        str(256),
        () => (release.PRETTY_NAME ?? "Linux").slice(0, 256),
      ),
      // Firmware: the vendor's image version goes here.
      "Device.DeviceInfo.SoftwareVersion": ro(
        str(64),
        () => (release.VERSION_ID ?? release.VERSION ?? "unknown").slice(0, 64),
      ),
      "Device.DeviceInfo.HardwareVersion": ro(str(64), () => Deno.build.arch),
      "Device.DeviceInfo.ProvisioningCode": {
        type: str(64),
        writable: true,
        get: async () =>
          (await store.read(provisioningKey) as string | undefined) ?? "",
        // Stored with the agent state: changing it touches nothing on the host.
        set: (_path, value) => store.write(provisioningKey, value),
      },
      "Device.DeviceInfo.UpTime": ro(
        { base: "unsignedInt" },
        () => upTimeSeconds(),
      ),
      "Device.DeviceInfo.MemoryStatus.Total": ro(
        { base: "unsignedInt" },
        () => memoryKib("total"),
      ),
      "Device.DeviceInfo.MemoryStatus.Free": ro(
        { base: "unsignedInt" },
        () => memoryKib("available"),
      ),
      "Device.DeviceInfo.ProcessStatus.CPUUsage": ro({
        base: "unsignedInt",
        ranges: [{ max: 100 }],
      }, () => {
        const load = loadAverage();
        return String(
          Math.min(
            100,
            Math.round(load * 100 / (navigator.hardwareConcurrency || 1)),
          ),
        );
      }),
      "Device.Time.CurrentLocalTime": ro(
        { base: "dateTime" },
        () => new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      ),
      "Device.Time.LocalTimeZone": ro(
        str(256),
        () => Intl.DateTimeFormat().resolvedOptions().timeZone ?? "",
      ),
      "Device.IP.InterfaceNumberOfEntries": ro(
        { base: "unsignedInt" },
        () => String(hostInterfaces().length),
      ),
      "Device.IP.Interface.{i}.Enable": ro({ base: "boolean" }, () => "true"),
      "Device.IP.Interface.{i}.Status": ro(
        {
          base: "string",
          enumeration: [
            "Up",
            "Down",
            "Unknown",
            "Dormant",
            "NotPresent",
            "LowerLayerDown",
            "Error",
          ],
        },
        () => "Up",
      ),
      "Device.IP.Interface.{i}.Name": ro(
        str(64),
        (_p, [i]) => hostInterfaces()[i - 1]?.name ?? "",
      ),
      "Device.IP.Interface.{i}.IPv4AddressNumberOfEntries": ro(
        { base: "unsignedInt" },
        (_p, [i]) => String(hostInterfaces()[i - 1]?.ipv4.length ?? 0),
      ),
      "Device.IP.Interface.{i}.IPv6AddressNumberOfEntries": ro(
        { base: "unsignedInt" },
        (_p, [i]) => String(hostInterfaces()[i - 1]?.ipv6.length ?? 0),
      ),
      "Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress": ro(
        str(15),
        (_p, n) => ipv4(n)?.address ?? "",
      ),
      "Device.IP.Interface.{i}.IPv4Address.{i}.SubnetMask": ro(
        str(15),
        (_p, n) => ipv4(n)?.netmask ?? "",
      ),
      "Device.IP.Interface.{i}.IPv6Address.{i}.IPAddress": ro(
        str(45),
        (_p, [i, j]) => hostInterfaces()[i - 1]?.ipv6[j - 1] ?? "",
      ),
    },
    objects: {
      "Device.IP.Interface.{i}.": {
        instances: () => hostInterfaces().map((_, i) => i + 1),
      },
      "Device.IP.Interface.{i}.IPv4Address.{i}.": {
        instances: ([i]) =>
          (hostInterfaces()[i - 1]?.ipv4 ?? []).map((_, j) => j + 1),
      },
      "Device.IP.Interface.{i}.IPv6Address.{i}.": {
        instances: ([i]) =>
          (hostInterfaces()[i - 1]?.ipv6 ?? []).map((_, j) => j + 1),
      },
    },
    // A vendor calls its reboot and reset procedures here. Rebooting the
    // workstation this example runs on would be rude, so it refuses.
    reboot: (): Promise<void> =>
      Promise.reject(new NotImplementedError("reboot of the Linux host")),
    factoryReset: (): Promise<void> =>
      Promise.reject(
        new NotImplementedError("factory reset of the Linux host"),
      ),
    commit: (): Promise<ApplyResult> => Promise.resolve({ applied: true }),
  });
  // The kernel draws a new boot_id at every boot: an agent restart keeps it.
  const bootId = (await readText("/proc/sys/kernel/random/boot_id")).trim();
  const withFiles = { ...adapter, store, transfers: LINUX_HOST_TRANSFERS };
  return bootId
    ? { ...withFiles, bootId: () => Promise.resolve(bootId) }
    : withFiles;
}
