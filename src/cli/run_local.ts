/**
 * The local interface of `agent run`: started when the configuration names
 * applications, on `local-socket` (default `<state-dir>/local.sock`).
 *
 * @module
 */
import type { CwmpAgent } from "../agent/cwmp_agent.ts";
import type { LogRecord } from "../agent/options.ts";
import type { AgentConfig } from "../config/agent_config.ts";
import { LocalServer } from "../local/local_server.ts";
import type { RpcContext } from "../rpc/context.ts";

/** The socket of a configuration's local interface. */
export function localSocketPath(config: AgentConfig): string {
  return config["local-socket"] ?? `${config["state-dir"]}/local.sock`;
}

/**
 * Starts the local interface for `agent`, or returns undefined when no
 * application is configured.
 */
export async function startLocalInterface(
  config: AgentConfig,
  context: RpcContext,
  agent: CwmpAgent,
  log: (record: LogRecord) => void,
): Promise<LocalServer | undefined> {
  const apps = config["local-apps"] ?? [];
  if (apps.length === 0) return undefined;
  const path = localSocketPath(config);
  const server = await LocalServer.start({
    path,
    apps: apps.map((a) => ({
      name: a.name,
      tokenSha256: a["token-sha256"],
      read: a.read,
      write: a.write,
      ...(a.subscriber ? { subscriber: true } : {}),
    })),
    ...(config["local-group"] !== undefined
      ? { group: config["local-group"] }
      : {}),
    parts: {
      context,
      inform: (eventCode) => agent.trigger([{ eventCode, commandKey: "" }]),
      status: () => ({
        ...agent.status,
        sessions: agent.sessionCount,
        transfers: context.transfers.current.queue.map((t) => ({
          method: t.method,
          commandKey: t.commandKey,
          fileType: t.fileType,
          state: t.state,
        })),
      }),
      log: (level, msg, fields) => log({ level, msg, ...fields }),
    },
  });
  log({
    level: "info",
    msg: "local interface listening",
    socket: path,
    apps: apps.map((a) => a.name),
  });
  return server;
}
