/**
 * Reboot: answer, let the session end, then reboot.
 *
 * @module
 */
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";

/**
 * Records `M Reboot` with the CommandKey as an event of the next boot and
 * the reboot as a pending action (durably, before answering); the agent
 * reboots the device once the session has ended, whatever its outcome. The
 * next session then carries `1 BOOT` and `M Reboot`.
 *
 * @example
 * ```ts
 * import { reboot } from "./reboot.ts";
 * // const { after } = await reboot({ commandKey: "k" }, context); // after: [{ kind: "reboot", commandKey: "k" }]
 * ```
 */
export async function reboot(
  args: AcsRequestArgs<"Reboot">,
  context: RpcContext,
): Promise<RpcResult<"Reboot">> {
  // Tagged with this boot: the event is raised at the boot that follows the
  // reboot, not at an agent restart before it (which carries the reboot out).
  const bootId = await context.device.currentBootId();
  const tag = bootId === undefined ? {} : { bootId };
  await context.state.update((s) => ({
    ...s,
    bootEvents: [...s.bootEvents, {
      eventCode: "M Reboot",
      commandKey: args.commandKey,
      ...tag,
    }],
    pendingActions: [...s.pendingActions, {
      kind: "reboot",
      commandKey: args.commandKey,
      ...tag,
    }],
  }));
  return {
    response: {},
    after: [{ kind: "reboot", commandKey: args.commandKey }],
  };
}
