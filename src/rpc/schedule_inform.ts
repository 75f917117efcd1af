/**
 * ScheduleInform: a session at a given delay, with `3 SCHEDULED` and
 * `M ScheduleInform`.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";
import { RPC_LIMITS } from "./limits.ts";

/**
 * Records a ScheduleInform due `DelaySeconds` from now (durably, so it
 * survives a restart). DelaySeconds 0 is fault 9003: the delay must be
 * positive. Several may be pending; each yields its own `M ScheduleInform`.
 *
 * @example
 * ```ts
 * import { scheduleInform } from "./schedule_inform.ts";
 * // await scheduleInform({ delaySeconds: 60, commandKey: "k" }, context);
 * ```
 */
export async function scheduleInform(
  args: AcsRequestArgs<"ScheduleInform">,
  context: RpcContext,
): Promise<RpcResult<"ScheduleInform">> {
  if (args.delaySeconds === 0) {
    throw new CwmpFault(9003, "DelaySeconds must be greater than 0");
  }
  if (
    context.state.current.scheduledInforms.length >=
      RPC_LIMITS.maxScheduledInforms
  ) {
    throw new CwmpFault(
      9004,
      `${RPC_LIMITS.maxScheduledInforms} ScheduleInforms are pending already`,
    );
  }
  const dueAt = new Date(context.now().getTime() + args.delaySeconds * 1000)
    .toISOString();
  await context.state.update((s) => ({
    ...s,
    scheduledInforms: [...s.scheduledInforms, {
      dueAt,
      commandKey: args.commandKey,
    }],
  }));
  return { response: {} };
}
