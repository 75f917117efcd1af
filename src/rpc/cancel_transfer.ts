/**
 * CancelTransfer: take a transfer out of the queue before it starts.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";

/**
 * Removes the queued transfers with this CommandKey. One that has started
 * (fetching, or being applied) is past cancelling: fault 9021, and nothing
 * is removed. No such transfer: fault 9003. A cancelled transfer ends
 * without a TransferComplete: the ACS asked for its end.
 *
 * @example
 * ```ts
 * import { cancelTransfer } from "./cancel_transfer.ts";
 * // await cancelTransfer({ commandKey: "fw-7" }, context);
 * ```
 */
export async function cancelTransfer(
  args: AcsRequestArgs<"CancelTransfer">,
  context: RpcContext,
): Promise<RpcResult<"CancelTransfer">> {
  const matching = context.transfers.current.queue.filter((t) =>
    t.commandKey === args.commandKey
  );
  if (matching.length === 0) {
    throw new CwmpFault(
      9003,
      `No queued transfer has CommandKey ${JSON.stringify(args.commandKey)}`,
    );
  }
  const started = matching.find((t) => t.state !== 1);
  if (started) {
    throw new CwmpFault(
      9021,
      `The transfer ${JSON.stringify(args.commandKey)} is ${
        started.state === 2 ? "in progress" : "being applied"
      } and can no longer be cancelled`,
    );
  }
  let raced = false;
  await context.transfers.update((d) => {
    // The worker may have started it since the check above.
    if (
      d.queue.some((t) => t.commandKey === args.commandKey && t.state !== 1)
    ) {
      raced = true;
      return d;
    }
    return {
      ...d,
      queue: d.queue.filter((t) => t.commandKey !== args.commandKey),
    };
  });
  if (raced) {
    throw new CwmpFault(
      9021,
      `The transfer ${
        JSON.stringify(args.commandKey)
      } has just started and can no longer be cancelled`,
    );
  }
  return { response: {} };
}
