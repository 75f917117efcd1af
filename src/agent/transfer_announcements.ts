/**
 * What the CPE tells the ACS of its own accord about files: transfers the
 * device made itself (AutonomousTransferComplete, as ManagementServer's
 * AutonomousTransferCompletePolicy allows) and files it asks for
 * (RequestDownload) — from the device adapter, or from `agent
 * request-download`, which drops a request file in `<state-dir>/requests/`.
 * Each is kept durably until the ACS answers it.
 *
 * @module
 */
import type { CpeRequest } from "../cwmp/messages.ts";
import type { RpcContext } from "../rpc/context.ts";
import { downloadFileTypeProblem } from "../rpc/transfer_request.ts";
import type {
  AutonomousCompletion,
  DownloadRequest,
} from "../state/transfers.ts";
import { MAX_CPE_ANNOUNCEMENTS } from "../state/transfers.ts";
import type { TransferLog } from "../transfer/transfer_worker.ts";

/** Where `agent request-download` leaves requests, under the state directory. */
export const REQUESTS_DIR = "requests";

/** The largest request file read. */
const MAX_REQUEST_FILE_BYTES = 8192;

type Log = TransferLog;

/**
 * Whether an autonomous transfer passes the policy (TR-181
 * `ManagementServer.AutonomousTransferCompletePolicy.`): enabled, the
 * direction and the result in its filters, the file type in its list (an
 * empty list lets none through).
 *
 * @example
 * ```ts
 * import { autonomousReported } from "./transfer_announcements.ts";
 * const policy = { Enable: "true", TransferTypeFilter: "Both", ResultTypeFilter: "Failure", FileTypeFilter: "1 Firmware Upgrade Image" };
 * console.log(autonomousReported((n) => policy[n as keyof typeof policy], { isDownload: true, faultCode: 9010, fileType: "1 Firmware Upgrade Image" })); // true
 * ```
 */
export function autonomousReported(
  policy: (name: string) => string,
  transfer: Pick<AutonomousCompletion, "isDownload" | "faultCode" | "fileType">,
): boolean {
  if (policy("Enable") !== "true") return false;
  const direction = policy("TransferTypeFilter");
  if (direction === "Upload" && transfer.isDownload) return false;
  if (direction === "Download" && !transfer.isDownload) return false;
  const result = policy("ResultTypeFilter");
  if (result === "Success" && transfer.faultCode !== 0) return false;
  if (result === "Failure" && transfer.faultCode === 0) return false;
  return policy("FileTypeFilter").split(",").map((t) => t.trim())
    .includes(transfer.fileType);
}

/**
 * Why a download request cannot be sent (a FileType that is not a Download
 * one, more than 16 arguments, overlong names or values), or undefined.
 */
export function downloadRequestProblem(
  request: DownloadRequest,
): string | undefined {
  const typeProblem = downloadFileTypeProblem(request.fileType);
  if (typeProblem) return typeProblem;
  if (request.args.length > 16) return "more than 16 FileTypeArg entries";
  const long = request.args.find((a) =>
    a.name.length > 64 || a.value.length > 256
  );
  return long
    ? `FileTypeArg ${JSON.stringify(long.name.slice(0, 64))} is too long`
    : undefined;
}

/**
 * The announcements of one agent.
 *
 * @example
 * ```ts
 * import { TransferAnnouncements } from "./transfer_announcements.ts";
 * // const announcements = new TransferAnnouncements(context, { log, owed, requestsDir });
 * ```
 */
export class TransferAnnouncements {
  readonly #context: RpcContext;
  readonly #log: Log;
  readonly #owed: () => void;
  readonly #requestsDir: string | undefined;
  readonly #stops: (() => void)[] = [];
  #watcher: Deno.FsWatcher | undefined;

  /** Announcements for `context`; {@linkcode TransferAnnouncements.start} listens. */
  constructor(
    context: RpcContext,
    parts: {
      readonly log: Log;
      /** Something is owed to the ACS: ask for a session. */
      readonly owed: () => void;
      /** `<state-dir>/requests` (none: no request files). */
      readonly requestsDir?: string;
    },
  ) {
    this.#context = context;
    this.#log = parts.log;
    this.#owed = parts.owed;
    this.#requestsDir = parts.requestsDir;
  }

  /** Whether anything is owed. */
  get owed(): boolean {
    const d = this.#context.transfers.current;
    return d.autonomous.length > 0 || d.downloadRequests.length > 0;
  }

  /** Listens to the device and to the request directory, and takes what waits there. */
  async start(): Promise<void> {
    const transfers = this.#context.device.transfers;
    const stopAutonomous = transfers?.watchAutonomous?.((t) =>
      void this.autonomous(t).catch((e) => this.#failed(e))
    );
    if (stopAutonomous) this.#stops.push(stopAutonomous);
    const stopRequests = transfers?.watchFileRequests?.((r) =>
      void this.requestDownload(r).catch((e) => this.#failed(e))
    );
    if (stopRequests) this.#stops.push(stopRequests);
    if (this.#requestsDir) {
      await Deno.mkdir(this.#requestsDir, { recursive: true, mode: 0o700 })
        .catch(() => {});
      await this.scanRequests();
      try {
        this.#watcher = Deno.watchFs(this.#requestsDir, { recursive: false });
        void (async () => {
          for await (const _ of this.#watcher!) {
            await this.scanRequests().catch((e) => this.#failed(e));
          }
        })().catch(() => {});
      } catch (error) {
        this.#log("warn", "request files are read at start only", {
          error: String((error as Error)?.message ?? error),
        });
      }
    }
  }

  /** Stops listening. */
  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
    try {
      this.#watcher?.close();
    } catch {
      // Already closed.
    }
  }

  /** A transfer the device made itself: kept for the ACS if the policy says so. */
  async autonomous(transfer: AutonomousCompletion): Promise<void> {
    const ms = (name: string) =>
      this.#context.device.managementServer(
        `AutonomousTransferCompletePolicy.${name}`,
      );
    if (!autonomousReported(ms, transfer)) return;
    await this.#keep("autonomous", transfer);
  }

