/** Polling for a condition that real sockets make true, bounded in time. */

/**
 * Resolves once `check()` holds; rejects after `ms`, naming `what`.
 * Bounded: at most `ms` of 5 ms waits.
 */
export async function until(
  check: () => boolean,
  what = "the condition",
  ms = 5000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
