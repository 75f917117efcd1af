/**
 * A state store that a failing disk cannot stop. When a write fails (a full
 * flash, a read-only remount, an I/O error) the document is kept in memory
 * and served from there, the failure is logged once per kind rather than
 * per attempt, and the write is retried with backoff until it goes through.
 * The agent keeps running its sessions meanwhile; what it could not store
 * is stored as soon as the disk takes it again.
 *
 * @module
 */
import type { StateStore } from "./store.ts";

/** The store's view of the disk, for logs and `agent status`. */
export interface StoreHealth {
  /** Every write has reached the disk. */
  readonly ok: boolean;
  /** When writes started failing (ISO 8601), while they fail. */
  readonly failingSince?: string;
  /** The last failure, while writes fail. */
  readonly error?: string;
  /** Documents held in memory only, waiting for the disk. */
  readonly pending: readonly string[];
}

/** Options for {@linkcode ResilientStore}. */
export interface ResilientStoreOptions {
  /** Where failures and the recovery are reported; once per kind of failure. */
  readonly log?: (
    level: "warn" | "error" | "info",
    msg: string,
    fields: Record<string, unknown>,
  ) => void;
  /** Called whenever the health changes. */
  readonly onHealth?: (health: StoreHealth) => void;
  /** The clock, in ms. */
  readonly now?: () => number;
  /** Timers (injected in tests); unref'd real timers by default. */
  readonly setTimeout?: (fn: () => void, ms: number) => number;
  /** Cancels a timer from `setTimeout`. */
  readonly clearTimeout?: (handle: number) => void;
  /** First retry wait (default 1 s); it doubles up to `maxRetryMs`. */
  readonly retryMs?: number;
  /** Longest retry wait (default 60 s). */
  readonly maxRetryMs?: number;
}

/** What kind of failure an error is, for logging each kind once. */
function failureKind(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string };
  const os = /os error (\d+)/.exec(e?.message ?? "")?.[1];
  return `${e?.name ?? "Error"}:${e?.code ?? os ?? ""}`;
}

/**
 * Wraps a store so that writes never fail. Reads see the latest write,
 * stored or not.
 *
 * @example
 * ```ts
 * import { ResilientStore } from "./resilient_store.ts";
 * import { MemoryStateStore } from "./store.ts";
 * const store = new ResilientStore(new MemoryStateStore());
 * await store.write("k", { a: 1 });
 * console.log(await store.read("k"), store.health.ok); // { a: 1 } true
 * store.close();
 * ```
 */
export class ResilientStore implements StateStore {
  readonly #inner: StateStore;
  readonly #options: ResilientStoreOptions;
  /** Documents not on disk yet, as JSON text (a copy, not the caller's object). */
  readonly #pending = new Map<string, string>();
  readonly #loggedKinds = new Set<string>();
  #failingSince: number | undefined;
  #lastError: string | undefined;
  #retry: number | undefined;
  #retryMs: number;
  #flushing: Promise<void> | undefined;
  #closed = false;

  /** A store over `inner`. */
  constructor(inner: StateStore, options: ResilientStoreOptions = {}) {
    this.#inner = inner;
    this.#options = options;
    this.#retryMs = options.retryMs ?? 1000;
  }

  /** The disk as the store sees it. */
  get health(): StoreHealth {
    return {
      ok: this.#pending.size === 0 && this.#failingSince === undefined,
      ...(this.#failingSince !== undefined
        ? { failingSince: new Date(this.#failingSince).toISOString() }
        : {}),
      ...(this.#lastError !== undefined && this.#failingSince !== undefined
        ? { error: this.#lastError }
        : {}),
      pending: [...this.#pending.keys()],
    };
  }

  async read(key: string): Promise<unknown> {
    const pending = this.#pending.get(key);
    return pending === undefined
      ? await this.#inner.read(key)
      : JSON.parse(pending);
  }

  async write(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    try {
      await this.#inner.write(key, JSON.parse(text));
      this.#pending.delete(key);
      if (this.#failingSince !== undefined && this.#pending.size === 0) {
        this.#recovered();
      }
    } catch (error) {
      this.#pending.set(key, text);
      this.#failed(error);
    }
  }

  async quarantine(key: string): Promise<string | undefined> {
    this.#pending.delete(key);
    try {
      return await this.#inner.quarantine?.(key);
    } catch (error) {
      this.#failed(error);
      return undefined;
    }
  }

  /** Stops retrying (the agent is stopping); pending documents stay in memory. */
  close(): void {
    this.#closed = true;
    if (this.#retry !== undefined) {
      (this.#options.clearTimeout ?? clearTimeout)(this.#retry);
    }
    this.#retry = undefined;
  }

  /** Tries every pending write now; resolves when the attempt is over. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => this.#flushing = undefined);
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    for (const [key, text] of [...this.#pending]) {
      try {
        await this.#inner.write(key, JSON.parse(text));
        // A newer write of the same key may have come in meanwhile.
        if (this.#pending.get(key) === text) this.#pending.delete(key);
      } catch (error) {
        this.#failed(error);
        return;
      }
    }
    if (this.#pending.size === 0) this.#recovered();
  }

  #failed(error: unknown): void {
    const now = (this.#options.now ?? Date.now)();
    const first = this.#failingSince === undefined;
    this.#failingSince ??= now;
    this.#lastError = String((error as Error)?.message ?? error);
    const kind = failureKind(error);
    if (!this.#loggedKinds.has(kind)) {
      this.#loggedKinds.add(kind);
      this.#options.log?.(
        "error",
        "state write failed; kept in memory, retrying",
        {
          error: this.#lastError,
          pending: [...this.#pending.keys()],
        },
      );
    }
    if (first) this.#options.onHealth?.(this.health);
    this.#schedule();
  }

  #recovered(): void {
    const since = this.#failingSince;
    this.#failingSince = undefined;
    this.#lastError = undefined;
    this.#retryMs = this.#options.retryMs ?? 1000;
    this.#loggedKinds.clear();
    if (this.#retry !== undefined) {
      (this.#options.clearTimeout ?? clearTimeout)(this.#retry);
      this.#retry = undefined;
    }
    if (since !== undefined) {
      this.#options.log?.("info", "state writes recovered", {
        failingSince: new Date(since).toISOString(),
      });
      this.#options.onHealth?.(this.health);
    }
  }

  #schedule(): void {
    if (this.#closed || this.#retry !== undefined) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(
      this.#retryMs * 2,
      this.#options.maxRetryMs ?? 60_000,
    );
    const set = this.#options.setTimeout ??
      ((fn: () => void, ms: number): number => {
        // Deno's timers are numbers; the cast only silences Node's typings.
        const id = setTimeout(fn, ms) as unknown as number;
        Deno.unrefTimer(id);
        return id;
      });
    this.#retry = set(() => {
      this.#retry = undefined;
      void this.flush().then(() => {
        if (this.#pending.size > 0) this.#schedule();
      });
    }, wait);
  }
}