  /** A file the device asks for: a RequestDownload in the next session. */
  async requestDownload(request: DownloadRequest): Promise<void> {
    const problem = downloadRequestProblem(request);
    if (problem) {
      this.#log("warn", "download request refused", { problem });
      return;
    }
    await this.#keep("downloadRequests", request);
  }

  /** Takes the request files waiting in the request directory. */
  async scanRequests(): Promise<void> {
    const dir = this.#requestsDir;
    if (!dir) return;
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isFile && entry.name.endsWith(".json")) {
          names.push(entry.name);
        }
      }
    } catch {
      return;
    }
    for (const name of names.sort().slice(0, MAX_CPE_ANNOUNCEMENTS)) {
      if (
        this.#context.transfers.current.downloadRequests.length >=
          MAX_CPE_ANNOUNCEMENTS
      ) return; // The rest wait for the ACS to take these.
      const path = `${dir}/${name}`;
      // Recorded before a crash kept it from being removed: once is enough.
      const seen = this.#context.transfers.current.downloadRequests.some((r) =>
        r.file === name
      );
      const request = seen
        ? undefined
        : await readRequestFile(path).catch((error) => {
          this.#log("warn", "request file refused", {
            file: name,
            problem: String((error as Error)?.message ?? error),
          });
          return undefined;
        });
      if (request) await this.requestDownload({ ...request, file: name });
      await Deno.remove(path).catch(() => {});
    }
  }

  /** The CPE requests owed, each with what its acknowledgement removes. */
  requests(): { request: CpeRequest; acknowledge: () => Promise<void> }[] {
    const d = this.#context.transfers.current;
    const store = this.#context.transfers;
    const drop = <K extends "autonomous" | "downloadRequests">(
      key: K,
      item: unknown,
    ) =>
    () =>
      store.update((doc) => {
        const list = doc[key] as readonly unknown[];
        const i = list.findIndex((x) =>
          JSON.stringify(x) === JSON.stringify(item)
        );
        return i === -1
          ? doc
          : { ...doc, [key]: list.filter((_, j) => j !== i) };
      });
    return [
      ...d.autonomous.map((a) => ({
        request: {
          kind: "request",
          method: "AutonomousTransferComplete",
          args: {
            announceUrl: a.announceUrl,
            transferUrl: a.transferUrl,
            isDownload: a.isDownload,
            fileType: a.fileType,
            fileSize: a.fileSize,
            targetFileName: a.targetFileName,
            faultStruct: { faultCode: a.faultCode, faultString: a.faultString },
            startTime: a.startTime,
            completeTime: a.completeTime,
          },
        } as CpeRequest,
        acknowledge: drop("autonomous", a),
      })),
      ...d.downloadRequests.map((r) => ({
        request: {
          kind: "request",
          method: "RequestDownload",
          args: { fileType: r.fileType, fileTypeArg: [...r.args] },
        } as CpeRequest,
        acknowledge: drop("downloadRequests", r),
      })),
    ];
  }

  async #keep<K extends "autonomous" | "downloadRequests">(
    key: K,
    item: K extends "autonomous" ? AutonomousCompletion : DownloadRequest,
  ): Promise<void> {
    let dropped = false;
    await this.#context.transfers.update((d) => {
      const list = [...d[key], item] as unknown[];
      if (list.length > MAX_CPE_ANNOUNCEMENTS) {
        list.shift();
        dropped = true;
      }
      return { ...d, [key]: list };
    });
    if (dropped) {
      this.#log(
        "error",
        `more than ${MAX_CPE_ANNOUNCEMENTS} ${key} owed; dropped the oldest`,
      );
    }
    this.#owed();
  }

  #failed(error: unknown): void {
    this.#log("error", "recording what the device reported failed", {
      error: String((error as Error)?.message ?? error),
    });
  }
}

/** Reads and checks a request file `agent request-download` wrote. */
async function readRequestFile(path: string): Promise<DownloadRequest> {
  const { size } = await Deno.stat(path);
  if (size > MAX_REQUEST_FILE_BYTES) {
    throw new Error(`${size} bytes; at most ${MAX_REQUEST_FILE_BYTES}`);
  }
  const raw = JSON.parse(await Deno.readTextFile(path)) as unknown;
  if (typeof raw !== "object" || raw === null) throw new Error("not an object");
  const { fileType, args } = raw as { fileType?: unknown; args?: unknown };
  if (typeof fileType !== "string") throw new Error("no fileType");
  const list = Array.isArray(args) ? args : [];
  return {
    fileType,
    args: list.map((a) => {
      const { name, value } = (a ?? {}) as { name?: unknown; value?: unknown };
      if (typeof name !== "string" || typeof value !== "string") {
        throw new Error("an argument without a string name and value");
      }
      return { name, value };
    }),
  };
}
