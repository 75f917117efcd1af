/**
 * Download: queue a file for the CPE to fetch, check and apply.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";
import {
  checkFreeSpace,
  checkQueueRoom,
  checkTransferUrl,
  downloadFileTypeProblem,
  enqueue,
  TRANSFER_PENDING,
} from "./transfer_request.ts";

/**
 * Checks the request (FileType, URL and file-server policy, the space the
 * device reports for FileSize, room in the queue) and queues it durably,
 * due DelaySeconds from now; answers Status 1 with the Unknown Time: the
 * transfer happens after the session and ends in a TransferComplete.
 *
 * @example
 * ```ts
 * import { download } from "./download.ts";
 * // const { response } = await download({ commandKey: "fw", fileType: "1 Firmware Upgrade Image", url: "https://cdn.example.net/fw.bin", … }, context);
 * // response.status === 1
 * ```
 */
export async function download(
  args: AcsRequestArgs<"Download">,
  context: RpcContext,
): Promise<RpcResult<"Download">> {
  const typeProblem = downloadFileTypeProblem(args.fileType);
  if (typeProblem) throw new CwmpFault(9003, typeProblem);
  checkTransferUrl(args.url, context);
  checkQueueRoom(context);
  await checkFreeSpace(args.fileType, args.fileSize, context);
  await enqueue({
    method: "Download",
    ...args,
    notBefore: context.now().getTime() + args.delaySeconds * 1000,
  }, context);
  return { response: TRANSFER_PENDING };
}
