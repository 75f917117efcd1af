/**
 * `agent status`: what the agent's state directory says about it.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { AgentStateDocument } from "../agent/agent_state.ts";
import {
  EVENT_QUEUE_KEY,
  type EventQueueDocument,
} from "../agent/cwmp_agent.ts";
import { FileStateStore } from "../device/store.ts";
import type { CommandIo } from "./io.ts";

/** Help text of `agent status`. */
export const STATUS_USAGE = `Usage: agent status --state-dir DIR [--json]

Prints the last session's time and outcome, the next scheduled session, the
retry count, the queued events and the last error, from the agent's state
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
  const store = new FileStateStore(values["state-dir"]);
  let queue: Partial<EventQueueDocument> | undefined;
  let state: Partial<AgentStateDocument> | undefined;
  try {
    queue = await store.read(EVENT_QUEUE_KEY) as
      | Partial<EventQueueDocument>
      | undefined;
    state = await store.read("agent-state") as
      | Partial<AgentStateDocument>
      | undefined;
  } catch (error) {
    io.stderr(`agent status: ${(error as Error).message}\n`);
    return 1;
  }
  const scheduled = [...(state?.scheduledInforms ?? [])].sort((a, b) =>
    a.dueAt.localeCompare(b.dueAt)
  );
  const next =
    [queue?.nextSession, scheduled[0]?.dueAt].filter((x): x is string => !!x)
      .sort()[0] ?? null;
  const status = {
    lastSession: queue?.lastSession ?? null,
    nextSession: next,
    retryCount: queue?.retryCount ?? 0,
    queuedEvents: queue?.events ?? [],
    bootEvents: state?.bootEvents ?? [],
    scheduledInforms: scheduled,
    lastError: queue?.lastSession?.outcome === "failure"
      ? queue.lastSession.reason ?? "failed"
      : null,
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
      `last error:     ${status.lastError ?? "none"}`,
    ].join("\n") + "\n",
  );
  return 0;
}
