/**
 * Building the Inform: DeviceId, events, time, RetryCount and the parameter
 * list (Forced Inform parameters plus changed notified ones).
 *
 * @module
 */
import type { EventRecord } from "../agent/agent_state.ts";
import type { CpeRequestArgs } from "../cwmp/methods.ts";
import type { ParameterValueStruct } from "../cwmp/schema.ts";
import { INSTANCE_PLACEHOLDER } from "../datamodel/path.ts";
import type { RpcContext } from "../rpc/context.ts";

/** What an Inform is built from besides the device. */
export interface InformInput {
  /** The events to report. */
  readonly events: readonly EventRecord[];
  /** Consecutive failed sessions before this one. */
  readonly retryCount: number;
  /** The current time. */
  readonly now: Date;
  /** Notified parameters whose value changed since last reported. */
  readonly changed?: readonly string[];
}

/**
 * The Forced Inform parameters that exist on the device. Patterns with
 * instances (IGD's WAN ExternalIPAddress) are left out: TR-098 wants only the
 * connection used to reach the ACS, which the generic engine cannot know.
 *
 * @example
 * ```ts
 * import { forcedInformParameters } from "./inform.ts";
 * // const paths = forcedInformParameters(context);
 * ```
 */
export function forcedInformParameters(context: RpcContext): string[] {
  return [...context.model.index.parameters.values()]
    .filter((d) => d.forcedInform && !d.path.includes(INSTANCE_PLACEHOLDER))
    .map((d) => d.path);
}

/** Formats a time as an xsd:dateTime without milliseconds. */
export function dateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The Inform arguments. A parameter appears once even when it is both forced
 * and changed.
 *
 * @example
 * ```ts
 * import { buildInform } from "./inform.ts";
 * // const inform = await buildInform(context, { events, retryCount: 0, now: new Date() });
 * ```
 */
export async function buildInform(
  context: RpcContext,
  input: InformInput,
): Promise<CpeRequestArgs<"Inform">> {
  const view = context.model.view();
  const paths = [
    ...new Set([...forcedInformParameters(context), ...(input.changed ?? [])]),
  ];
  const existing: string[] = [];
  for (const path of paths) if (await view.find(path)) existing.push(path);
  const values = await view.values(existing);
  const parameterList: ParameterValueStruct[] = existing.map((path) => ({
    name: path,
    value: values.get(path)!,
    type: context.model.index.lookup(path)!.parameter!.type.base,
  }));
  return {
    deviceId: await context.device.identity(),
    event: [...input.events],
    maxEnvelopes: 1,
    currentTime: dateTime(input.now),
    retryCount: input.retryCount,
    parameterList,
  };
}
