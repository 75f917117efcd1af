/**
 * What Download, Upload and ScheduleDownload check before they queue: the
 * URL (scheme, credentials in it, the file-server policy), the FileType,
 * the space the device reports, and room in the queue. Anything refused
 * here is a fault in the response, before anything is queued or
 * connected.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import {
  MAX_QUEUED_TRANSFERS,
  type QueuedTransfer,
} from "../state/transfers.ts";
import { UNKNOWN_TIME } from "../datamodel/types.ts";
import type { RpcContext } from "./context.ts";

/** FileTypes a Download or ScheduleDownload names (TR-069 A.3.2.8), and the vendor form. */
export const DOWNLOAD_FILE_TYPES = [
  "1 Firmware Upgrade Image",
  "2 Web Content",
  "3 Vendor Configuration File",
  "4 Tone File",
  "5 Ringer File",
] as const;

const VENDOR_FILE_TYPE = /^X [0-9A-F]{6} \S.*$/;
const UPLOAD_FILE_TYPE =
  /^(1 Vendor Configuration File|2 Vendor Log File|3 Vendor Configuration File [1-9]\d*|4 Vendor Log File [1-9]\d*)$/;

/**
 * Why `fileType` is not one a download may name, or undefined.
 *
 * @example
 * ```ts
 * import { downloadFileTypeProblem } from "./transfer_request.ts";
 * console.log(downloadFileTypeProblem("1 Firmware Upgrade Image")); // undefined
 * console.log(downloadFileTypeProblem("6 Movie") !== undefined); // true
 * ```
 */
export function downloadFileTypeProblem(fileType: string): string | undefined {
  if ((DOWNLOAD_FILE_TYPES as readonly string[]).includes(fileType)) {
    return undefined;
  }
  if (VENDOR_FILE_TYPE.test(fileType)) return undefined;
  return `FileType ${JSON.stringify(fileType)} is none of ${
    DOWNLOAD_FILE_TYPES.join(", ")
  } or X <OUI> <name>`;
}

/** Why `fileType` is not one an upload may name, or undefined. */
export function uploadFileTypeProblem(fileType: string): string | undefined {
  if (UPLOAD_FILE_TYPE.test(fileType) || VENDOR_FILE_TYPE.test(fileType)) {
    return undefined;
  }
  return `FileType ${
    JSON.stringify(fileType)
  } is none of 1 Vendor Configuration File, 2 Vendor Log File, their instance forms, or X <OUI> <name>`;
}

/**
 * Checks a transfer URL: http or https (else 9013), no credentials in it
 * (9003), and allowed by the context's policy (its fault, refused before
 * any connection, naming the host).
 */
export function checkTransferUrl(text: string, context: RpcContext): void {
  const url = parseTransferUrl(text);
  const refusal = context.transferUrlProblem?.(url);
  if (refusal) {
    throw new CwmpFault(
      refusal.code,
      `${
        refusal.code === 9001 ? "Request denied" : "Unsupported protocol"
      }: ${refusal.reason}`,
    );
  }
}

/**
 * Parses a transfer URL: http or https (else fault 9013), no credentials
 * in it (9003).
 *
 * @example
 * ```ts
 * import { parseTransferUrl } from "./transfer_request.ts";
 * console.log(parseTransferUrl("https://cdn.example.net/fw.bin").host); // "cdn.example.net"
 * ```
 */
export function parseTransferUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CwmpFault(9003, `URL ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CwmpFault(
      9013,
      `Unsupported protocol ${
        url.protocol.slice(0, -1)
      }: this CPE transfers files over http and https only`,
    );
  }
  if (url.username || url.password) {
    throw new CwmpFault(
      9003,
      "The URL carries credentials; TR-069 passes them in Username and Password",
    );
  }
  return url;
}

/**
 * Refuses a file the device has no room for, before it is fetched. The
 * fault is 9010 (file transfer failure), not 9004: this agent keeps 9004
 * for a full queue, so an ACS can tell the two apart (TR-069 leaves the
 * choice open; digest §6.11 "unverified").
 */
export async function checkFreeSpace(
  fileType: string,
  fileSize: number,
  context: RpcContext,
): Promise<void> {
  const adapter = context.device.transfers;
  if (!adapter) {
    throw new CwmpFault(9010, "This device takes no files");
  }
  if (fileSize === 0) return;
  const free = await adapter.freeSpace(fileType);
  if (free !== undefined && fileSize > free) {
    throw new CwmpFault(
      9010,
      `The file (${fileSize} bytes) is larger than the ${free} bytes free for ${fileType}`,
    );
  }
}

/** Fault 9004 when the queue holds {@linkcode MAX_QUEUED_TRANSFERS} already. */
export function checkQueueRoom(context: RpcContext): void {
  if (context.transfers.current.queue.length >= MAX_QUEUED_TRANSFERS) {
    throw new CwmpFault(
      9004,
      `${MAX_QUEUED_TRANSFERS} transfers are queued already; wait for one to complete`,
    );
  }
}

/**
 * What a request says about the transfer it queues (its other arguments
 * may come along; they are not kept).
 */
export interface TransferAsked extends
  Pick<
    QueuedTransfer,
    "method" | "commandKey" | "fileType" | "url" | "username" | "password"
  >,
  Partial<Pick<QueuedTransfer, "fileSize" | "targetFileName" | "windows">> {
  /** Not before this time (ms since the epoch). */
  readonly notBefore: number;
}

/**
 * Queues the transfer durably, not started, under a fresh id (the room is
 * checked again inside the update: two requests cannot both take the last
 * place).
 */
export async function enqueue(
  asked: TransferAsked,
  context: RpcContext,
): Promise<void> {
  // Field by field: a request's other arguments (DelaySeconds, SuccessURL,
  // …) are not stored.
  const transfer: QueuedTransfer = {
    id: transferId(),
    method: asked.method,
    commandKey: asked.commandKey,
    fileType: asked.fileType,
    url: asked.url,
    username: asked.username,
    password: asked.password,
    fileSize: asked.fileSize ?? 0,
    targetFileName: asked.targetFileName ?? "",
    notBefore: new Date(asked.notBefore).toISOString(),
    ...(asked.windows ? { windows: asked.windows } : {}),
    state: 1,
    attempts: 0,
  };
  let full = false;
  await context.transfers.update((d) => {
    if (d.queue.length >= MAX_QUEUED_TRANSFERS) {
      full = true;
      return d;
    }
    return { ...d, queue: [...d.queue, transfer] };
  });
  if (full) checkQueueRoom(context);
}

/** Download's and Upload's answer: Status 1, done later, times unknown. */
export const TRANSFER_PENDING = {
  status: 1,
  startTime: UNKNOWN_TIME,
  completeTime: UNKNOWN_TIME,
} as const;

/** A fresh id for a queued transfer (names its file in the state directory). */
export function transferId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 16);
}
