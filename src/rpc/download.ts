/**
 * Download: queue a file for the CPE to fetch, check and apply.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import { UNKNOWN_TIME } from "../datamodel/types.ts";
import type { RpcContext, RpcResult } from "./context.ts";
import {
  checkFreeSpace,
  checkQueueRoom,
  checkTransferUrl,
  downloadFileTypeProblem,
  enqueue,
  transferId,
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
  const now = context.now().getTime();
  await enqueue({
    id: transferId(),
    method: "Download",
    commandKey: args.commandKey,
    fileType: args.fileType,
    url: args.url,
    username: args.username,
    password: args.password,
    fileSize: args.fileSize,
    targetFileName: args.targetFileName,
    notBefore: new Date(now + args.delaySeconds * 1000).toISOString(),
    state: 1,
    attempts: 0,
  }, context);
  return {
    response: {
      status: 1,
      startTime: UNKNOWN_TIME,
      completeTime: UNKNOWN_TIME,
    },
  };
}
