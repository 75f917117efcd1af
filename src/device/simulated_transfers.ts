/**
 * The simulated device's files: what a Download gives it and an Upload
 * takes from it, kept in its state store so they survive a restart.
 *
 * - `1 Firmware Upgrade Image`: a text header, then any payload:
 *   ```
 *   CWMP-SIM-FIRMWARE 1
 *   version: 2.0.1
 *   boot: ok
 *   apply-ms: 0
 *
 *   …payload…
 *   ```
 *   Anything else is refused as corrupted (9018). The image takes effect at
 *   the next reboot: DeviceInfo.SoftwareVersion becomes `version`, unless
 *   the header says `boot: fail`, which simulates an image that does not
 *   come up (the device keeps the old one and reports the failure), and
 *   `apply-ms` makes writing it to flash take that long (at most 60 s);
 *   `signature: invalid` simulates an image whose signature does not
 *   verify (9019).
 * - `3 Vendor Configuration File`: a JSON object of parameter paths to
 *   values, applied at once; an unknown, read-only or ill-typed parameter
 *   refuses the whole file (9018). Its Upload form is the same JSON of
 *   every writable parameter.
 * - `2 Vendor Log File` (upload): the device's log, one line per event.
 * - Web content, tones, ringers and vendor types: accepted and recorded.
 *
 * @module
 */
import type { ApplyResult, ParameterChange } from "../datamodel/adapter.ts";
import type { DataModelDefinitions } from "../datamodel/definitions.ts";
import {
  type AutonomousTransfer,
  type BootResult,
  type DeviceFileRequest,
  type DownloadApplied,
  type DownloadedFile,
  FileRejected,
  type TransferAdapter,
  type UploadContent,
} from "../datamodel/transfer_adapter.ts";
import { toPattern } from "../datamodel/path.ts";
import { checkValue } from "../datamodel/types.ts";
import { v } from "../state/check.ts";
import { loadStateDocument } from "../state/state_document.ts";
import type { StateStore } from "../state/store.ts";

/** Store key of the simulated device's files. */
export const SIMULATED_FILES_KEY = "simulated-files";

/** First line of a simulated firmware image. */
export const SIM_FIRMWARE_MAGIC = "CWMP-SIM-FIRMWARE 1";

/** The largest configuration file the simulated device reads. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
const MAX_LOG_LINES = 200;

/** What the simulated device does to itself. */
export interface SimulatedDeviceSide {
  /** Where the files' record is kept. */
  readonly store: StateStore;
  /** `Device` or `InternetGatewayDevice`. */
  readonly root: string;
  /** The parameter table (a configuration file is checked against it). */
  definitions(): DataModelDefinitions;
  /** Current values. */
  getValues(paths: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Changes values as the device itself does. */
  setValues(changes: readonly ParameterChange[]): Promise<ApplyResult>;
}

interface FilesDocument {
  readonly pending?: { readonly version: string; readonly boots: boolean };
  readonly lastBoot?: { readonly booted: boolean; readonly reason?: string };
  readonly received: readonly {
    readonly fileType: string;
    readonly targetFileName: string;
    readonly size: number;
  }[];
  readonly log: readonly string[];
}

const FILES_SPEC = {
  fields: {
    pending: v.object({ version: v.string().max(64), boots: v.boolean() })
      .optional(),
    lastBoot: v.object({
      booted: v.boolean(),
      reason: v.string().max(256).optional(),
    }).optional(),
    received: v.array(v.object({
      fileType: v.string().max(64),
      targetFileName: v.string().max(256),
      size: v.number().int().min(0),
    })).max(16),
    log: v.array(v.string().max(512)).max(MAX_LOG_LINES),
  },
  fallback: { received: [], log: [] },
};

/**
 * The simulated device's transfer side.
 *
 * @example
 * ```ts
 * import { SimulatedDevice } from "./simulated.ts";
 * const device = SimulatedDevice.fromSnapshot({ "Device.DeviceInfo.SoftwareVersion": { value: "1.0" } });
 * console.log(await device.transfers.freeSpace("1 Firmware Upgrade Image")); // 1073741824
 * ```
 */
export class SimulatedTransfers implements TransferAdapter {
  readonly #device: SimulatedDeviceSide;
  readonly #freeBytes: number;
  #document: FilesDocument | undefined;
  readonly #autonomous = new Set<(t: AutonomousTransfer) => void>();
  readonly #fileRequests = new Set<(r: DeviceFileRequest) => void>();

