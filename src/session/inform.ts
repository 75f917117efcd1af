/**
 * Building the Inform: DeviceId, events, time, RetryCount and the parameter
 * list (Forced Inform parameters plus changed notified ones).
 *
 * @module
 */
import type { EventRecord } from "../state/agent_state.ts";
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
 * The Forced Inform parameters that exist on the device, by exact path.
 * Patterns with instances are left out here; an InternetGatewayDevice's WAN
 * ExternalIPAddress is added by {@linkcode defaultWanExternalIpAddress}.
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

const WAN_ADDRESS =
  /^InternetGatewayDevice\.WANDevice\.\d+\.WANConnectionDevice\.\d+\.WAN(IP|PPP)Connection\.\d+\.ExternalIPAddress$/;

/**
 * TR-098's Forced Inform `…WAN{IP,PPP}Connection.{i}.ExternalIPAddress`
 * (digest §4.3) means the connection the CPE reaches the ACS through, not
 * every connection. The agent takes the one
 * `Layer3Forwarding.DefaultConnectionService` names; without it, the first
 * connection whose ConnectionStatus is Connected; without one, the first
 * connection there is. Undefined for other roots or without WAN connections.
 *
 * @example
 * ```ts
 * import { defaultWanExternalIpAddress } from "./inform.ts";
 * // const path = await defaultWanExternalIpAddress(context);
 * // "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.ExternalIPAddress"
 * ```
 */
export async function defaultWanExternalIpAddress(
  context: RpcContext,
): Promise<string | undefined> {
  if (context.device.root !== "InternetGatewayDevice") return undefined;
  const view = context.model.view();
  if (!await view.find("InternetGatewayDevice.WANDevice.")) return undefined;
  const candidates = (await view.parameters("InternetGatewayDevice.WANDevice."))
    .filter((p) => WAN_ADDRESS.test(p));
  if (candidates.length === 0) return undefined;
  const service =
    "InternetGatewayDevice.Layer3Forwarding.DefaultConnectionService";
  if (await view.find(service)) {
    const named = (await view.values([service])).get(service)?.trim() ?? "";
    const path = `${named.replace(/\.$/, "")}.ExternalIPAddress`;
    if (named !== "" && candidates.includes(path)) return path;
  }
  const statuses = await view.values(
    candidates.map((p) => p.replace(/ExternalIPAddress$/, "ConnectionStatus"))
      .filter((p) => context.model.index.lookup(p)?.parameter),
  );
  return candidates.find((p) =>
    statuses.get(p.replace(/ExternalIPAddress$/, "ConnectionStatus")) ===
      "Connected"
  ) ?? candidates[0];
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
  const wan = await defaultWanExternalIpAddress(context);
  const paths = [
    ...new Set([
      ...forcedInformParameters(context),
      ...(wan ? [wan] : []),
      ...(input.changed ?? []),
    ]),
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
