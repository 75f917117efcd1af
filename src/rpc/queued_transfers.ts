/**
 * GetQueuedTransfers and GetAllQueuedTransfers: what the queue holds.
 *
 * @module
 */
import type { RpcContext, RpcResult } from "./context.ts";

/**
 * The transfers the ACS asked for that have not completed, oldest first,
 * with their TransferState (1 not started, 2 in progress, 3 being applied).
 *
 * @example
 * ```ts
 * import { getQueuedTransfers } from "./queued_transfers.ts";
 * // const { response } = await getQueuedTransfers({}, context); // response.transferList
 * ```
 */
export function getQueuedTransfers(
  _args: Record<string, never>,
  context: RpcContext,
): Promise<RpcResult<"GetQueuedTransfers">> {
  return Promise.resolve({
    response: {
      transferList: context.transfers.current.queue.map((t) => ({
        commandKey: t.commandKey,
        state: t.state,
      })),
    },
  });
}

/**
 * The same with each transfer's direction, FileType, FileSize and
 * TargetFileName.
 *
 * @example
 * ```ts
 * import { getAllQueuedTransfers } from "./queued_transfers.ts";
 * // const { response } = await getAllQueuedTransfers({}, context);
 * ```
 */
export function getAllQueuedTransfers(
  _args: Record<string, never>,
  context: RpcContext,
): Promise<RpcResult<"GetAllQueuedTransfers">> {
  return Promise.resolve({
    response: {
      transferList: context.transfers.current.queue.map((t) => ({
        commandKey: t.commandKey,
        state: t.state,
        isDownload: t.method !== "Upload",
        fileType: t.fileType,
        fileSize: t.fileSize,
        targetFileName: t.targetFileName,
      })),
    },
  });
}
