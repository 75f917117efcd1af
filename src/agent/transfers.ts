/**
 * File transfers as the agent runs them: the worker that carries out the
 * queue, and what sessions owe for it — the completions due, each raising
 * `7 TRANSFER COMPLETE` and `M <method>` in the Inform and sent as a
 * TransferComplete, and the device's announcements (`10 AUTONOMOUS
 * TRANSFER COMPLETE`, `9 REQUEST DOWNLOAD`) — each removed only when the
 * ACS has answered it (an 8005 or a failed session leaves it for the next
 * session, across restarts).
 *
 * @module
 */
import type { CpeRequest } from "../cwmp/messages.ts";
import type { RpcContext } from "../rpc/context.ts";
import type { EventRecord } from "../state/agent_state.ts";
import type { TransferCompletion } from "../state/transfers.ts";
import type { FileClientOptions } from "../transfer/file_client.ts";
import { TransferSpool } from "../transfer/spool.ts";
import {
  type TransferLog,
  TransferWorker,
} from "../transfer/transfer_worker.ts";
import { TransferAnnouncements } from "./transfer_announcements.ts";
import type { Clock } from "./clock.ts";

/** How the agent transfers files. */
export interface AgentTransferOptions {
  /** Where downloads land (`<state-dir>/transfers`); a fresh temporary directory by default. */
  readonly dir?: string;
  /** TLS settings (the ACS connection's), limits and the redirect policy. */
  readonly client?: FileClientOptions;
  /** Largest download when the device cannot tell its free space. */
  readonly maxDownloadBytes?: number;
  /** Files an Upload of these FileTypes sends, instead of asking the device. */
  readonly uploadFiles?: Readonly<Record<string, string>>;
  /** Where `agent request-download` leaves requests (`<state-dir>/requests`). */
  readonly requestsDir?: string;
}

/** TransferCompletes sent in one session; the rest wait for the next. */
export const MAX_TRANSFER_COMPLETES_PER_SESSION = 16;

/**
 * How long after a session that left a TransferComplete unanswered (an
 * 8005, HoldRequests to the end, a failure the retry policy does not
 * cover) the agent opens another for it.
 */
export const OWED_RETRY_MS = 5 * 60_000;

/** What one session owes for transfers. */
export interface TransferSessionPart {
  /** Events its Inform carries for them. */
  readonly events: readonly EventRecord[];
  /** The TransferComplete requests to send. */
  readonly requests: readonly CpeRequest[];
  /** The ACS answered one of them: its completion is no longer owed. */
  acknowledge(request: CpeRequest): Promise<void>;
}

/**
 * The completions a session reports: those not held for a boot, oldest
 * first, at most {@linkcode MAX_TRANSFER_COMPLETES_PER_SESSION}.
 *
 * @example
 * ```ts
 * import { dueCompletions } from "./transfers.ts";
 * console.log(dueCompletions([]).length); // 0
 * ```
 */
export function dueCompletions(
  completions: readonly TransferCompletion[],
): TransferCompletion[] {
  return completions.filter((c) => !c.awaitingBoot).slice(
    0,
    MAX_TRANSFER_COMPLETES_PER_SESSION,
  );
}

/**
 * The agent's transfers.
 *
 * @example
 * ```ts
 * import { AgentTransfers } from "./transfers.ts";
 * // const transfers = new AgentTransfers(context, options, { clock, log, completed, reboot });
 * ```
 */
export class AgentTransfers {
  /** The worker carrying out the queue. */
  readonly worker: TransferWorker;
  /** What the CPE announces of its own accord (autonomous transfers, download requests). */
  readonly announcements: TransferAnnouncements;
  readonly #context: RpcContext;
  readonly #clock: Clock;
  readonly #completed: () => void;
  #owedTimer: number | undefined;

  /** Transfers for `context`; nothing runs until the worker is kicked. */
  constructor(
    context: RpcContext,
    options: AgentTransferOptions = {},
    hooks: {
      readonly clock: Clock;
      readonly log: TransferLog;
      readonly completed: () => void;
      readonly reboot: (reason: string) => void;
    },
  ) {
    this.#context = context;
    this.#clock = hooks.clock;
    this.#completed = hooks.completed;
    this.worker = new TransferWorker({
      transfers: context.transfers,
      device: context.device,
      spool: new TransferSpool(
        options.dir ??
          (() => Deno.makeTempDirSync({ prefix: "cwmp-transfers-" })),
      ),
      client: options.client ?? {},
      clock: hooks.clock,
      log: hooks.log,
      completed: hooks.completed,
      reboot: hooks.reboot,
      ...(options.maxDownloadBytes !== undefined
        ? { maxDownloadBytes: options.maxDownloadBytes }
        : {}),
      ...(options.uploadFiles ? { uploadFiles: options.uploadFiles } : {}),
    });
    this.announcements = new TransferAnnouncements(context, {
      log: hooks.log,
      owed: hooks.completed,
      ...(options.requestsDir ? { requestsDir: options.requestsDir } : {}),
    });
  }

