/**
 * Upload: queue a file of the device for the CPE to send.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import { UNKNOWN_TIME } from "../datamodel/types.ts";
import type { RpcContext, RpcResult } from "./context.ts";
import {
  checkQueueRoom,
  checkTransferUrl,
  enqueue,
  transferId,
  uploadFileTypeProblem,
} from "./transfer_request.ts";

/**
 * Checks the request (FileType, URL and file-server policy, room in the
 * queue) and queues it durably, due DelaySeconds from now; answers
 * Status 1: the upload (an HTTP PUT) happens after the session and ends in
 * a TransferComplete.
 *
 * @example
 * ```ts
 * import { upload } from "./upload.ts";
 * // await upload({ commandKey: "cfg", fileType: "1 Vendor Configuration File", url: "https://files.example.net/cfg", username: "", password: "", delaySeconds: 0 }, context);
 * ```
 */
export async function upload(
  args: AcsRequestArgs<"Upload">,
  context: RpcContext,
): Promise<RpcResult<"Upload">> {
  const typeProblem = uploadFileTypeProblem(args.fileType);
  if (typeProblem) throw new CwmpFault(9003, typeProblem);
  checkTransferUrl(args.url, context);
  checkQueueRoom(context);
  if (!context.device.transfers) {
    throw new CwmpFault(9011, "This device has no files to upload");
  }
  const now = context.now().getTime();
  await enqueue({
    id: transferId(),
    method: "Upload",
    commandKey: args.commandKey,
    fileType: args.fileType,
    url: args.url,
    username: args.username,
    password: args.password,
    fileSize: 0,
    targetFileName: "",
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