  /** The files of `device`, with `freeBytes` of room (1 GiB by default). */
  constructor(device: SimulatedDeviceSide, freeBytes = 1024 ** 3) {
    this.#device = device;
    this.#freeBytes = freeBytes;
  }

  freeSpace(): Promise<number> {
    return Promise.resolve(this.#freeBytes);
  }

  async applyDownload(file: DownloadedFile): Promise<DownloadApplied> {
    if (file.fileType === "1 Firmware Upgrade Image") {
      const header = await readFirmwareHeader(file.path);
      if (header.applyMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, header.applyMs));
      }
      await this.#update((d) => ({
        ...d,
        pending: { version: header.version, boots: header.boots },
      }), `firmware ${header.version} received (${file.size} bytes)`);
      return { reboot: true };
    }
    if (file.fileType === "3 Vendor Configuration File") {
      const changes = await this.#readConfig(file.path);
      await this.#device.setValues(changes);
      await this.#update(
        (d) => d,
        `configuration file applied (${changes.length} parameters)`,
      );
      return { reboot: false };
    }
    await this.#update((d) => ({
      ...d,
      received: [...d.received, {
        fileType: file.fileType,
        targetFileName: file.targetFileName,
        size: file.size,
      }].slice(-16),
    }), `${file.fileType} received (${file.size} bytes)`);
    return { reboot: false };
  }

  async produceUpload(fileType: string): Promise<UploadContent> {
    let text: string;
    if (
      /^(1 Vendor Configuration File|3 Vendor Configuration File 1)$/.test(
        fileType,
      )
    ) {
      text = JSON.stringify(await this.#configuration(), null, 2) + "\n";
    } else if (/^(2 Vendor Log File|4 Vendor Log File 1)$/.test(fileType)) {
      text = (await this.#load()).log.join("\n") + "\n";
    } else {
      throw new Error(`the simulated device has no ${fileType}`);
    }
    const bytes = new TextEncoder().encode(text);
    return {
      stream: new Blob([bytes]).stream(),
      size: bytes.byteLength,
      contentType: fileType.includes("Log") ? "text/plain" : "application/json",
    };
  }

  watchAutonomous(listener: (t: AutonomousTransfer) => void): () => void {
    this.#autonomous.add(listener);
    return () => this.#autonomous.delete(listener);
  }

  watchFileRequests(listener: (r: DeviceFileRequest) => void): () => void {
    this.#fileRequests.add(listener);
    return () => this.#fileRequests.delete(listener);
  }

  /** Simulates a transfer the device made on its own (a backup, say). */
  reportAutonomous(transfer: AutonomousTransfer): void {
    for (const listener of this.#autonomous) listener(transfer);
  }

  /** Simulates the device asking the ACS for a file. */
  requestFile(request: DeviceFileRequest): void {
    for (const listener of this.#fileRequests) listener(request);
  }

  async bootResult(): Promise<BootResult> {
    const last = (await this.#load()).lastBoot;
    return last && !last.booted
      ? { booted: false, reason: last.reason ?? "unknown" }
      : { booted: true };
  }

  /** At a reboot: a pending image takes effect, or fails to. */
  async activate(): Promise<void> {
    const pending = (await this.#load()).pending;
    if (!pending) return;
    if (pending.boots) {
      await this.#device.setValues([{
        path: `${this.#device.root}.DeviceInfo.SoftwareVersion`,
        value: pending.version,
      }]);
    }
    await this.#update(
      ({ pending: _, ...d }) => ({
        ...d,
        lastBoot: pending.boots ? { booted: true } : {
          booted: false,
          reason: `image ${pending.version} failed its self-test at boot`,
        },
      }),
      pending.boots
        ? `booted firmware ${pending.version}`
        : `firmware ${pending.version} did not boot; kept the old image`,
    );
  }

  async #configuration(): Promise<Record<string, string>> {
    const writable = this.#device.definitions().parameters.filter((d) =>
      d.writable && !d.path.includes("{i}")
    ).map((d) => d.path);
    const values = await this.#device.getValues(writable);
    return Object.fromEntries(values);
  }

  async #readConfig(path: string): Promise<ParameterChange[]> {
    const size = (await Deno.stat(path)).size;
    if (size > MAX_CONFIG_BYTES) {
      throw new FileRejected(
        9018,
        `The configuration file is ${size} bytes; at most ${MAX_CONFIG_BYTES} are read`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await Deno.readTextFile(path));
    } catch (error) {
      throw new FileRejected(
        9018,
        `The configuration file is not JSON: ${(error as Error).message}`,
      );
    }
    if (
      typeof parsed !== "object" || parsed === null || Array.isArray(parsed)
    ) {
      throw new FileRejected(
        9018,
        "The configuration file must hold a JSON object of parameter paths to values",
      );
    }
    const byPattern = new Map(
      this.#device.definitions().parameters.map((d) => [d.path, d]),
    );
    const changes: ParameterChange[] = [];
    for (const [name, raw] of Object.entries(parsed)) {
      const definition = byPattern.get(toPattern(name));
      if (!definition || !definition.writable || typeof raw !== "string") {
        throw new FileRejected(
          9018,
          `The configuration file sets ${name}, which is ${
            !definition
              ? "not a parameter of this device"
              : !definition.writable
              ? "not writable"
              : "not given as a string"
          }`,
        );
      }
      const checked = checkValue(definition.type, raw);
      if (checked.problem) {
        throw new FileRejected(
          9018,
          `The configuration file sets ${name} to an invalid value: ${checked.problem}`,
        );
      }
      changes.push({ path: name, value: checked.value });
    }
    return changes;
  }

  async #load(): Promise<FilesDocument> {
    this.#document ??= await loadStateDocument(
      this.#device.store,
      SIMULATED_FILES_KEY,
      FILES_SPEC,
    ) as unknown as FilesDocument;
    return this.#document;
  }

  async #update(
    change: (d: FilesDocument) => FilesDocument,
    line: string,
  ): Promise<void> {
    const next = change(await this.#load());
    const log = [...next.log, `${new Date().toISOString()} ${line}`].slice(
      -MAX_LOG_LINES,
    );
    const document = { ...next, log };
    await this.#device.store.write(SIMULATED_FILES_KEY, document);
    this.#document = document;
  }
}

