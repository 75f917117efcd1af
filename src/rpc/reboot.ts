/**
 * Reboot: answer, let the session end, then reboot.
 *
 * @module
 */
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";

/**
 * Records `M Reboot` with the CommandKey as an event of the next boot
 * (durably, before answering), and asks the session to reboot the device
 * once it has ended. The next session then carries `1 BOOT` and `M Reboot`.
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
  await context.state.update((s) => ({
    ...s,
    bootEvents: [...s.bootEvents, {
      eventCode: "M Reboot",
      commandKey: args.commandKey,
    }],
  }));
  return {
    response: {},
    after: [{ kind: "reboot", commandKey: args.commandKey }],
  };
}
