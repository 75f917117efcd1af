/**
 * Boots and bootstraps as the agent sees them: `1 BOOT` with the events
 * recorded for it when the device has booted, `0 BOOTSTRAP` for a new ACS,
 * and the answered Reboot or FactoryReset carried out.
 *
 * @module
 */
import type { RpcContext } from "../rpc/context.ts";
import { afterBoot, eventPolicy } from "../session/events.ts";
import type { EventRecord } from "../state/agent_state.ts";
import type { EventQueue } from "./queue.ts";
import type { NotificationTracker } from "./notifications.ts";
import { carryOutPendingActions } from "./pending.ts";

/** Where boot handling logs. */
export type BootLog = (
  level: "info" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** What the boot handling works on. */
export interface BootParts {
  readonly context: RpcContext;
  readonly queue: EventQueue;
  readonly notifications: NotificationTracker;
  /** Told of each boot once it is raised (transfers held for it settle). */
  readonly onBoot?: () => Promise<void>;
}

/**
 * Raises `1 BOOT` if the device booted since the agent last looked: the
 * boot events recorded in an earlier boot, a fresh retry window,
 * DelayReboot back to -1. A device with boot ids says whether it booted,
 * so an agent restart within the same boot raises nothing; for one
 * without, every start and every reboot the agent asked for is a boot.
 * Returns whether it did.
 *
 * @example
 * ```ts
 * import { raiseBoot } from "./boot.ts";
 * // if (await raiseBoot(parts, { atStart: true, rebooted: false })) …
 * ```
 */
export async function raiseBoot(
  parts: BootParts,
  when: { readonly atStart: boolean; readonly rebooted: boolean },
): Promise<boolean> {
  const { context, queue, notifications } = parts;
  const state = context.state;
  const bootId = await context.device.currentBootId();
  const booted = bootId === undefined
    ? when.atStart || when.rebooted
    : bootId !== state.current.lastBootId;
  if (!booted) return false;
  const raise = state.current.bootEvents.filter((e) =>
    bootId === undefined || e.bootId !== bootId
  );
  await queue.update((q) => ({
    ...q,
    events: afterBoot(q.events, raise),
    failuresSinceBoot: 0,
  }));
  await state.update((s) => {
    const { delayRebootAt: _, lastBootId: __, ...rest } = s;
    return {
      ...rest,
      bootEvents: s.bootEvents.filter((e) => !raise.includes(e)),
      ...(bootId !== undefined ? { lastBootId: bootId } : {}),
    };
  });
  if (context.device.managementServer("DelayReboot") !== "-1") {
    // The data model: whenever the CPE reboots, DelayReboot is -1 again.
    await context.device.setManagementServer({ DelayReboot: "-1" });
  }
  await notifications.reset();
  await parts.onBoot?.();
  return true;
}

/**
 * A new ACS: `0 BOOTSTRAP`, and what only the old ACS cared about is gone
 * (digest §5.2's BOOTSTRAP column: its periodic, scheduled, value-change
 * and connection-request events, its pending ScheduleInforms, an
 * `M Reboot` for it, the transfers it queued that have not started — digest
 * §5.2, as icwmp does). Transfer completions and transfers already under
 * way stay: the device state they describe is real whatever the ACS.
 */
export async function bootstrap(
  parts: Pick<BootParts, "context" | "queue">,
  inFlight: ReadonlySet<EventRecord> | undefined,
): Promise<void> {
  await parts.queue.add(
    [{ eventCode: "0 BOOTSTRAP", commandKey: "" }],
    inFlight,
  );
  await parts.context.state.update((s) => ({
    ...s,
    scheduledInforms: [],
    bootEvents: s.bootEvents.filter((e) =>
      !eventPolicy(e.eventCode).droppedOnBootstrap
    ),
  }));
  await parts.context.transfers.update((d) => ({
    ...d,
    queue: d.queue.filter((t) => t.state !== 1),
  }));
}

/**
 * Carries out the answered Reboot/FactoryReset, if any; reports whether it
 * was done, logging what happened.
 */
export async function carryOutOwed(
  context: RpcContext,
  log: BootLog,
  when: { readonly atStart: boolean; readonly bootId: string | undefined },
): Promise<boolean> {
  if (context.state.current.pendingActions.length === 0) return false;
  const outcome = await carryOutPendingActions(context, when);
  if (outcome.error) {
    log("error", "the answered reboot or reset failed", {
      error: outcome.error.message,
    });
  } else if (outcome.done) {
    log("info", `${outcome.done} carried out`);
  }
  return outcome.done !== undefined;
}

/**
 * After a session: the Reboot or FactoryReset it answered is carried out,
 * and the boot it makes raised. Returns whether the device rebooted.
 */
export async function rebootAfterSession(
  parts: BootParts,
  log: BootLog,
): Promise<boolean> {
  const bootId = await parts.context.device.currentBootId();
  return await carryOutOwed(parts.context, log, { atStart: false, bootId }) &&
    await raiseBoot(parts, { atStart: false, rebooted: true });
}

/**
 * A reboot the data model asked for (ScheduleReboot, DelayReboot): the
 * device reboots and `1 BOOT` follows; a DelayReboot is spent whatever
 * happens. A failure is logged and the agent goes on.
 */
export async function rebootAsAsked(
  parts: BootParts,
  reason: string,
  log: BootLog,
): Promise<void> {
  log("info", "rebooting", { reason });
  if (reason === "ManagementServer.DelayReboot") {
    await parts.context.state.update(({ delayRebootAt: _, ...s }) => s);
  }
  try {
    await parts.context.device.reboot();
  } catch (error) {
    log("error", "reboot failed", {
      reason,
      error: String((error as Error)?.message ?? error),
    });
    return;
  }
  await raiseBoot(parts, { atStart: false, rebooted: true });
}

/**
 * The start of the agent: an answered Reboot or FactoryReset left by a
 * crash is carried out, `1 BOOT` is raised when the device booted, and
 * `0 BOOTSTRAP` is queued for an ACS URL not bootstrapped yet. Returns
 * whether the device booted.
 */
export async function bootAtStart(
  parts: BootParts,
  log: BootLog,
): Promise<boolean> {
  const { context, queue } = parts;
  const rebooted = await carryOutOwed(context, log, {
    atStart: true,
    bootId: await context.device.currentBootId(),
  });
  const booted = await raiseBoot(parts, { atStart: true, rebooted });
  const url = context.device.managementServer("URL");
  if (
    url !== "" && url !== queue.current.bootstrappedUrl &&
    !queue.current.events.some((e) => e.eventCode === "0 BOOTSTRAP")
  ) await bootstrap(parts, undefined);
  return booted;
}
