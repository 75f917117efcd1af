/**
 * What the running agent reports about itself for `agent status`: whether
 * its state reaches the disk, and how many connection requests it refused.
 * It lives in a file of fixed size that is overwritten in place, so that it
 * can still be updated when the disk is full — which is when it matters.
 *
 * @module
 */
import type { StoreHealth } from "./resilient_store.ts";

/** The file name in the state directory. */
export const HEALTH_FILE = "health.json";

/** Room reserved for the document; it is padded with spaces to this size. */
const SIZE = 4096;

/** What the file holds. */
export interface HealthDocument {
  /** The agent process that wrote it. */
  readonly pid: number;
  /** When it was written (ISO 8601). */
  readonly updatedAt: string;
  /** The state store's view of the disk. */
  readonly state?: StoreHealth;
  /** Connection requests the listener refused since the agent started, by reason. */
  readonly connectionRequests?: Readonly<Record<string, number>>;
  /** The UDP connection-request port's published address, and whether STUN saw a NAT. */
  readonly udpConnectionRequest?: {
    readonly address: string;
    readonly natDetected: boolean;
  };
}

/**
 * The health file of a state directory, reserved at start while there is
 * room and overwritten in place afterwards.
 *
 * @example
 * ```ts
 * import { HealthFile, readHealth } from "./health.ts";
 * const dir = await Deno.makeTempDir();
 * const file = await HealthFile.open(dir);
 * await file.write({ pid: Deno.pid, updatedAt: new Date().toISOString() });
 * console.log((await readHealth(dir))?.pid === Deno.pid); // true
 * file.close();
 * ```
 */
export class HealthFile {
  readonly #file: Deno.FsFile | undefined;
  #busy: Promise<void> = Promise.resolve();

  private constructor(file: Deno.FsFile | undefined) {
    this.#file = file;
  }

  /** Opens (and reserves) the file; without room it does nothing, quietly. */
  static async open(dir: string): Promise<HealthFile> {
    const path = `${dir}/${HEALTH_FILE}`;
    try {
      const file = await Deno.open(path, {
        read: true,
        write: true,
        create: true,
        mode: 0o600,
      });
      try {
        const { size } = await file.stat();
        if (size < SIZE) {
          await file.seek(0, Deno.SeekMode.Start);
          await writeAll(file, new TextEncoder().encode(" ".repeat(SIZE)));
        }
        return new HealthFile(file);
      } catch {
        file.close();
        return new HealthFile(undefined);
      }
    } catch {
      return new HealthFile(undefined);
    }
  }

  /** Overwrites the document in place; a failure is ignored (it is only a report). */
  write(document: HealthDocument): Promise<void> {
    this.#busy = this.#busy.then(async () => {
      if (!this.#file) return;
      const text = JSON.stringify(document);
      if (text.length > SIZE) return;
      try {
        await this.#file.seek(0, Deno.SeekMode.Start);
        await writeAll(
          this.#file,
          new TextEncoder().encode(text.padEnd(SIZE, " ")),
        );
      } catch {
        // The report waits for the next change.
      }
    });
    return this.#busy;
  }

  /** Closes the file. */
  close(): void {
    try {
      this.#file?.close();
    } catch {
      // Already closed.
    }
  }
}

/**
 * What the agent reports, kept current in its health file: the parts are
 * updated separately and written together, at most once per `intervalMs`
 * (a flood of refused connection requests must not become a flood of
 * writes); `flush` writes what is waiting.
 *
 * @example
 * ```ts
 * import { HealthFile, HealthReport, readHealth } from "./health.ts";
 * const dir = await Deno.makeTempDir();
 * const file = await HealthFile.open(dir);
 * const report = new HealthReport(file);
 * report.update({ connectionRequests: { "no-credentials": 1 } });
 * await report.flush();
 * console.log((await readHealth(dir))?.connectionRequests); // { "no-credentials": 1 }
 * file.close();
 * ```
 */
export class HealthReport {
  readonly #file: HealthFile;
  readonly #intervalMs: number;
  #parts: Omit<HealthDocument, "pid" | "updatedAt"> = {};
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastWrite = -Infinity;

  /** A report written to `file`. */
  constructor(
    file: HealthFile,
    options: { readonly intervalMs?: number } = {},
  ) {
    this.#file = file;
    this.#intervalMs = options.intervalMs ?? 1000;
  }

  /** Replaces the given parts; the file follows within `intervalMs`. */
  update(parts: Omit<HealthDocument, "pid" | "updatedAt">): void {
    this.#parts = { ...this.#parts, ...parts };
    if (this.#timer !== undefined) return;
    const wait = Math.max(
      0,
      this.#lastWrite + this.#intervalMs - performance.now(),
    );
    this.#timer = setTimeout(() => void this.flush(), wait);
  }

  /** Replaces the given parts and writes at once (for rare, important changes). */
  updateNow(parts: Omit<HealthDocument, "pid" | "updatedAt">): Promise<void> {
    this.#parts = { ...this.#parts, ...parts };
    return this.flush();
  }

  /** Writes the report now. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#lastWrite = performance.now();
    return this.#file.write({
      pid: Deno.pid,
      updatedAt: new Date().toISOString(),
      ...this.#parts,
    });
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    offset += await file.write(bytes.subarray(offset));
  }
}

/**
 * Reads the health file of a state directory; undefined when there is none
 * or it cannot be read (torn by a crash mid-write, say).
 */
export async function readHealth(
  dir: string,
): Promise<HealthDocument | undefined> {
  try {
    const text = (await Deno.readTextFile(`${dir}/${HEALTH_FILE}`)).trim();
    if (text === "") return undefined;
    const document = JSON.parse(text);
    return typeof document === "object" && document !== null &&
        typeof document.pid === "number"
      ? document as HealthDocument
      : undefined;
  } catch {
    return undefined;
  }
}
