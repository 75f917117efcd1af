/**
 * What the transfer worker (`transfer_worker.ts`) works with.
 *
 * @module
 */
import type { ManagedDevice } from "../management/managed_device.ts";
import type { TransferStore } from "../state/transfers.ts";
import type { FileClientOptions } from "./file_client.ts";
import type { TransferSpool } from "./spool.ts";

/** Where the transfer side logs. */
export type TransferLog = (
  level: "info" | "warn" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** Timers, injected (the agent's clock). */
export interface WorkerClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` after `ms`. */
  setTimeout(fn: () => void, ms: number): number;
  /** Cancels a timer. */
  clearTimeout(handle: number): void;
}

/** What the worker works with. */
export interface TransferWorkerParts {
  /** The queue and the completions. */
  readonly transfers: TransferStore;
  /** The device: its transfer side and its boot id. */
  readonly device: ManagedDevice;
  /** Where downloads land. */
  readonly spool: TransferSpool;
  /** TLS settings and limits of file transfers. */
  readonly client: FileClientOptions;
  /** The clock. */
  readonly clock: WorkerClock;
  /** Log lines; never given a password. */
  readonly log: TransferLog;
  /** A completion is due: ask for a session (`7 TRANSFER COMPLETE`). */
  readonly completed: () => void;
  /** Reboot the device so a firmware image takes effect (when no session runs). */
  readonly reboot: (reason: string) => void;
  /** Largest download when the device cannot tell its free space (default 4 GiB). */
  readonly maxDownloadBytes?: number;
  /** Files an Upload of these FileTypes sends, instead of asking the device. */
  readonly uploadFiles?: Readonly<Record<string, string>>;
}
