/**
 * `agent status`: what the agent's state directory says about it.
 *
 * @module
 */
import { parseArgs } from "./parse_args.ts";
import {
  AGENT_STATE_KEY,
  AGENT_STATE_SPEC,
  type AgentStateDocument,
} from "../state/agent_state.ts";
import {
  EVENT_QUEUE_KEY,
  EVENT_QUEUE_SPEC,
  type EventQueueDocument,
} from "../state/event_queue.ts";
import { readHealth } from "../state/health.ts";
import {
  TRANSFERS_KEY,
  TRANSFERS_SPEC,
  type TransfersDocument,
} from "../state/transfers.ts";
import { FileStateStore } from "../state/store.ts";
import {
  loadStateDocument,
  type StateProblem,
} from "../state/state_document.ts";
import type { CommandIo } from "./io.ts";

/** Help text of `agent status`. */
export const STATUS_USAGE = `Usage: agent status --state-dir DIR [--json]

Prints the last session's time and outcome, the next scheduled session, the
retry count, the queued events, the queued and running file transfers, the
TransferCompletes owed to the ACS and the last error, from the agent's state
directory. It reads files only; the agent need not be running.
`;

/**
 * Runs `agent status`.
 *
 * @example
 * ```ts
 * import { statusCommand } from "./status.ts";
 * // await statusCommand(["--state-dir", "/var/lib/cwmp"], io);
 * ```
 */
