/**
 * The sandboxed child and its launcher: `agent run` re-launched under its
 * computed permissions gets a pipe on its standard input that the launcher
 * never writes to. When the launcher dies, however it dies, the pipe closes
 * and the child stops cleanly instead of living on as an orphan.
 *
 * @module
 */

/**
 * Resolves when `input` ends (the launcher is gone). Anything written is
 * ignored, and reading stops once it ends.
 *
 * @example
 * ```ts
 * import { launcherGone } from "./launcher_watch.ts";
 * await launcherGone(new Blob([]).stream());
 * console.log("gone"); // gone
 * ```
 */
export async function launcherGone(
  input: ReadableStream<Uint8Array>,
): Promise<void> {
  try {
    for await (const _ of input) {
      // Nothing is expected; what comes is dropped.
    }
  } catch {
    // A broken pipe is a launcher gone too.
  }
}
