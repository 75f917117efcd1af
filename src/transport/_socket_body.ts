/**
 * A response body read from a socket into one reused buffer, by
 * Content-Length, chunked transfer coding or until the connection closes,
 * with the idle limit of the exchange. The chunks it yields are views of
 * that buffer, valid until the next is asked for.
 *
 * @module
 */
import { socketBuffers } from "./_buffer_pool.ts";
import { bodyTimeout } from "./_exchange.ts";
import type { HttpExchange } from "./http_transport.ts";

/** A chunk is gathered while at least this much room is left in the buffer. */
const MIN_ROOM = 64 * 1024;
/** A body of at most this many bytes is read into a buffer of its size. */
const SMALL_BYTES = 64 * 1024;
/** How long a chunk is gathered before it is handed on as it is. */
const GATHER_MS = 20;
const LATE = Symbol("late");

/** What one socket read came to. */
type ReadOutcome = { readonly n: number | null } | { readonly error: unknown };

/** A response body's bytes: read into one buffer, with the idle limit. */
export class SocketBytes {
  readonly #conn: Deno.Conn;
  readonly #buffer: Uint8Array;
  #stopped = false;
  #reading = false;
  #ended = false;
  #pending: Promise<ReadOutcome> | undefined;
  #start = 0;
  #end = 0;
  #lastAt = Date.now();
  #stalled = false;
  readonly #idle: ReturnType<typeof setInterval> | undefined;
  readonly #exchange: HttpExchange;
  readonly #timedOut: () => boolean;