  /**
   * At the agent's start: the worker resumes what a restart cut short (see
   * {@linkcode TransferWorker.resume}), the device's announcements are
   * listened to, and the queue is looked at.
   */
  async start(when: { readonly booted: boolean }): Promise<void> {
    await this.worker.resume(when);
    await this.announcements.start();
    this.worker.kick();
  }

  /** Whether a completion or an announcement is due: a reason for a session. */
  get owed(): boolean {
    return this.announcements.owed ||
      dueCompletions(this.#context.transfers.current.completions).length > 0;
  }

  /**
   * After a session: the queue is looked at again, and a TransferComplete
   * still owed gets a session of its own in {@linkcode OWED_RETRY_MS}.
   */
  afterSession(): void {
    this.worker.kick();
    if (this.#owedTimer !== undefined) {
      this.#clock.clearTimeout(this.#owedTimer);
    }
    // An AutonomousTransferComplete alone waits for the next session: an ACS
    // on CWMP 1.0 cannot take one, and would be called every few minutes.
    const pressing = () =>
      dueCompletions(this.#context.transfers.current.completions).length > 0 ||
      this.#context.transfers.current.downloadRequests.length > 0;
    this.#owedTimer = pressing()
      ? this.#clock.setTimeout(() => {
        this.#owedTimer = undefined;
        if (pressing()) this.#completed();
      }, OWED_RETRY_MS)
      : undefined;
  }

  /** Stops the worker, the announcements and the timer. */
  async stop(): Promise<void> {
    if (this.#owedTimer !== undefined) {
      this.#clock.clearTimeout(this.#owedTimer);
    }
    this.announcements.stop();
    await this.worker.stop();
  }

  /** What the next session owes: its events, its TransferCompletes, and their acknowledgement. */
  forSession(): TransferSessionPart {
    const store = this.#context.transfers;
    const due = dueCompletions(store.current.completions);
    const byRequest = new Map<CpeRequest, TransferCompletion>();
    const events: EventRecord[] = [];
    for (const c of due) {
      const request: CpeRequest = {
        kind: "request",
        method: "TransferComplete",
        args: {
          commandKey: c.commandKey,
          faultStruct: { faultCode: c.faultCode, faultString: c.faultString },
          startTime: c.startTime,
          completeTime: c.completeTime,
        },
      };
      byRequest.set(request, c);
      events.push({ eventCode: `M ${c.method}`, commandKey: c.commandKey });
    }
    if (due.length > 0) {
      events.unshift({ eventCode: "7 TRANSFER COMPLETE", commandKey: "" });
    }
    const announced = this.announcements.requests();
    const acknowledgements = new Map(
      announced.map((a) => [a.request, a.acknowledge]),
    );
    for (const method of ["AutonomousTransferComplete", "RequestDownload"]) {
      if (announced.some((a) => a.request.method === method)) {
        events.push({
          eventCode: method === "RequestDownload"
            ? "9 REQUEST DOWNLOAD"
            : "10 AUTONOMOUS TRANSFER COMPLETE",
          commandKey: "",
        });
      }
    }
    return {
      events,
      requests: [...byRequest.keys(), ...acknowledgements.keys()],
      acknowledge: async (request) => {
        await acknowledgements.get(request)?.();
        const completion = byRequest.get(request);
        if (!completion) return;
        // By value: the stored entry may have been rewritten since (never
        // its identity fields), and only one entry goes per answer.
        await store.update((d) => {
          const i = d.completions.findIndex((c) =>
            sameCompletion(c, completion)
          );
          return i === -1 ? d : {
            ...d,
            completions: d.completions.filter((_, j) => j !== i),
          };
        });
      },
    };
  }
}

function sameCompletion(a: TransferCompletion, b: TransferCompletion): boolean {
  return a.method === b.method && a.commandKey === b.commandKey &&
    a.startTime === b.startTime && a.completeTime === b.completeTime &&
    a.faultCode === b.faultCode && !a.awaitingBoot;
}

/**
 * Resolves when neither sessions nor transfers have work in hand: a
 * transfer ends in a session, a session may start a transfer, so each is
 * waited for until both are still (a bounded number of rounds).
 */
export async function whenSettled(
  loop: { idle(): Promise<void>; readonly running: boolean },
  worker: TransferWorker,
): Promise<void> {
  for (let round = 0; round < 64; round++) {
    await loop.idle();
    await worker.idle();
    if (!loop.running && !worker.busy) return;
  }
}
