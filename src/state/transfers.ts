/**
 * The durable record of file transfers: the queue of transfers the ACS
 * asked for (at most 16, as GetQueuedTransfers can list), and the
 * completions owed to it as TransferComplete until it acknowledges them.
 * Written atomically on every change and checked when read back, so a
 * crash or a damaged file never loses a completion the disk still holds.
 *
 * @module
 */
import { type Check, v } from "./check.ts";
import { Serial } from "./serial.ts";
import {
  type DocumentSpec,
  isoDateTime,
  loadStateDocument,
  type StateProblem,
} from "./state_document.ts";
import type { StateStore } from "./store.ts";

/** Store key of the transfer document (`transfers.json`). */
export const TRANSFERS_KEY = "transfers";

/** Most transfers queued at once: GetQueuedTransfers lists at most 16 (XSD). */
export const MAX_QUEUED_TRANSFERS = 16;

/**
 * Most completions kept for the ACS. More than the queue can ever produce
 * between two sessions; past it the oldest goes (and the log says so).
 */
export const MAX_COMPLETIONS = 64;

/** The RPC a transfer came from; its completion raises `M <method>`. */
export type TransferMethod = "Download" | "Upload" | "ScheduleDownload";

/** A ScheduleDownload time window, in absolute times. */
export interface TransferWindow {
  /** When the window opens (ISO 8601). */
  readonly startAt: string;
  /** When it closes (ISO 8601). */
  readonly endAt: string;
  /** WindowMode: `1 At Any Time`, `2 Immediately`, `3 When Idle`, `4 Confirmation Needed`, or vendor. */
  readonly mode: string;
  /** UserMessage, shown when confirmation is needed. */
  readonly userMessage: string;
  /** MaxRetries inside the window (-1: the CPE decides). */
  readonly maxRetries: number;
}

/**
 * TransferState of GetQueuedTransfers: 1 not yet started, 2 in progress,
 * 3 completed and being applied.
 */
export type TransferState = 1 | 2 | 3;

/** A transfer the ACS asked for and the CPE has not finished. */
export interface QueuedTransfer {
  /** The agent's own id (names the partial file). */
  readonly id: string;
  /** Download, Upload or ScheduleDownload. */
  readonly method: TransferMethod;
  /** The request's CommandKey. */
  readonly commandKey: string;
  /** FileType as the ACS sent it. */
  readonly fileType: string;
  /** The file's URL. */
  readonly url: string;
  /** Credentials for the file server (kept in the state directory only, never logged). */
  readonly username: string;
  /** The file server password. */
  readonly password: string;
  /** FileSize (0: unknown; uploads: 0). */
  readonly fileSize: number;
  /** TargetFileName ("" for uploads and when the CPE decides). */
  readonly targetFileName: string;
  /** Not before this time (receipt + DelaySeconds), ISO 8601. */
  readonly notBefore: string;
  /** ScheduleDownload's windows, in order. */
  readonly windows?: readonly TransferWindow[];
  /** Where it stands. */
  readonly state: TransferState;
  /** When it first started (ISO 8601). */
  readonly startedAt?: string;
  /** How often it was started: a restart in the middle starts it again. */
  readonly attempts: number;
  /** Bytes moved so far (for `agent status`). */
  readonly bytesDone?: number;
  /** The last fault of an attempt inside a window that may be retried. */
  readonly lastFault?: string;
}

/** A finished transfer the ACS is owed a TransferComplete for. */
export interface TransferCompletion {
  /** The RPC it came from. */
  readonly method: TransferMethod;
  /** Its CommandKey. */
  readonly commandKey: string;
  /** 0 for success, else the fault code. */
  readonly faultCode: number;
  /** Why it failed ("" on success). */
  readonly faultString: string;
  /** When the transfer started (the Unknown Time if it never did). */
  readonly startTime: string;
  /** When it completed (the Unknown Time if it did not). */
  readonly completeTime: string;
  /**
   * A firmware image applied in this boot takes effect at the next one:
   * the completion is held until the device boots with another id (or,
   * for a device without boot ids, until the agent next starts).
   */
  readonly awaitingBoot?: { readonly bootId?: string };
  /** The FileType, to ask the device whether the new image booted. */
  readonly fileType?: string;
}