  /**
   * `length` is the body's size when the head says it (Content-Length, no
   * chunked coding; 0 for a status without a body): a small body (the
   * local interface's JSON, a file server's error page) gets a buffer of
   * its own size, not a MiB from the pool.
   */
  constructor(
    conn: Deno.Conn,
    rest: Uint8Array,
    exchange: HttpExchange,
    timedOut: () => boolean,
    length?: number,
  ) {
    this.#conn = conn;
    this.#buffer = length !== undefined && length <= SMALL_BYTES
      ? new Uint8Array(Math.max(length, rest.length, 1))
      : socketBuffers.take();
    this.#buffer.set(rest);
    this.#end = rest.length;
    this.#exchange = exchange;
    this.#timedOut = timedOut;
    const idleMs = exchange.idleTimeoutMs;
    // One check every quarter of the idle limit against the last read, not
    // a timer per read.
    this.#idle = idleMs === undefined ? undefined : setInterval(() => {
      if (Date.now() - this.#lastAt < idleMs) return;
      this.#stalled = true;
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }, Math.max(10, Math.floor(idleMs / 4)));
  }

  /**
   * Ends the idle check and gives the buffer back, once. A read still in
   * flight (a body dropped while one was pending) keeps the buffer from the
   * pool: the runtime may yet write into it.
   */
  stop(): void {
    clearInterval(this.#idle);
    if (this.#stopped) return;
    this.#stopped = true;
    if (!this.#reading) socketBuffers.give(this.#buffer);
  }

  /**
   * The read in flight, started if none is: into the buffer from `#end`,
   * so it never touches the bytes before, which a chunk handed out may
   * view. It never rejects; its outcome is applied by whoever awaits it.
   */
  #read(): Promise<ReadOutcome> {
    if (this.#pending) return this.#pending;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buffer.length) {
      this.#buffer.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    this.#reading = true;
    this.#pending = this.#conn.read(this.#buffer.subarray(this.#end)).then(
      (n) => {
        this.#reading = false;
        if (n !== null) this.#lastAt = Date.now();
        return { n };
      },
      (error) => {
        this.#reading = false;
        return { error };
      },
    );
    return this.#pending;
  }

  /** Takes a read's outcome into the buffer; false at the end of the stream. */
  #apply(outcome: ReadOutcome): boolean {
    this.#pending = undefined;
    if ("error" in outcome) {
      if (this.#stalled || this.#timedOut()) {
        throw bodyTimeout(this.#exchange, this.#stalled, outcome.error);
      }
      throw outcome.error;
    }
    if (outcome.n === null) {
      if (this.#stalled || this.#timedOut()) {
        throw bodyTimeout(this.#exchange, this.#stalled, undefined);
      }
      this.#ended = true;
      return false;
    }
    this.#end += outcome.n;
    return true;
  }

  /** Reads more into the buffer; false at the end of the stream. */
  async #fill(): Promise<boolean> {
    if (this.#ended) return false;
    if (this.#stopped) throw new Error("the body was already released");
    return this.#apply(await this.#read());
  }

  /**
   * Up to `max` buffered bytes, or undefined at the end. While a body
   * streams in, each read returns at once with what one socket read holds
   * (tens of KiB): reads go on into the free room for up to GATHER_MS, so
   * that the consumer gets a few large chunks (the spool writes them to disk
   * as they are, without a copy, and each hop through the body's async
   * iterators costs once per chunk). A read still waiting then is left in
   * flight for the next call, so a slow server's bytes come out within
   * GATHER_MS of arriving.
   */
  async #take(max: number): Promise<Uint8Array | undefined> {
    if (this.#start === this.#end && !(await this.#fill())) return undefined;
    const wantsMore = () =>
      !this.#ended && this.#end - this.#start < max &&
      this.#buffer.length - this.#end >= MIN_ROOM;
    if (wantsMore()) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<typeof LATE>((resolve) => {
        timer = setTimeout(resolve, GATHER_MS, LATE);
      });
      try {
        do {
          const outcome = await Promise.race([this.#read(), late]);
          if (outcome === LATE || !this.#apply(outcome)) break;
        } while (wantsMore());
      } finally {
        clearTimeout(timer);
      }
    }
    const n = Math.min(max, this.#end - this.#start);
    const view = this.#buffer.subarray(this.#start, this.#start + n);
    this.#start += n;
    return view;
  }

  async *exactly(length: number): AsyncIterable<Uint8Array> {
    for (let left = length; left > 0;) {
      const chunk = await this.#take(left);
      if (!chunk) {
        throw new Error(`connection closed ${left} bytes short of the body`);
      }
      left -= chunk.byteLength;
      yield chunk;
    }
  }

  async *untilClose(): AsyncIterable<Uint8Array> {
    for (;;) {
      const chunk = await this.#take(Infinity);
      if (!chunk) return;
      yield chunk;
    }
  }

  async *chunked(): AsyncIterable<Uint8Array> {
    for (;;) {
      const line = await this.#line();
      const size = parseInt(line.split(";")[0].trim(), 16);
      if (!Number.isFinite(size) || size < 0) {
        throw new Error(
          `a malformed chunk size ${JSON.stringify(line.slice(0, 32))}`,
        );
      }
      if (size === 0) {
        // Trailers, then the blank line.
        while ((await this.#line()) !== "");
        return;
      }
      yield* this.exactly(size);
      if ((await this.#line()) !== "") {
        throw new Error("a chunk without its CRLF");
      }
    }
  }

  /** One CRLF-terminated line (at most 4 KiB). */
  async #line(): Promise<string> {
    let text = "";
    for (;;) {
      for (let i = this.#start; i < this.#end; i++) {
        if (this.#buffer[i] === 10) {
          text += new TextDecoder("latin1").decode(
            this.#buffer.subarray(this.#start, i),
          );
          this.#start = i + 1;
          return text.endsWith("\r") ? text.slice(0, -1) : text;
        }
      }
      text += new TextDecoder("latin1").decode(
        this.#buffer.subarray(this.#start, this.#end),
      );
      this.#start = this.#end;
      if (text.length > 4096) throw new Error("a chunk line over 4 KiB");
      if (!(await this.#fill())) {
        throw new Error("connection closed in a chunk line");
      }
    }
  }
}
