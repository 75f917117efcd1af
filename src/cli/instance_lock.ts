/**
 * One agent per state directory. Two agents on the same state would each
 * take the other's writes for corruption and answer the ACS twice, so the
 * second refuses to start and names the first. The lock is an advisory
 * `flock` on `agent.lock`, which the kernel releases when its holder dies
 * however it dies (kill -9 included): a restart right after a crash is never
 * refused. The file names the holder for the message.
 *
 * @module
 */

/** The lock file's name in the state directory. */
export const LOCK_FILE = "agent.lock";

/** Who holds the lock, as its file says. */
export interface LockHolder {
  readonly pid?: number;
  readonly since?: string;
}

/** The outcome of {@linkcode acquireInstanceLock}. */
export type LockResult =
  | { readonly ok: true; readonly release: () => void }
  | { readonly ok: false; readonly holder: LockHolder; readonly path: string }
  /** The lock could not be taken at all (e.g. a full disk): go on without it. */
  | { readonly ok: "unavailable"; readonly error: string };

/**
 * Takes the lock of `dir`, waiting `waitMs` at most for it.
 *
 * @example
 * ```ts
 * import { acquireInstanceLock } from "./instance_lock.ts";
 * const dir = await Deno.makeTempDir();
 * const lock = await acquireInstanceLock(dir);
 * console.log(lock.ok); // true
 * if (lock.ok === true) lock.release();
 * ```
 */
export async function acquireInstanceLock(
  dir: string,
  waitMs = 300,
): Promise<LockResult> {
  const path = `${dir}/${LOCK_FILE}`;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
  } catch (error) {
    return { ok: "unavailable", error: String((error as Error).message) };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const locked = await Promise.race([
    file.lock(true).then(() => true, () => false),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), waitMs);
    }),
  ]);
  clearTimeout(timer);
  if (!locked) {
    // The pending lock call stays with the file; the process is about to
    // exit (closing the file would not cancel a blocked flock).
    return { ok: false, holder: await readHolder(path), path };
  }
  try {
    const text = JSON.stringify({
      pid: Deno.pid,
      since: new Date().toISOString(),
    });
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    await file.write(new TextEncoder().encode(text + "\n"));
  } catch {
    // The lock holds without its note (a full disk, say).
  }
  return {
    ok: true,
    release: () => {
      try {
        file.unlockSync();
        file.close();
      } catch {
        // Already released.
      }
    },
  };
}

async function readHolder(path: string): Promise<LockHolder> {
  try {
    const value = JSON.parse(await Deno.readTextFile(path));
    return {
      ...(Number.isSafeInteger(value?.pid) ? { pid: value.pid } : {}),
      ...(typeof value?.since === "string" ? { since: value.since } : {}),
    };
  } catch {
    return {};
  }
}

/** The holder in words, for the refusal. */
export function describeHolder(holder: LockHolder): string {
  return holder.pid !== undefined
    ? `process ${holder.pid}${
      holder.since ? `, running since ${holder.since}` : ""
    }`
    : "another process";
}
