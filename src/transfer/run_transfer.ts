/**
 * One attempt at one transfer: a download fetched into the spool and
 * handed to the device, or an upload the device produces sent with PUT.
 * Whatever happens comes back as an outcome with a fault code; nothing is
 * thrown.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import {
  FileRejected,
  type TransferAdapter,
} from "../datamodel/transfer_adapter.ts";
import type { QueuedTransfer } from "../state/transfers.ts";
import {
  downloadFile,
  type FileClientOptions,
  uploadFile,
} from "./file_client.ts";
import type { TransferSpool } from "./spool.ts";
import { syncReadStream } from "./file_stream.ts";

/** How an attempt ended. */
export type AttemptOutcome =
  | {
    readonly ok: true;
    /** Bytes moved. */
    readonly bytes: number;
    /** The device must reboot for the file to take effect. */
    readonly reboot: boolean;
  }
  | {
    readonly ok: false;
    /** The fault code for TransferComplete. */
    readonly faultCode: number;
    /** The reason, for the ACS and the log. */
    readonly faultString: string;
  };

/** What an attempt works with. */
export interface AttemptParts {
  /** The device's transfer side (undefined: it takes no files). */
  readonly adapter: TransferAdapter | undefined;
  /** Where downloads land. */
  readonly spool: TransferSpool;
  /** TLS settings, limits and the policy for redirects. */
  readonly client: FileClientOptions;
  /** Largest download accepted when the device cannot say how much room it has. */
  readonly maxDownloadBytes: number;
  /** Told of the bytes moved so far, as they move. */
  readonly progress: (bytes: number) => void;
  /** Called once the file is whole and before it is applied (TransferState 3). */
  readonly applying: () => Promise<void>;
  /** Files an Upload of these FileTypes sends, instead of asking the device. */
  readonly uploadFiles?: Readonly<Record<string, string>>;
}

/** The fault for `error`: its own code, a device's refusal, or `fallback`. */
export function faultOf(
  error: unknown,
  fallback: 9010 | 9011,
): { faultCode: number; faultString: string } {
  if (error instanceof CwmpFault) {
    return { faultCode: error.code, faultString: error.message.slice(0, 256) };
  }
  if (error instanceof FileRejected) {
    return { faultCode: error.code, faultString: error.message.slice(0, 256) };
  }
  const message = String((error as Error)?.message ?? error);
  return {
    faultCode: fallback,
    faultString:
      (fallback === 9011
        ? `Upload failed: ${message}`
        : `File transfer failed: ${message}`).slice(0, 256),
  };
}

/**
 * Fetches a download into the spool (at most the space the device reports,
 * and never more than a FileSize the ACS gave), then lets the device apply
 * it. A file that fails before the device sees it is removed here; once the
 * device has answered, the caller removes it (see {@linkcode applyDownload}).
 *
 * @example
 * ```ts
 * import { attemptDownload } from "./run_transfer.ts";
 * // const outcome = await attemptDownload(entry, parts);
 * ```
 */
export async function attemptDownload(
  entry: QueuedTransfer,
  parts: AttemptParts,
): Promise<AttemptOutcome> {
  const adapter = parts.adapter;
  if (!adapter) {
    return {
      ok: false,
      faultCode: 9010,
      faultString: "This device takes no files",
    };
  }
  let bytes = 0;
  try {
    const free = await adapter.freeSpace(entry.fileType);
    const limit = Math.min(
      free ?? parts.maxDownloadBytes,
      parts.maxDownloadBytes,
    );
    if (entry.fileSize > 0 && entry.fileSize > limit) {
      throw new CwmpFault(
        9010,
        `The file (${entry.fileSize} bytes) is larger than the ${limit} bytes free for ${entry.fileType}`,
      );
    }
    const file = await parts.spool.receive(entry.id, async (write) => {
      await downloadFile(
        entry.url,
        entry,
        async (chunk) => {
          await write(chunk);
          bytes += chunk.byteLength;
          parts.progress(bytes);
        },
        limit,
        parts.client,
      );
    });
    if (entry.fileSize > 0 && file.bytes !== entry.fileSize) {
      throw new CwmpFault(
        9018,
        `The file is ${file.bytes} bytes, not the ${entry.fileSize} bytes FileSize announced`,
      );
    }
    return await applyDownload(entry, file.bytes, parts);
  } catch (error) {
    await parts.spool.remove(entry.id);
    return { ok: false, ...faultOf(error, 9010) };
  }
}

/**
 * Hands a whole file in the spool to the device (also again, after the
 * agent stopped in the middle of applying it). The file stays in the spool:
 * the caller removes it once the outcome is recorded, so an agent stopped
 * during the apply can apply it again, and the removal (tens of ms for a
 * large file on a disk that discards freed blocks) does not hold up the
 * TransferComplete.
 */
export async function applyDownload(
  entry: QueuedTransfer,
  bytes: number,
  parts: AttemptParts,
): Promise<AttemptOutcome> {
  const adapter = parts.adapter;
  try {
    if (!adapter) throw new CwmpFault(9010, "This device takes no files");
    await parts.applying();
    const applied = await adapter.applyDownload({
      fileType: entry.fileType,
      path: parts.spool.pathOf(entry.id),
      size: bytes,
      targetFileName: entry.targetFileName,
      commandKey: entry.commandKey,
    });
    return { ok: true, bytes, reboot: applied.reboot };
  } catch (error) {
    return { ok: false, ...faultOf(error, 9010) };
  }
}

/**
 * Sends what the device produces for the FileType with PUT.
 *
 * @example
 * ```ts
 * import { attemptUpload } from "./run_transfer.ts";
 * // const outcome = await attemptUpload(entry, parts);
 * ```
 */
export async function attemptUpload(
  entry: QueuedTransfer,
  parts: AttemptParts,
): Promise<AttemptOutcome> {
  const adapter = parts.adapter;
  const named = parts.uploadFiles?.[entry.fileType];
  if (!adapter && !named) {
    return {
      ok: false,
      faultCode: 9011,
      faultString: "This device has no files to upload",
    };
  }
  try {
    const { bytes } = await uploadFile(
      entry.url,
      entry,
      () => named ? fileContent(named) : adapter!.produceUpload(entry.fileType),
      { ...parts.client, uploaded: parts.progress },
    );
    return { ok: true, bytes, reboot: false };
  } catch (error) {
    return { ok: false, ...faultOf(error, 9011) };
  }
}

/** A file on disk as upload content, streamed as it is read. */
async function fileContent(path: string) {
  const file = await Deno.open(path, { read: true });
  try {
    const { size } = await file.stat();
    return { stream: syncReadStream(file), size };
  } catch (error) {
    file.close();
    throw error;
  }
}
