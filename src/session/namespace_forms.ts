/**
 * Where one namespace's schema words a value differently from the others.
 *
 * cwmp-1-1 is the only schema with GetAllQueuedTransfers whose FileType
 * list differs: it admits `1 Firmware Upgrade Image`, `2 Web Content`,
 * `3 Vendor Configuration File`, `4 Vendor Log File` and `X <OUI> …`, so
 * an upload is named by what it carries, not by its Upload FileType
 * (`1 Vendor Configuration File` is `3 Vendor Configuration File` there),
 * and a tone or ringer download has no name at all: it is left out of that
 * namespace's list rather than sent as a message the ACS's schema refuses.
 * cwmp-1-2 and later admit every Download and Upload FileType.
 *
 * @module
 */
import type { CpeBody } from "../cwmp/messages.ts";
import type { CwmpNamespaceName } from "../cwmp/namespaces.ts";

const CWMP_1_1_UPLOAD_TYPES: readonly (readonly [RegExp, string])[] = [
  [/^(1|3) Vendor Configuration File( \d+)?$/, "3 Vendor Configuration File"],
  [/^(2|4) Vendor Log File( \d+)?$/, "4 Vendor Log File"],
];

const CWMP_1_1_DOWNLOAD_TYPES =
  /^(1 Firmware Upgrade Image|2 Web Content|3 Vendor Configuration File|X [0-9A-F]{6} .*)$/;

interface AllQueuedTransfer {
  readonly isDownload: boolean;
  readonly fileType: string;
}

/**
 * A GetAllQueuedTransfers list as cwmp-1-1 can carry it (see the module
 * comment); other namespaces get the list as it is.
 *
 * @example
 * ```ts
 * import { allQueuedTransfersFor } from "./namespace_forms.ts";
 * const list = [{ isDownload: false, fileType: "2 Vendor Log File" }];
 * console.log(allQueuedTransfersFor("1-1", list)[0].fileType); // "4 Vendor Log File"
 * ```
 */
export function allQueuedTransfersFor<T extends AllQueuedTransfer>(
  namespace: string,
  list: readonly T[],
): T[] {
  if (namespace !== "1-1") return [...list];
  const out: T[] = [];
  for (const entry of list) {
    if (entry.isDownload) {
      if (CWMP_1_1_DOWNLOAD_TYPES.test(entry.fileType)) out.push(entry);
      continue;
    }
    const form = CWMP_1_1_UPLOAD_TYPES.find(([p]) => p.test(entry.fileType));
    if (form) out.push({ ...entry, fileType: form[1] });
    else if (/^X [0-9A-F]{6} /.test(entry.fileType)) out.push(entry);
  }
  return out;
}

/**
 * A CPE message body as the session's namespace can carry it: the body
 * itself, except where {@linkcode allQueuedTransfersFor} rewords it.
 *
 * @example
 * ```ts
 * import { cpeBodyFor } from "./namespace_forms.ts";
 * console.log(cpeBodyFor("1-2", { kind: "empty" })); // { kind: "empty" }
 * ```
 */
export function cpeBodyFor(
  namespace: CwmpNamespaceName,
  body: CpeBody,
): CpeBody {
  if (body.kind !== "response" || body.method !== "GetAllQueuedTransfers") {
    return body;
  }
  return {
    ...body,
    args: {
      transferList: allQueuedTransfersFor(namespace, body.args.transferList),
    },
  };
}
