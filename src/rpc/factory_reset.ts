/**
 * FactoryReset: answer, let the session end, then reset and reboot.
 *
 * @module
 */
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";

/**
 * Records `0 BOOTSTRAP` for the next boot (durably, before answering) and
 * asks the session to reset the device once it has ended. The reset itself
 * ({@linkcode runDeferredAction}) clears attributes, agent state and
 * agent-owned parameters but keeps that BOOTSTRAP, so the next session
 * carries `0 BOOTSTRAP` and `1 BOOT` and no M event.
 *
 * @example
 * ```ts
 * import { factoryReset } from "./factory_reset.ts";
 * // const { after } = await factoryReset({}, context); // after: [{ kind: "factoryReset" }]
 * ```
 */
export async function factoryReset(
  _args: AcsRequestArgs<"FactoryReset">,
  context: RpcContext,
): Promise<RpcResult<"FactoryReset">> {
  const bootId = await context.device.currentBootId();
  const tag = bootId === undefined ? {} : { bootId };
  await context.state.update((s) => ({
    ...s,
    bootEvents: [...s.bootEvents.filter((e) => e.eventCode !== "0 BOOTSTRAP"), {
      eventCode: "0 BOOTSTRAP",
      commandKey: "",
      ...tag,
    }],
    pendingActions: [
      ...s.pendingActions.filter((a) => a.kind !== "factoryReset"),
      { kind: "factoryReset", ...tag },
    ],
  }));
  return { response: {}, after: [{ kind: "factoryReset" }] };
}
