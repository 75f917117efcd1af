/**
 * An {@linkcode XmlSink} that encodes to UTF-8 as the message is written.
 * A GetParameterValuesResponse of 50,000 parameters held as one string was
 * ~20 MB of string pieces on the V8 heap, then copied again to UTF-8 by the
 * HTTP stack; written here, each piece dies young and the message exists
 * once, as bytes outside the JS heap.
 *
 * @module
 */
import type { XmlSink } from "./_codec.ts";

const ENCODER = new TextEncoder();
/** Text gathered before one encode: fewer, larger calls into the runtime. */
const CHUNK = 16 * 1024;

/** A growing UTF-8 buffer. */
export class Utf8Sink implements XmlSink {
  #buffer = new Uint8Array(64 * 1024);
  #used = 0;
  #pending = "";

  /** Appends text. */
  write(text: string): void {
    this.#pending += text;
    if (this.#pending.length >= CHUNK) this.#flush(false);
  }

  /** The bytes written. */
  bytes(): Uint8Array<ArrayBuffer> {
    this.#flush(true);
    // Past a quarter of slack the buffer is copied to size: the message
    // may be held for a while (retries, authentication).
    return this.#used * 4 >= this.#buffer.length * 3
      ? this.#buffer.subarray(0, this.#used)
      : this.#buffer.slice(0, this.#used);
  }

  #flush(final: boolean): void {
    let text = this.#pending;
    this.#pending = "";
    // A surrogate pair is never split between two encodes.
    const last = text.charCodeAt(text.length - 1);
    if (!final && last >= 0xd800 && last <= 0xdbff) {
      this.#pending = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (text === "") return;
    // A UTF-16 unit takes at most 3 bytes.
    const needed = this.#used + text.length * 3;
    if (needed > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#used));
      this.#buffer = grown;
    }
    this.#used += ENCODER.encodeInto(text, this.#buffer.subarray(this.#used))
      .written;
  }
}
