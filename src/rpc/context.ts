/**
 * What an RPC handler works with, and what it hands back.
 *
 * @module
 */
import type { AgentState } from "../state/agent_state.ts";
import {
  ManagedDevice,
  type ManagedDeviceOptions,
} from "../management/managed_device.ts";
import type {
  AcsRequestArgs,
  CpeMethod,
  CpeResponseArgs,
} from "../cwmp/methods.ts";
import { AgentState as AgentStateClass } from "../state/agent_state.ts";
import { TransferStore } from "../state/transfers.ts";
import { AttributeStore } from "../datamodel/attributes.ts";
import { DataModel } from "../datamodel/model.ts";
import type { DeviceAdapter } from "../datamodel/adapter.ts";

/** Everything a handler needs: the model, the device, stored state, a clock. */
export interface RpcContext {
  /** The data model over the managed device. */
  readonly model: DataModel;
  /** The device with the agent-owned parameters. */
  readonly device: ManagedDevice;
  /** Notification and access-list attributes. */
  readonly attributes: AttributeStore;
  /** Boot events, scheduled informs, instance counters. */
  readonly state: AgentState;
  /** Queued transfers and the completions owed to the ACS. */
  readonly transfers: TransferStore;
  /**
   * Why a transfer URL may not be used (a host outside the file servers, a
   * scheme the TLS profile refuses), or undefined. Checked when the request
   * arrives, before anything is queued or connected.
   */
  readonly transferUrlProblem?: (url: URL) => TransferUrlRefusal | undefined;
  /** The current time (injected so tests control it). */
  readonly now: () => Date;
}

/** A transfer URL the policy refuses, with the fault the request gets. */
export interface TransferUrlRefusal {
  /** 9001 (request denied: a host outside the file servers) or 9013 (a scheme the profile forbids). */
  readonly code: 9001 | 9013;
  /** Why, naming the host. */
  readonly reason: string;
}

/** Work to do after the session ends, in order. */
export type DeferredAction =
  | { readonly kind: "reboot"; readonly commandKey: string }
  | { readonly kind: "factoryReset" };

/** A handler's result: the response arguments, and work for after the session. */
export interface RpcResult<M extends CpeMethod> {
  /** Arguments of the method's response. */
  readonly response: CpeResponseArgs<M>;
  /** Actions the session must run once it has ended successfully. */
  readonly after?: readonly DeferredAction[];
}

/** A handler: arguments and context in, response out; faults are thrown as CwmpFault. */
export type RpcHandler<M extends CpeMethod> = (
  args: AcsRequestArgs<M>,
  context: RpcContext,
) => Promise<RpcResult<M>>;

/** Options for {@linkcode createRpcContext}. */
export interface RpcContextOptions extends ManagedDeviceOptions {
  /** The clock; `() => new Date()` by default. */
  readonly now?: () => Date;
  /** See {@linkcode RpcContext.transferUrlProblem}. */
  readonly transferUrlProblem?: (url: URL) => TransferUrlRefusal | undefined;
}

/**
 * Builds the context for a device adapter: wraps it with the agent-owned
 * parameters and loads attributes and agent state from its store.
 *
 * @example
 * ```ts
 * import { createRpcContext } from "./context.ts";
 * import { SimulatedDevice } from "../device/simulated.ts";
 * const context = await createRpcContext(SimulatedDevice.fromSnapshot({ "Device.DeviceInfo.SerialNumber": { value: "S" } }));
 * console.log(context.device.parameterKey); // ""
 * ```
 */
export async function createRpcContext(
  adapter: DeviceAdapter,
  options: RpcContextOptions = {},
): Promise<RpcContext> {
  const device = await ManagedDevice.open(adapter, options);
  const onProblem = options.onStateProblem;
  return {
    model: new DataModel(device),
    device,
    attributes: await AttributeStore.load(adapter.store, { onProblem }),
    state: await AgentStateClass.load(adapter.store, { onProblem }),
    transfers: await TransferStore.load(adapter.store, { onProblem }),
    now: options.now ?? (() => new Date()),
    ...(options.transferUrlProblem
      ? { transferUrlProblem: options.transferUrlProblem }
      : {}),
  };
}
