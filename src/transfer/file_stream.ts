/**
 * A file as a byte stream for uploads.
 *
 * @module
 */

/**
 * A byte stream of `file` read synchronously into the buffer the sender
 * offers: a read from the page cache costs less than an async op through
 * the runtime's thread pool (measured: 50 MB PUT over loopback, median 55
 * ms against 79 ms with `file.readable`). Closes the file at the end, on
 * a read error, or when cancelled.
 *
 * @example
 * ```ts
 * import { syncReadStream } from "./file_stream.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello");
 * const text = await new Response(syncReadStream(await Deno.open(path))).text();
 * console.log(text); // "hello"
 * ```
 */
export function syncReadStream(file: Deno.FsFile): ReadableStream<Uint8Array> {
  let open = true;
  const close = () => {
    if (open) file.close();
    open = false;
  };
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: 256 * 1024,
    pull(controller: ReadableByteStreamController) {
      const request = controller.byobRequest!;
      const view = request.view!;
      let n: number | null;
      try {
        n = file.readSync(
          new Uint8Array(view.buffer, view.byteOffset, view.byteLength),
        );
      } catch (error) {
        close();
        throw error;
      }
      if (n === null) {
        close();
        controller.close();
        request.respond(0);
        return;
      }
      request.respond(n);
    },
    cancel: close,
  });
}
