/** Runs the `agent` command line as a user does: a subprocess with the task's permissions. */

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

/** The permissions of `deno task agent` (deno.json). */
export const AGENT_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-sys=hostname,networkInterfaces",
];

/** Output of one run. */
export interface AgentRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `agent ARGS…` with optional standard input; killed after `timeoutMs`. */
export async function runAgent(
  args: string[],
  stdin?: string,
  timeoutMs = 60_000,
): Promise<AgentRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...AGENT_PERMISSIONS, MAIN, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(timeoutMs),
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  return {
    code,
    stdout: new TextDecoder().decode(stdout),
    stderr: new TextDecoder().decode(stderr),
  };
}

/**
 * Starts `agent run ARGS…` as a long-running subprocess (stderr piped for
 * its log). `extra` adds permissions, e.g. `--allow-run` to let it
 * re-launch itself sandboxed as `deno task agent run` does.
 */
export function spawnAgentRun(
  args: string[],
  extra: string[] = ["--allow-net=127.0.0.1"],
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...AGENT_PERMISSIONS, ...extra, MAIN, "run", ...args],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}
