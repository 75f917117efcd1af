/**
 * The state directory of `agent run`: taken for this agent alone (the
 * instance lock), cleared of the temporaries of interrupted writes, its
 * store made to survive a failing disk, and its health file kept current.
 *
 * @module
 */
import { RefusalLog } from "../connreq/refusals.ts";
import { HealthFile, HealthReport } from "../state/health.ts";
import { ResilientStore } from "../state/resilient_store.ts";
import { FileStateStore } from "../state/store.ts";
import { acquireInstanceLock, describeHolder } from "./instance_lock.ts";

type Log = (
  record:
    & { level: "info" | "warn" | "error"; msg: string }
    & Record<string, unknown>,
) => void;

/** An open state directory. */
export interface OpenState {
  /** The store every state document goes through. */
  readonly store: ResilientStore;
  /** Refused connection requests, counted into the health file. */
  readonly refusals: RefusalLog;
  /** The UDP connection-request address and NATDetected, into the health file. */
  readonly reportUdp: (mapping: {
    readonly address: string;
    readonly natDetected: boolean;
  }) => void;
  /** A last try for what the disk did not take, then the health file and the lock let go. */
  close(): Promise<void>;
}

/**
 * Opens `dir` for this agent; a string says why it may not (another agent
 * holds it).
 *
 * @example
 * ```ts
 * import { openStateDir } from "./run_state.ts";
 * const opened = await openStateDir(await Deno.makeTempDir(), () => {});
 * if (typeof opened !== "string") await opened.close();
 * ```
 */
export async function openStateDir(
  dir: string,
  log: Log,
): Promise<OpenState | string> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const lock = await acquireInstanceLock(dir);
  if (lock.ok === false) {
    return `the state directory ${dir} is in use by ${
      describeHolder(lock.holder)
    } (${lock.path})`;
  }
  if (lock.ok === "unavailable") {
    log({
      level: "warn",
      msg: "running without the instance lock",
      error: lock.error,
    });
  }
  const release = lock.ok === true ? lock.release : () => {};
  const health = await HealthFile.open(dir);
  try {
    const files = new FileStateStore(dir);
    const stale = await files.removeTemporaries();
    if (stale > 0) {
      log({
        level: "info",
        msg: "removed temporary files of interrupted writes",
        count: stale,
      });
    }
    const report = new HealthReport(health);
    const store = new ResilientStore(files, {
      log: (level, msg, fields) => log({ level, msg, ...fields }),
      // Rare and what status is asked about: written at once.
      onHealth: (state) => void report.updateNow({ state }),
    });
    report.update({ state: store.health });
    await report.flush();
    const refusals = new RefusalLog({
      log: (msg, details) => log({ level: "warn", msg, ...details }),
      onChange: (connectionRequests) => report.update({ connectionRequests }),
    });
    return {
      store,
      refusals,
      reportUdp: (udpConnectionRequest) =>
        report.update({ udpConnectionRequest }),
      async close() {
        await store.flush();
        store.close();
        if (!store.health.ok) {
          log({
            level: "error",
            msg: "stopped with state not on disk",
            pending: store.health.pending,
          });
        }
        await report.flush();
        health.close();
        release();
      },
    };
  } catch (error) {
    health.close();
    release();
    throw error;
  }
}
