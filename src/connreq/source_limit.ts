/**
 * An allowance of requests per source address, for what does not
 * authenticate: the listener keeps one for requests without credentials
 * (the ACS sends one per connection request, to fetch the challenge) and a
 * smaller one for failures (wrong credentials, paths, methods), so that a
 * flood from one address is answered 503 without reaching the real ACS's
 * allowance, and guessing credentials is slow. The table of sources is
 * bounded: past it, the source seen least recently is forgotten.
 *
 * @module
 */
import { TokenBucket } from "./rate_limit.ts";

/** Options for {@linkcode SourceLimit}. */
export interface SourceLimitOptions {
  /** Requests a source may make at once (default 20). */
  readonly burst?: number;
  /** After that, one more per this many ms (default 1000). */
  readonly intervalMs?: number;
  /** Sources remembered at once (default 1024). */
  readonly maxSources?: number;
  /** The clock (ms). */
  readonly now?: () => number;
}

/**
 * Per-source token buckets in a bounded table.
 *
 * @example
 * ```ts
 * import { SourceLimit } from "./source_limit.ts";
 * const limit = new SourceLimit({ burst: 2 });
 * limit.charge("192.0.2.1");
 * limit.charge("192.0.2.1");
 * console.log(limit.allowed("192.0.2.1"), limit.allowed("192.0.2.2")); // false true
 * ```
 */
export class SourceLimit {
  readonly #options: SourceLimitOptions;
  /** Source → its bucket, least recently seen first. */
  readonly #sources = new Map<string, TokenBucket>();

  /** An empty table. */
  constructor(options: SourceLimitOptions = {}) {
    this.#options = options;
  }

  #bucket(source: string): TokenBucket {
    let bucket = this.#sources.get(source);
    if (bucket) {
      this.#sources.delete(source);
    } else {
      bucket = new TokenBucket({
        burst: this.#options.burst ?? 20,
        intervalMs: this.#options.intervalMs ?? 1000,
        ...(this.#options.now ? { now: this.#options.now } : {}),
      });
    }
    this.#sources.set(source, bucket);
    const max = this.#options.maxSources ?? 1024;
    while (this.#sources.size > max) {
      this.#sources.delete(this.#sources.keys().next().value!);
    }
    return bucket;
  }

  /** Whether the source has a token left (none is taken). */
  allowed(source: string): boolean {
    return this.#bucket(source).available();
  }

  /** Takes a token for a request. */
  charge(source: string): void {
    this.#bucket(source).take();
  }

  /** Whole seconds until the source has a token again. */
  retryAfterSeconds(source: string): number {
    return this.#bucket(source).retryAfterSeconds();
  }

  /** Sources remembered now. */
  get size(): number {
    return this.#sources.size;
  }
}