export async function statusCommand(
  args: readonly string[],
  io: CommandIo,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        "state-dir": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    io.stderr(`agent status: ${(error as Error).message}\n\n${STATUS_USAGE}`);
    return 1;
  }
  if (values.help) {
    io.stdout(STATUS_USAGE);
    return 0;
  }
  if (!values["state-dir"]) {
    io.stderr(`agent status: --state-dir is required\n\n${STATUS_USAGE}`);
    return 1;
  }
  const dir = values["state-dir"];
  const store = new FileStateStore(dir);
  // The files are checked as the agent checks them, but left as found: a
  // corrupt one is reported here, and repaired by the agent at its start.
  const problems: StateProblem[] = [];
  const options = {
    readOnly: true,
    onProblem: (p: StateProblem) => problems.push(p),
  };
  const queue = await loadStateDocument(
    store,
    EVENT_QUEUE_KEY,
    EVENT_QUEUE_SPEC,
    options,
  ) as unknown as EventQueueDocument;
  const state = await loadStateDocument(
    store,
    AGENT_STATE_KEY,
    AGENT_STATE_SPEC,
    options,
  ) as unknown as AgentStateDocument;
  const transfers = await loadStateDocument(
    store,
    TRANSFERS_KEY,
    TRANSFERS_SPEC,
    options,
  ) as unknown as TransfersDocument;
  const health = await readHealth(dir);
  const scheduled = [...state.scheduledInforms].sort((a, b) =>
    a.dueAt.localeCompare(b.dueAt)
  );
  const next =
    [queue.nextSession, scheduled[0]?.dueAt].filter((x): x is string => !!x)
      .sort()[0] ?? null;
  const status = {
    lastSession: queue.lastSession ?? null,
    nextSession: next,
    retryCount: queue.retryCount,
    queuedEvents: queue.events,
    bootEvents: state.bootEvents,
    scheduledInforms: scheduled,
    // Neither credentials nor the URL (a signed URL is a secret): the host.
    transfers: transfers.queue.map((t) => ({
      method: t.method,
      commandKey: t.commandKey,
      fileType: t.fileType,
      host: hostOf(t.url),
      state: TRANSFER_STATES[t.state],
      notBefore: t.notBefore,
      bytesDone: t.bytesDone ?? 0,
      fileSize: t.fileSize,
      attempts: t.attempts,
      lastFault: t.lastFault ?? null,
    })),
    transferCompletesOwed: transfers.completions.map((c) => ({
      method: c.method,
      commandKey: c.commandKey,
      faultCode: c.faultCode,
      faultString: c.faultString,
      waitingForBoot: c.awaitingBoot !== undefined,
    })),
    lastError: queue.lastSession?.outcome === "failure"
      ? queue.lastSession.reason ?? "failed"
      : null,
    stateWrites: health?.state ?? null,
    connectionRequestsRefused: health?.connectionRequests ?? null,
    udpConnectionRequest: udpOf(health?.udpConnectionRequest),
    healthAt: health?.updatedAt ?? null,
    stateProblems: problems,
  };
  if (values.json) {
    io.stdout(JSON.stringify(status, null, 2) + "\n");
    return 0;
  }
  const events = (list: readonly { eventCode: string; commandKey: string }[]) =>
    list.length
      ? list.map((e) =>
        e.commandKey ? `${e.eventCode} (${e.commandKey})` : e.eventCode
      ).join(", ")
      : "none";
  io.stdout(
    [
      `last session:   ${
        status.lastSession
          ? `${status.lastSession.at} ${status.lastSession.outcome}`
          : "never"
      }`,
      `next session:   ${status.nextSession ?? "when an event occurs"}`,
      `retry count:    ${status.retryCount}`,
      `queued events:  ${events(status.queuedEvents)}`,
      `at next boot:   ${events(status.bootEvents)}`,
      `transfers:      ${
        status.transfers.map((t) =>
          `${t.method} ${
            JSON.stringify(t.commandKey)
          } (${t.fileType}) from ${t.host} ${t.state}${
            t.state === "in progress"
              ? `, ${t.bytesDone}${t.fileSize ? ` of ${t.fileSize}` : ""} bytes`
              : t.state === "queued"
              ? ` for ${t.notBefore}`
              : ""
          }${t.lastFault ? `, last fault ${t.lastFault}` : ""}`
        ).join("; ") || "none"
      }`,
      `owed to ACS:    ${
        status.transferCompletesOwed.map((c) =>
          `TransferComplete ${JSON.stringify(c.commandKey)} (${
            c.faultCode === 0 ? "success" : `fault ${c.faultCode}`
          })${c.waitingForBoot ? " after the next boot" : ""}`
        ).join("; ") || "nothing"
      }`,
      `last error:     ${status.lastError ?? "none"}`,
      `state writes:   ${
        !status.stateWrites
          ? "unknown"
          : status.stateWrites.ok
          ? "ok"
          : `failing since ${status.stateWrites.failingSince}: ${status.stateWrites.error}; ${status.stateWrites.pending.length} document(s) held in memory`
      }`,
      ...(status.udpConnectionRequest
        ? [
          `UDP requests:   ${
            status.udpConnectionRequest.address || "port closed"
          }${status.udpConnectionRequest.natDetected ? " (NAT detected)" : ""}`,
        ]
        : []),
      ...(status.connectionRequestsRefused
        ? [
          `refused connection requests: ${
            Object.entries(status.connectionRequestsRefused).map(([k, v]) =>
              `${k} ${v}`
            ).join(", ") || "none"
          }`,
        ]
        : []),
      ...problems.map((p) =>
        `state problem:  ${p.key}.json${
          p.field ? ` ${p.field}` : ""
        }: ${p.problem}`
      ),
    ].join("\n") + "\n",
  );
  return 0;
}

const TRANSFER_STATES = {
  1: "queued",
  2: "in progress",
  3: "applying",
} as const;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "?";
  }
}

/** The health file's UDP part, if it has the shape it should (the file is not trusted). */
function udpOf(
  value: unknown,
): { address: string; natDetected: boolean } | null {
  const v = value as { address?: unknown; natDetected?: unknown } | undefined;
  return typeof v?.address === "string" && typeof v.natDetected === "boolean"
    ? { address: v.address.slice(0, 256), natDetected: v.natDetected }
    : null;
}
