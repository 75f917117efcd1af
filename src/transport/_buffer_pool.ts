/**
 * Reused I/O buffers. A transfer's buffers live outside the V8 heap, and a
 * freed one goes back to the system only at the next major collection,
 * which a quiet agent may not run for many transfers: a fresh buffer per
 * response made the resident size climb by about its size with every file
 * fetched (measured: +1.5 MB a download until a collection). Buffers given
 * back are handed out again instead; a few are kept, never more.
 *
 * @module
 */

/** Free buffers of one size, at most `keep` of them. */
export class BufferPool {
  readonly #bytes: number;
  readonly #keep: number;
  readonly #free: Uint8Array[] = [];

  constructor(bytes: number, keep: number) {
    this.#bytes = bytes;
    this.#keep = keep;
  }

  /** A buffer of the pool's size: a free one, or a new one. */
  take(): Uint8Array {
    return this.#free.pop() ?? new Uint8Array(this.#bytes);
  }

  /**
   * Gives a buffer back. Only a whole buffer of the pool's size is kept, only
   * once, and only while fewer than `keep` are free; the caller must not
   * touch it again.
   */
  give(buffer: Uint8Array): void {
    if (
      buffer.byteOffset !== 0 || buffer.byteLength !== this.#bytes ||
      buffer.buffer.byteLength !== this.#bytes ||
      this.#free.length >= this.#keep || this.#free.includes(buffer)
    ) return;
    this.#free.push(buffer);
  }

  /** How many buffers are free. */
  get free(): number {
    return this.#free.length;
  }
}

/**
 * The socket buffers of the HTTP/1.1 transport: a response body's reads and
 * an upload's file reads. Two are kept, for a download and an upload at once.
 */
export const socketBuffers: BufferPool = new BufferPool(1 << 20, 2);
