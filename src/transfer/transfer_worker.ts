/**
 * The transfer queue at work: one transfer at a time, oldest first, each
 * when it is due (DelaySeconds, or its ScheduleDownload window and mode);
 * its end recorded as a completion in the same write that takes it off
 * the queue, so a crash never loses one nor records one twice. A firmware
 * image the device applies at boot holds its completion until the device
 * has booted (and says whether the new image came up).
 *
 * @module
 */
import {
  MAX_COMPLETIONS,
  type QueuedTransfer,
  type TransferCompletion,
} from "../state/transfers.ts";
import { UNKNOWN_TIME } from "../datamodel/types.ts";
import {
  applyDownload,
  attemptDownload,
  type AttemptOutcome,
  type AttemptParts,
  attemptUpload,
} from "./run_transfer.ts";
import { type WindowDecision, windowDecision } from "./windows.ts";
import type { TransferWorkerParts } from "./worker_parts.ts";

export type {
  TransferLog,
  TransferWorkerParts,
  WorkerClock,
} from "./worker_parts.ts";

/** Starts of one transfer cut short by a restart before it fails for good. */
export const MAX_INTERRUPTED_STARTS = 3;

const PROGRESS_MS = 10_000;

/**
 * The worker.
 *
 * @example
 * ```ts
 * import { TransferWorker } from "./transfer_worker.ts";
 * // const worker = new TransferWorker(parts);
 * // await worker.resume({ booted });  // at the agent's start
 * // worker.kick();                    // after each session
 * ```
 */
export class TransferWorker {
  readonly #parts: TransferWorkerParts;
  #running: Promise<void> | undefined;
  #timer: number | undefined;
  #stopped = false;
  #again = false;
  readonly #declined = new Set<string>();
  /** Aborts the transfer in flight when the agent stops. */
  readonly #stopping = new AbortController();

  /** A worker; nothing runs until {@linkcode TransferWorker.kick}. */
  constructor(parts: TransferWorkerParts) {
    this.#parts = parts;
  }