/** A transfer the device made on its own, owed as an AutonomousTransferComplete. */
export interface AutonomousCompletion {
  /** Where it was announced ("" for none). */
  readonly announceUrl: string;
  /** Where the file came from or went to. */
  readonly transferUrl: string;
  /** A download (true) or an upload. */
  readonly isDownload: boolean;
  /** The FileType. */
  readonly fileType: string;
  /** Its size in bytes. */
  readonly fileSize: number;
  /** Its name on the device ("" if none). */
  readonly targetFileName: string;
  /** 0 for success, else a transfer fault code. */
  readonly faultCode: number;
  /** Why it failed ("" on success). */
  readonly faultString: string;
  /** When it started (ISO 8601, or the Unknown Time). */
  readonly startTime: string;
  /** When it completed (ISO 8601, or the Unknown Time). */
  readonly completeTime: string;
}

/** A file the CPE asks the ACS for (RequestDownload), until the ACS answers. */
export interface DownloadRequest {
  /** The Download FileType asked for. */
  readonly fileType: string;
  /** FileTypeArg: name/value pairs for the ACS (at most 16). */
  readonly args: readonly { readonly name: string; readonly value: string }[];
  /**
   * The request file it came from (`agent request-download`), so that a
   * file seen again after a crash — recorded, not yet removed — is not
   * asked for twice.
   */
  readonly file?: string;
}

/** Most autonomous completions and download requests kept for the ACS each. */
export const MAX_CPE_ANNOUNCEMENTS = 16;

/** The transfer document. */
export interface TransfersDocument {
  /** Queued and running transfers, in the order they arrived. */
  readonly queue: readonly QueuedTransfer[];
  /** Completions not yet acknowledged by a TransferCompleteResponse. */
  readonly completions: readonly TransferCompletion[];
  /** The device's own transfers not yet acknowledged. */
  readonly autonomous: readonly AutonomousCompletion[];
  /** RequestDownloads not yet acknowledged. */
  readonly downloadRequests: readonly DownloadRequest[];
}

/** The time a CWMP message carries for "not known" (datamodel's UNKNOWN_TIME; this layer is below it). */
const UNKNOWN_TIME = "0001-01-01T00:00:00Z";

const EMPTY: TransfersDocument = {
  queue: [],
  completions: [],
  autonomous: [],
  downloadRequests: [],
};

const method = v.enum(["Download", "Upload", "ScheduleDownload"] as const);
const commandKey = v.string().max(32);
const dateTime = v.union(v.literal(UNKNOWN_TIME), isoDateTime);
const window = v.object({
  startAt: isoDateTime,
  endAt: isoDateTime,
  mode: v.string().max(64),
  userMessage: v.string().max(256),
  maxRetries: v.number().int().min(-1).max(2147483647),
});
const queued: Check<QueuedTransfer> = v.object({
  id: v.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "not an id"),
  method,
  commandKey,
  fileType: v.string().max(64),
  url: v.string().max(256),
  username: v.string().max(256),
  password: v.string().max(256),
  fileSize: v.number().int().min(0).max(4294967295),
  targetFileName: v.string().max(256),
  notBefore: isoDateTime,
  windows: v.array(window).max(2).optional(),
  state: v.union(v.literal(1), v.literal(2), v.literal(3)),
  startedAt: isoDateTime.optional(),
  attempts: v.number().int().min(0).max(1000),
  bytesDone: v.number().int().min(0).optional(),
  lastFault: v.string().max(512).optional(),
}) as Check<QueuedTransfer>;
const completion: Check<TransferCompletion> = v.object({
  method,
  commandKey,
  faultCode: v.number().int().min(0).max(9899),
  faultString: v.string().max(256),
  startTime: dateTime,
  completeTime: dateTime,
  awaitingBoot: v.object({ bootId: v.string().max(128).optional() })
    .optional(),
  fileType: v.string().max(64).optional(),
}) as Check<TransferCompletion>;

