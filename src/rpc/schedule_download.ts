/**
 * ScheduleDownload: a download to be done, and applied, inside one of one
 * or two time windows.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { TransferWindow } from "../state/transfers.ts";
import type { RpcContext, RpcResult } from "./context.ts";
import {
  checkFreeSpace,
  checkQueueRoom,
  checkTransferUrl,
  downloadFileTypeProblem,
  enqueue,
} from "./transfer_request.ts";

/** WindowModes TR-069 defines (A.4.1.8), besides the vendor form `X <OUI> <mode>`. */
export const WINDOW_MODES = [
  "1 At Any Time",
  "2 Immediately",
  "3 When Idle",
  "4 Confirmation Needed",
] as const;

type RequestWindow = AcsRequestArgs<
  "ScheduleDownload"
>["timeWindowList"][number];

/**
 * The windows in absolute times, checked: each ends after it starts, the
 * second starts no sooner than the first ends, known modes, MaxRetries of
 * -1 or more; anything else is fault 9003.
 *
 * @example
 * ```ts
 * import { scheduleWindows } from "./schedule_download.ts";
 * const [w] = scheduleWindows([{ windowStart: 0, windowEnd: 3600, windowMode: "1 At Any Time", userMessage: "", maxRetries: 2 }], 0);
 * console.log(w.endAt); // "1970-01-01T01:00:00.000Z"
 * ```
 */
export function scheduleWindows(
  windows: readonly RequestWindow[],
  receivedAt: number,
): TransferWindow[] {
  const out: TransferWindow[] = [];
  for (const [i, w] of windows.entries()) {
    const which = `TimeWindowList[${i + 1}]`;
    if (w.windowEnd <= w.windowStart) {
      throw new CwmpFault(
        9003,
        `${which}: WindowEnd (${w.windowEnd}) must be later than WindowStart (${w.windowStart})`,
      );
    }
    const previous = windows[i - 1];
    if (previous && w.windowStart < previous.windowEnd) {
      throw new CwmpFault(
        9003,
        `${which} starts before the window before it ends: windows must not overlap`,
      );
    }
    if (
      !(WINDOW_MODES as readonly string[]).includes(w.windowMode) &&
      !/^X [0-9A-F]{6} \S/.test(w.windowMode)
    ) {
      throw new CwmpFault(
        9003,
        `${which}: WindowMode ${JSON.stringify(w.windowMode)} is none of ${
          WINDOW_MODES.join(", ")
        } or X <OUI> <mode>`,
      );
    }
    if (w.maxRetries < -1) {
      throw new CwmpFault(9003, `${which}: MaxRetries must be -1 or more`);
    }
    out.push({
      startAt: new Date(receivedAt + w.windowStart * 1000).toISOString(),
      endAt: new Date(receivedAt + w.windowEnd * 1000).toISOString(),
      mode: w.windowMode,
      userMessage: w.userMessage,
      maxRetries: w.maxRetries,
    });
  }
  return out;
}

/**
 * Checks the request and queues it durably; the transfer runs in its
 * windows and always ends in a TransferComplete (9020 when no window
 * sufficed).
 *
 * @example
 * ```ts
 * import { scheduleDownload } from "./schedule_download.ts";
 * // await scheduleDownload({ commandKey: "night", fileType: "1 Firmware Upgrade Image", url, …, timeWindowList: [...] }, context);
 * ```
 */
export async function scheduleDownload(
  args: AcsRequestArgs<"ScheduleDownload">,
  context: RpcContext,
): Promise<RpcResult<"ScheduleDownload">> {
  const typeProblem = downloadFileTypeProblem(args.fileType);
  if (typeProblem) throw new CwmpFault(9003, typeProblem);
  const now = context.now().getTime();
  const windows = scheduleWindows(args.timeWindowList, now);
  checkTransferUrl(args.url, context);
  checkQueueRoom(context);
  await checkFreeSpace(args.fileType, args.fileSize, context);
  await enqueue({
    method: "ScheduleDownload",
    ...args,
    notBefore: Date.parse(windows[0].startAt),
    windows,
  }, context);
  return { response: {} };
}