  /** Whether a transfer is running. */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  /**
   * At the agent's start: partial files go; a transfer a restart cut short
   * starts again (or fails after {@linkcode MAX_INTERRUPTED_STARTS});
   * one being applied is applied again; a firmware completion held for a
   * boot is settled when the device has booted, and the reboot it waits
   * for is done when it has not.
   */
  async resume(when: { readonly booted: boolean }): Promise<void> {
    const { transfers, spool, log } = this.#parts;
    const queue = transfers.current.queue;
    const removed = await spool.clean(
      new Set(queue.filter((t) => t.state === 3).map((t) => t.id)),
    );
    if (removed.length > 0) {
      log("info", "removed partial transfer files", { files: removed });
    }
    for (const entry of queue) {
      if (entry.state === 2) {
        if (entry.attempts >= MAX_INTERRUPTED_STARTS) {
          await this.#complete(entry, {
            ok: false,
            faultCode: 9010,
            faultString:
              `The transfer was cut short by a restart ${entry.attempts} times`,
          });
        } else await this.#setState(entry, 1);
      }
    }
    await this.settleBoot(when);
  }

  /**
   * After a boot (or a start): completions held for it become due, with
   * the fault of a new image that did not come up; a reboot still owed in
   * this boot is asked for again.
   */
  async settleBoot(when: { readonly booted: boolean }): Promise<void> {
    const { transfers, device } = this.#parts;
    const bootId = await device.currentBootId();
    const held = transfers.current.completions.filter((c) => c.awaitingBoot);
    if (held.length === 0) return;
    const sameBoot = held.filter((c) =>
      !when.booted && bootId !== undefined && c.awaitingBoot?.bootId === bootId
    );
    const settled = new Map<TransferCompletion, TransferCompletion>();
    for (const c of held) {
      if (sameBoot.includes(c)) continue;
      const result = await device.transfers?.bootResult?.(c.fileType ?? "")
        .catch((error) => ({
          booted: false as const,
          reason: String((error as Error)?.message ?? error),
        }));
      const { awaitingBoot: _, ...rest } = c;
      settled.set(
        c,
        result && !result.booted
          ? {
            ...rest,
            faultCode: 9010,
            faultString:
              `The new image did not boot; the device went back to the old one (${result.reason})`
                .slice(0, 256),
          }
          : rest,
      );
    }
    if (settled.size > 0) {
      await transfers.update((d) => ({
        ...d,
        completions: d.completions.map((c) => settled.get(c) ?? c),
      }));
      this.#parts.completed();
    }
    if (sameBoot.length > 0) {
      this.#parts.reboot("firmware Download (the reboot was not done yet)");
    }
  }

  /** Looks at the queue now: starts what is due, sets a timer for what is not. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.kick();
      }
    });
  }

  /**
   * Stops timers and cuts the running transfer short: it stays in the queue
   * as in progress, and the next start begins it again (a device shutting
   * down does not wait for a 200 MB download).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    if (this.#timer !== undefined) this.#parts.clock.clearTimeout(this.#timer);
    await this.#running;
  }

  /** Resolves when no transfer runs. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    const { clock, transfers } = this.#parts;
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    // Bounded: each pass either finishes a transfer or waits for a later time.
    for (let pass = 0; pass < 64 && !this.#stopped; pass++) {
      const now = clock.now();
      let wakeAt = Infinity;
      let ran = false;
      for (const entry of transfers.current.queue) {
        if (entry.state === 3) {
          await this.#reapply(entry);
          ran = true;
          break;
        }
        const decision = await windowDecision(
          entry,
          now,
          this.#parts.device.transfers,
          this.#declined,
        );
        if (decision.kind === "wait") {
          wakeAt = Math.min(wakeAt, decision.until);
          continue;
        }
        if (decision.kind === "expired") {
          await this.#complete(entry, {
            ok: false,
            faultCode: 9020,
            faultString: decision.reason,
          });
        } else await this.#run(entry, decision);
        ran = true;
        break;
      }
      if (!ran) {
        if (wakeAt < Infinity && !this.#stopped) {
          this.#timer = clock.setTimeout(
            () => this.kick(),
            Math.max(0, wakeAt - clock.now()),
          );
        }
        return;
      }
    }
    if (!this.#stopped) this.#timer = clock.setTimeout(() => this.kick(), 0);
  }

  async #run(
    entry: QueuedTransfer,
    decision: Extract<WindowDecision, { kind: "run" }>,
  ): Promise<void> {
    const { clock, log } = this.#parts;
    const startedAt = entry.startedAt ?? new Date(clock.now()).toISOString();
    const started: QueuedTransfer = {
      ...entry,
      state: 2,
      startedAt,
      attempts: entry.attempts + 1,
      bytesDone: 0,
    };
    await this.#patch(entry.id, started);
    log("info", "transfer started", describe(started));
    const outcome = entry.method === "Upload"
      ? await attemptUpload(started, this.#attemptParts(started))
      : await attemptDownload(started, this.#attemptParts(started));
    if (this.#stopped) {
      log(
        "info",
        "transfer interrupted by the agent stopping",
        describe(started),
      );
      return;
    }
    if (
      !outcome.ok && decision.retryAt !== undefined &&
      decision.retryAt < Infinity
    ) {
      log("warn", "transfer attempt failed; retrying in its window", {
        ...describe(started),
        fault: outcome.faultCode,
        reason: outcome.faultString,
      });
      await this.#patch(entry.id, {
        state: 1,
        notBefore: new Date(decision.retryAt).toISOString(),
        lastFault: `${outcome.faultCode} ${outcome.faultString}`,
      });
      await this.#parts.spool.remove(entry.id);
      return;
    }
    await this.#complete(started, outcome);
  }

  async #reapply(entry: QueuedTransfer): Promise<void> {
    const { spool, log } = this.#parts;
    if (!(await spool.has(entry.id))) {
      await this.#complete(entry, {
        ok: false,
        faultCode: 9010,
        faultString:
          "The downloaded file was lost before the device applied it",
      });
      return;
    }
    log("info", "applying a download again after a restart", describe(entry));
    const bytes = (await Deno.stat(spool.pathOf(entry.id))).size;
    await this.#complete(
      entry,
      await applyDownload(entry, bytes, this.#attemptParts(entry)),
    );
  }

  #attemptParts(entry: QueuedTransfer): AttemptParts {
    const { clock, log, spool, client } = this.#parts;
    let lastLogAt = clock.now();
    let lastSavedAt = lastLogAt;
    let lastTenth = 0;
    return {
      adapter: this.#parts.device.transfers,
      spool,
      client: { ...client, signal: this.#stopping.signal },
      maxDownloadBytes: this.#parts.maxDownloadBytes ?? 4 * 1024 ** 3,
      ...(this.#parts.uploadFiles
        ? { uploadFiles: this.#parts.uploadFiles }
        : {}),
      progress: (bytes) => {
        const tenth = entry.fileSize > 0
          ? Math.floor((bytes / entry.fileSize) * 10)
          : 0;
        const now = clock.now();
        if (tenth > lastTenth || now - lastLogAt >= PROGRESS_MS) {
          lastTenth = Math.max(lastTenth, tenth);
          lastLogAt = now;
          log("info", "transfer progress", {
            ...describe(entry),
            bytes,
            ...(entry.fileSize > 0 ? { percent: tenth * 10 } : {}),
          });
          // For `agent status`, at most every 10 s: each write is synced to
          // disk, and a lost one only makes the figure older.
          if (now - lastSavedAt >= PROGRESS_MS) {
            lastSavedAt = now;
            void this.#patch(entry.id, { bytesDone: bytes }).catch(() => {});
          }
        }
      },
      applying: async () => {
        await this.#setState(entry, 3);
        log("info", "applying download", describe(entry));
      },
    };
  }

  /** Takes the entry off the queue and records its completion, in one write. */
  async #complete(
    entry: QueuedTransfer,
    outcome: AttemptOutcome,
  ): Promise<void> {
    const { clock, transfers, device, log } = this.#parts;
    const now = new Date(clock.now()).toISOString();
    const reboot = outcome.ok && outcome.reboot;
    const bootId = reboot ? await device.currentBootId() : undefined;
    const completion: TransferCompletion = {
      method: entry.method,
      commandKey: entry.commandKey,
      faultCode: outcome.ok ? 0 : outcome.faultCode,
      faultString: outcome.ok ? "" : outcome.faultString,
      startTime: entry.startedAt ?? UNKNOWN_TIME,
      completeTime: outcome.ok ? now : UNKNOWN_TIME,
      fileType: entry.fileType,
      ...(reboot
        ? { awaitingBoot: bootId === undefined ? {} : { bootId } }
        : {}),
    };
    let dropped: TransferCompletion | undefined;
    await transfers.update((d) => {
      const completions = [...d.completions, completion];
      if (completions.length > MAX_COMPLETIONS) dropped = completions.shift();
      return {
        ...d,
        queue: d.queue.filter((t) => t.id !== entry.id),
        completions,
      };
    });
    if (dropped) {
      log(
        "error",
        "too many unacknowledged transfer completions; dropped the oldest",
        {
          commandKey: dropped.commandKey,
        },
      );
    }
    log(outcome.ok ? "info" : "warn", "transfer complete", {
      ...describe(entry),
      fault: completion.faultCode,
      ...(entry.startedAt
        ? { ms: clock.now() - Date.parse(entry.startedAt) }
        : {}),
      ...(outcome.ok
        ? { bytes: outcome.bytes }
        : { reason: completion.faultString }),
      ...(reboot ? { reboot: true } : {}),
    });
    // Recorded first, removed after: a crash in between leaves a file no
    // queued entry names, which the next start's clean-up removes.
    if (reboot) {
      await this.#parts.spool.remove(entry.id);
      this.#parts.reboot(`firmware Download ${entry.commandKey}`);
      return;
    }
    this.#parts.completed();
    await this.#parts.spool.remove(entry.id);
  }

  async #setState(entry: QueuedTransfer, state: 1 | 2 | 3): Promise<void> {
    await this.#patch(entry.id, { state });
  }

  /** Changes some fields of a queued entry as it is now (gone: nothing). */
  async #patch(id: string, patch: Partial<QueuedTransfer>): Promise<void> {
    await this.#parts.transfers.update((d) => ({
      ...d,
      queue: d.queue.map((t) => t.id === id ? { ...t, ...patch } : t),
    }));
  }
}

function describe(entry: QueuedTransfer): Record<string, unknown> {
  let host = "";
  try {
    host = new URL(entry.url).host;
  } catch {
    // Checked when queued; an unreadable URL just goes unnamed.
  }
  return {
    method: entry.method,
    commandKey: entry.commandKey,
    fileType: entry.fileType,
    host,
  };
}
