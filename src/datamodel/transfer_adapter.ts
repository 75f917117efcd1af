/**
 * What a device does with files: the part of the device adapter that file
 * transfers need. The agent fetches and sends the bytes (HTTP, TLS,
 * credentials, limits, faults); the device says how much room it has,
 * checks and applies what was downloaded, and produces what is uploaded.
 *
 * @module
 */
import type {
  AutonomousCompletion,
  DownloadRequest,
} from "../state/transfers.ts";

/** A downloaded file, whole on disk, handed to the device. */
export interface DownloadedFile {
  /** FileType as the ACS sent it (`1 Firmware Upgrade Image`, `3 Vendor Configuration File`, `X 00AABB Foo`, …). */
  readonly fileType: string;
  /** Where the agent stored it; the agent deletes it once the device has answered. */
  readonly path: string;
  /** Its size in bytes. */
  readonly size: number;
  /** TargetFileName ("" when the device decides). */
  readonly targetFileName: string;
  /** The Download's CommandKey. */
  readonly commandKey: string;
}

/** What applying a download did. */
export interface DownloadApplied {
  /**
   * The file takes effect at the next boot (a firmware image): the agent
   * reboots the device and reports the completion after the boot.
   */
  readonly reboot: boolean;
}

/**
 * Why the device turned a file down, as a CWMP fault: 9018 the file is
 * corrupted or not usable, 9019 its signature does not check out, 9010
 * anything else that failed.
 *
 * @example
 * ```ts
 * import { FileRejected } from "./transfer_adapter.ts";
 * throw new FileRejected(9018, "not a firmware image for this product class");
 * ```
 */
export class FileRejected extends Error {
  /** The fault code the completion carries. */
  readonly code: 9010 | 9018 | 9019;

  /** A refusal with its fault code and a reason for the operator. */
  constructor(code: 9010 | 9018 | 9019, reason: string) {
    super(reason);
    this.name = "FileRejected";
    this.code = code;
  }
}

/** The bytes of an upload. */
export interface UploadContent {
  /** The content, read once. */
  readonly stream: ReadableStream<Uint8Array>;
  /** Its length in bytes. */
  readonly size: number;
  /** Content-Type to send (default `application/octet-stream`). */
  readonly contentType?: string;
}

/** What a new firmware image did at boot. */
export type BootResult =
  | { readonly booted: true }
  | { readonly booted: false; readonly reason: string };

/** A transfer the device made on its own, for AutonomousTransferComplete. */
export type AutonomousTransfer = AutonomousCompletion;

/** A file the device asks the ACS for (RequestDownload). */
export type DeviceFileRequest = DownloadRequest;

/**
 * The transfer side of a device adapter. Every method may throw; a
 * {@linkcode FileRejected} becomes its fault, anything else fault 9010
 * (download) or 9011 (upload) with the error's message.
 *
 * `applyDownload` must be safe to call again with the same file: when the
 * agent stops in the middle of it, it calls it again at its next start.
 */
export interface TransferAdapter {
  /** Bytes free for a file of this type; undefined when the device cannot tell. */
  freeSpace(fileType: string): Promise<number | undefined>;
  /** Checks and applies a downloaded file. */
  applyDownload(file: DownloadedFile): Promise<DownloadApplied>;
  /**
   * The content of an upload: `1 Vendor Configuration File`,
   * `2 Vendor Log File`, their instance forms (`3 Vendor Configuration
   * File 2`), or a vendor type. Throws for a type the device does not have.
   */
  produceUpload(fileType: string): Promise<UploadContent>;
  /**
   * Asks the user to confirm a ScheduleDownload window in mode
   * `4 Confirmation Needed`; without it, such a window is never confirmed.
   */
  confirm?(userMessage: string, fileType: string): Promise<boolean>;
  /** Whether the device is idle now (`3 When Idle`); without it, always. */
  isIdle?(): Promise<boolean>;
  /** After the reboot into a new image: did it boot, or was it rolled back? */
  bootResult?(fileType: string): Promise<BootResult>;
  /**
   * Reports transfers the device made itself; returns the function that
   * stops the reports. They reach the ACS as ManagementServer's
   * AutonomousTransferCompletePolicy allows.
   */
  watchAutonomous?(
    listener: (transfer: AutonomousTransfer) => void,
  ): () => void;
  /**
   * Reports files the device wants from the ACS (a RequestDownload in the
   * next session); returns the function that stops the reports.
   */
  watchFileRequests?(
    listener: (request: DeviceFileRequest) => void,
  ): () => void;
}