/** Reads and checks a simulated firmware image's header (its first 4 KiB at most). */
async function readFirmwareHeader(
  path: string,
): Promise<{ version: string; boots: boolean; applyMs: number }> {
  const file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(4096);
  let length = 0;
  try {
    for (;;) {
      const n = await file.read(buffer.subarray(length));
      if (n === null || n === 0) break;
      length += n;
      if (length === buffer.length) break;
    }
  } finally {
    file.close();
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(
    buffer.subarray(0, length),
  );
  const [magic, ...rest] = text.split("\n");
  if (magic !== SIM_FIRMWARE_MAGIC) {
    throw new FileRejected(
      9018,
      `Not a firmware image for this device: it does not start with "${SIM_FIRMWARE_MAGIC}"`,
    );
  }
  const fields = new Map<string, string>();
  for (const line of rest) {
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon > 0) {
      fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
  }
  const version = fields.get("version") ?? "";
  if (!/^[\w.+-]{1,64}$/.test(version)) {
    throw new FileRejected(9018, "The firmware image names no valid version");
  }
  if (fields.get("signature") === "invalid") {
    throw new FileRejected(
      9019,
      "The firmware image's signature does not verify against the vendor key",
    );
  }
  const applyMs = Math.min(Number(fields.get("apply-ms") ?? 0) || 0, 60_000);
  return { version, boots: fields.get("boot") !== "fail", applyMs };
}
