/**
 * One-at-a-time execution for read-modify-write updates of a durable
 * document: without it, two updates that overlap (a session removing
 * delivered events while a timer adds one) both start from the same copy and
 * the later write silently drops the earlier change.
 *
 * @module
 */

/** Runs tasks one after another, in call order; a failing task does not stop the next. */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it; resolves or rejects with it. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => {});
    return result;
  }
}
