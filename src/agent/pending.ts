/**
 * Carrying out what the CPE answered for: an answered Reboot or FactoryReset
 * happens after the session, whatever its outcome, and after a crash at the
 * next start — but only once, and never for a boot it did not cause.
 *
 * @module
 */
import { runDeferredAction } from "../rpc/handlers.ts";
import type { RpcContext } from "../rpc/context.ts";
import type { PendingAction } from "../state/agent_state.ts";

/** What {@linkcode carryOutPendingActions} did. */
export interface PendingOutcome {
  /** The action carried out (a reset includes the reboot), if any. */
  readonly done?: "reboot" | "factoryReset";
  /** The device refused or failed it. */
  readonly error?: Error;
}

/**
 * Carries out the pending actions: one factory reset if any was answered,
 * else one reboot for all the Reboots (each CommandKey is still reported
 * with its own `M Reboot`). A reboot answered in an earlier boot than
 * `bootId` already happened with that boot and is dropped. When the device
 * fails, the `M Reboot` events of the reboots that did not happen are
 * withdrawn, so a later unrelated boot does not report them.
 *
 * @example
 * ```ts
 * import { carryOutPendingActions } from "./pending.ts";
 * // const { done, error } = await carryOutPendingActions(context, { atStart: false, bootId });
 * ```
 */
export async function carryOutPendingActions(
  context: RpcContext,
  when: {
    /** At the agent's start (after a crash), not right after a session. */
    readonly atStart: boolean;
    /** The device's current boot id, if it has them. */
    readonly bootId: string | undefined;
  },
): Promise<PendingOutcome> {
  // At a start, a reboot answered in an earlier boot has happened (that is
  // the boot we are in); without boot ids every start counts as a boot. A
  // factory reset is never done by a mere boot.
  const due = context.state.current.pendingActions.filter((a) =>
    a.kind === "factoryReset" || !when.atStart ||
    (when.bootId !== undefined && a.bootId === when.bootId)
  );
  if (due.length === 0) {
    if (context.state.current.pendingActions.length > 0) {
      await forget(context, context.state.current.pendingActions);
    }
    return {};
  }
  const reset = due.find((a) => a.kind === "factoryReset");
  try {
    if (reset) {
      await runDeferredAction({ kind: "factoryReset" }, context);
      return { done: "factoryReset" };
    }
    // The device reboots once, then the boot raises every `M Reboot`.
    await forget(context, context.state.current.pendingActions);
    await runDeferredAction({ kind: "reboot", commandKey: "" }, context);
    return { done: "reboot" };
  } catch (error) {
    await context.state.update((s) => ({
      ...s,
      pendingActions: [],
      bootEvents: s.bootEvents.filter((e) =>
        !(e.eventCode === "M Reboot" &&
          due.some((a) =>
            a.kind === "reboot" && a.commandKey === e.commandKey &&
            a.bootId === e.bootId
          )) &&
        !(reset && e.eventCode === "0 BOOTSTRAP" && e.bootId === reset.bootId)
      ),
    }));
    return { error: error as Error };
  }
}

async function forget(
  context: RpcContext,
  actions: readonly PendingAction[],
): Promise<void> {
  await context.state.update((s) => ({
    ...s,
    pendingActions: s.pendingActions.filter((a) => !actions.includes(a)),
  }));
}
