/**
 * Upload: queue a file of the device for the CPE to send.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";
import {
  checkQueueRoom,
  checkTransferUrl,
  enqueue,
  TRANSFER_PENDING,
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
  await enqueue({
    method: "Upload",
    ...args,
    notBefore: context.now().getTime() + args.delaySeconds * 1000,
  }, context);
  return { response: TRANSFER_PENDING };
}
