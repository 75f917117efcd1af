/** `agent run` as a real process whose JSON log can be awaited line by line. */
import { AGENT_PERMISSIONS } from "./cli.ts";
import { CPE_V8_FLAGS } from "../../src/sandbox/permissions.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

/** A running `agent run` and its log. */
export interface AgentProcess {
  readonly child: Deno.ChildProcess;
  /** Every log line so far. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first line (old or new) that `match` accepts, or rejects after `ms`. */
  waitFor(
    match: (line: Record<string, unknown>) => boolean,
    ms?: number,
  ): Promise<Record<string, unknown>>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number>;
}

/**
 * Starts `agent run ARGS --log-format json`. `extra` replaces the network
 * permission; `denoFlags` replaces the CPE V8 flags (`[]` for V8's defaults).
 */
export function startAgent(
  args: string[],
  extra: string[] = ["--allow-net=127.0.0.1"],
  // As the sandboxed child of `deno task agent run` is started.
  denoFlags: string[] = [CPE_V8_FLAGS],
): AgentProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...denoFlags,
      ...AGENT_PERMISSIONS,
      ...extra,
      MAIN,
      "run",
      ...args,
      "--log-format",
      "json",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  const done = (async () => {
    let buffer = "";
    for await (
      const chunk of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          lines.push(JSON.parse(text));
        } catch {
          lines.push({ level: "raw", msg: text });
        }
        for (const wake of waiters) wake();
      }
    }
  })();
  return {
    child,
    lines,
    async waitFor(match, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = lines.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `no such log line within ${ms} ms:\n${
              lines.map((l) => JSON.stringify(l)).join("\n")
            }`,
          );
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      const { code } = await child.status;
      await done;
      return code;
    },
  };
}
