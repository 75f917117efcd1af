/**
 * What a benchmark reads of another process's memory.
 *
 * @module
 */

/**
 * A process's RSS now and at its peak (VmRSS, VmHWM), in MB. Read by a
 * `grep` child: Deno lets a script read another process's /proc entry only
 * with every permission, and reading once at the end (the kernel keeps the
 * high-water mark) spares the agent a sampler competing for the CPU.
 *
 * @example
 * ```ts
 * import { memoryMb } from "./process_memory.ts";
 * const { rss, peak } = await memoryMb(Deno.pid);
 * console.log(rss > 0 && peak >= rss); // true
 * ```
 */
export async function memoryMb(
  pid: number,
): Promise<{ rss: number; peak: number }> {
  const { stdout } = await new Deno.Command("grep", {
    args: ["-E", "^Vm(RSS|HWM):", `/proc/${pid}/status`],
    stdout: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  const kb = (name: string) =>
    Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/**
 * Resets a process's peak RSS (VmHWM) to its RSS now, so that a later
 * {@linkcode memoryMb} gives the peak of what happened in between without a
 * sampler competing for the CPU. Linux's `/proc/PID/clear_refs` (5), written
 * by a `sh` child for the same reason as above. False when the kernel
 * refuses: VmHWM then still holds the peak since the process started.
 *
 * @example
 * ```ts
 * import { memoryMb, resetPeak } from "./process_memory.ts";
 * if (await resetPeak(Deno.pid)) console.log((await memoryMb(Deno.pid)).peak);
 * ```
 */
export async function resetPeak(pid: number): Promise<boolean> {
  const { code } = await new Deno.Command("sh", {
    args: ["-c", `echo 5 > /proc/${pid}/clear_refs`],
    stderr: "null",
  }).output();
  return code === 0;
}