const autonomous: Check<AutonomousCompletion> = v.object({
  announceUrl: v.string().max(1024),
  transferUrl: v.string().max(1024),
  isDownload: v.boolean(),
  fileType: v.string().max(64),
  fileSize: v.number().int().min(0).max(4294967295),
  targetFileName: v.string().max(256),
  faultCode: v.number().int().min(0).max(9899),
  faultString: v.string().max(256),
  startTime: dateTime,
  completeTime: dateTime,
}) as Check<AutonomousCompletion>;
const downloadRequest: Check<DownloadRequest> = v.object({
  fileType: v.string().min(1).max(64),
  args: v.array(v.object({
    name: v.string().max(64),
    value: v.string().max(256),
  })).max(16),
  file: v.string().max(255).optional(),
}) as Check<DownloadRequest>;

/** How the transfer document is checked when read back. */
export const TRANSFERS_SPEC: DocumentSpec<Record<string, unknown>> = {
  fields: {
    queue: v.array(queued).max(MAX_QUEUED_TRANSFERS),
    completions: v.array(completion).max(MAX_COMPLETIONS),
    autonomous: v.array(autonomous).max(MAX_CPE_ANNOUNCEMENTS),
    downloadRequests: v.array(downloadRequest).max(MAX_CPE_ANNOUNCEMENTS),
  },
  lists: {
    queue: queued,
    completions: completion,
    autonomous,
    downloadRequests: downloadRequest,
  },
  fallback: { ...EMPTY },
};

/**
 * The transfer document, read once and written atomically on every change.
 *
 * @example
 * ```ts
 * import { TransferStore } from "./transfers.ts";
 * import { MemoryStateStore } from "./store.ts";
 * const transfers = await TransferStore.load(new MemoryStateStore());
 * console.log(transfers.current.queue.length); // 0
 * ```
 */
export class TransferStore {
  readonly #store: StateStore;
  readonly #updates = new Serial();
  #current: TransfersDocument;

  private constructor(store: StateStore, current: TransfersDocument) {
    this.#store = store;
    this.#current = current;
  }

  /** Loads the document (empty when none was saved); what fails its checks is repaired and reported. */
  static async load(
    store: StateStore,
    options: { readonly onProblem?: (problem: StateProblem) => void } = {},
  ): Promise<TransferStore> {
    const saved = await loadStateDocument(
      store,
      TRANSFERS_KEY,
      TRANSFERS_SPEC,
      options,
    ) as unknown as TransfersDocument;
    return new TransferStore(store, {
      queue: (saved.queue ?? []).slice(0, MAX_QUEUED_TRANSFERS),
      completions: (saved.completions ?? []).slice(-MAX_COMPLETIONS),
      autonomous: (saved.autonomous ?? []).slice(-MAX_CPE_ANNOUNCEMENTS),
      downloadRequests: (saved.downloadRequests ?? []).slice(
        -MAX_CPE_ANNOUNCEMENTS,
      ),
    });
  }

  /** The document as last written. */
  get current(): TransfersDocument {
    return this.#current;
  }

  /** Replaces the document with `change(current)`, durably, before returning. */
  update(
    change: (current: TransfersDocument) => TransfersDocument,
  ): Promise<void> {
    return this.#updates.run(async () => {
      const next = change(this.#current);
      await this.#store.write(TRANSFERS_KEY, next);
      this.#current = next;
    });
  }

  /** Forgets the queue (factory reset, a new ACS); completions stay owed. */
  async clearQueue(): Promise<void> {
    await this.update((d) => ({ ...d, queue: [] }));
  }
}
