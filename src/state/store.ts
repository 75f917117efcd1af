/**
 * Durable state for the agent: JSON documents by key, each written
 * atomically (temporary file, fsync, rename, directory fsync) so that a
 * crash at any point leaves either the old or the new document, never a mix.
 *
 * @module
 */

/** Where the agent keeps what must survive a reboot. */
export interface StateStore {
  /** The document stored under `key`, or undefined. */
  read(key: string): Promise<unknown>;
  /** Replaces the document under `key`, durably and atomically. */
  write(key: string, value: unknown): Promise<void>;
  /**
   * Keeps the document under `key` aside, as found, for a person to look at
   * (it was corrupt); the key then reads as missing. Returns where it went.
   */
  quarantine?(key: string): Promise<string | undefined>;
}

/** Corrupt copies kept per key; older ones go. */
const MAX_QUARANTINED = 5;

const KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Names of the temporary files {@linkcode FileStateStore.write} renames into place. */
const TEMPORARY = /^\.[a-z0-9][a-z0-9_-]{0,63}\.\d+\.\d+\.tmp$/;

function checkKey(key: string): void {
  if (!KEY.test(key)) {
    throw new TypeError(`Invalid state key ${JSON.stringify(key)}`);
  }
}

/**
 * A {@linkcode StateStore} in a directory: one `KEY.json` file per document.
 *
 * @example
 * ```ts
 * import { FileStateStore } from "./store.ts";
 * const dir = await Deno.makeTempDir();
 * const store = new FileStateStore(dir);
 * await store.write("attributes", { a: 1 });
 * console.log(await store.read("attributes")); // { a: 1 }
 * ```
 */
export class FileStateStore implements StateStore {
  readonly #dir: string;
  #sequence = 0;

  /** A store in `dir`, which is created if missing. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The directory this store writes to. */
  get dir(): string {
    return this.#dir;
  }

  /**
   * Removes the temporary files of writes that never finished (a crash or a
   * kill between writing and renaming); call it while no other process
   * writes here (the agent does, holding its lock). Returns how many went.
   */
  async removeTemporaries(): Promise<number> {
    let removed = 0;
    try {
      for await (const entry of Deno.readDir(this.#dir)) {
        if (entry.isFile && TEMPORARY.test(entry.name)) {
          await Deno.remove(`${this.#dir}/${entry.name}`).then(
            () => removed++,
            () => {},
          );
        }
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return removed;
  }

  async read(key: string): Promise<unknown> {
    checkKey(key);
    let text: string;
    try {
      text = await Deno.readTextFile(`${this.#dir}/${key}.json`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new Error(`State file ${this.#dir}/${key}.json is not valid JSON`, {
        cause,
      });
    }
  }

  async quarantine(key: string): Promise<string | undefined> {
    checkKey(key);
    const target = `${this.#dir}/${key}.json.corrupt-${
      new Date().toISOString().replace(/[:.]/g, "-")
    }`;
    try {
      await Deno.rename(`${this.#dir}/${key}.json`, target);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    const copies: string[] = [];
    for await (const entry of Deno.readDir(this.#dir)) {
      if (entry.name.startsWith(`${key}.json.corrupt-`)) {
        copies.push(entry.name);
      }
    }
    for (const old of copies.sort().slice(0, -MAX_QUARANTINED)) {
      await Deno.remove(`${this.#dir}/${old}`).catch(() => {});
    }
    return target;
  }

  async write(key: string, value: unknown): Promise<void> {
    checkKey(key);
    await Deno.mkdir(this.#dir, { recursive: true });
    const target = `${this.#dir}/${key}.json`;
    const temp = `${this.#dir}/.${key}.${Deno.pid}.${++this.#sequence}.tmp`;
    const file = await Deno.open(temp, {
      write: true,
      create: true,
      truncate: true,
      mode: 0o600,
    });
    try {
      const bytes = new TextEncoder().encode(
        JSON.stringify(value, null, 1) + "\n",
      );
      let offset = 0;
      while (offset < bytes.length) {
        offset += await file.write(bytes.subarray(offset));
      }
      await file.sync();
    } finally {
      file.close();
    }
    try {
      await Deno.rename(temp, target);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
    // The rename is durable only once the directory entry is on disk.
    const dir = await Deno.open(this.#dir, { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  }
}

/**
 * A {@linkcode StateStore} in memory, for tests and the demo. Documents are
 * copied in and out, so callers cannot alter stored state by accident.
 *
 * @example
 * ```ts
 * import { MemoryStateStore } from "./store.ts";
 * const store = new MemoryStateStore();
 * await store.write("k", [1]);
 * console.log(await store.read("k")); // [1]
 * ```
 */
export class MemoryStateStore implements StateStore {
  readonly #documents = new Map<string, string>();

  read(key: string): Promise<unknown> {
    checkKey(key);
    const text = this.#documents.get(key);
    return Promise.resolve(text === undefined ? undefined : JSON.parse(text));
  }

  write(key: string, value: unknown): Promise<void> {
    checkKey(key);
    this.#documents.set(key, JSON.stringify(value));
    return Promise.resolve();
  }

  /** Forgets the document (a memory store has nowhere to keep it aside). */
  quarantine(key: string): Promise<string | undefined> {
    checkKey(key);
    this.#documents.delete(key);
    return Promise.resolve(undefined);
  }
}
