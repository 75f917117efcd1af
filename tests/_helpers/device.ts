/** Shared set-up for data-model and RPC tests. */
import { DEFAULT_SNAPSHOT } from "../../src/cli/device_option.ts";
import {
  type AcsRequest,
  type CpeBody,
  createRpcContext,
  createTableAdapter,
  type DeviceAdapter,
  type FaultBody,
  handleRequest,
  MemoryStateStore,
  parseSnapshot,
  type RpcContext,
  SimulatedDevice,
  type Snapshot,
  type StateStore,
  type TableAdapterOptions,
} from "../../mod.ts";

/** The default TR-181 snapshot, parsed. */
export const DEFAULT: Snapshot = parseSnapshot(
  Deno.readTextFileSync(DEFAULT_SNAPSHOT),
  DEFAULT_SNAPSHOT,
);

/** A context over a simulated device (the default snapshot unless given). */
export async function simContext(
  options: { snapshot?: Snapshot; store?: StateStore; now?: () => Date } = {},
): Promise<RpcContext> {
  const device = SimulatedDevice.fromSnapshot(options.snapshot ?? DEFAULT, {
    store: options.store ?? new MemoryStateStore(),
  });
  return await createRpcContext(device, { now: options.now });
}

/** Runs one request and returns the body (response or fault). */
export async function call(
  context: RpcContext,
  method: string,
  args: unknown,
): Promise<CpeBody> {
  return (await handleRequest(
    { kind: "request", method, args } as AcsRequest,
    context,
  )).body;
}

/** Runs one request that must succeed and returns its response arguments. */
export async function ok<T = Record<string, unknown>>(
  context: RpcContext,
  method: string,
  args: unknown,
): Promise<T> {
  const body = await call(context, method, args);
  if (body.kind !== "response") {
    throw new Error(`${method} failed: ${JSON.stringify(body)}`);
  }
  return body.args as T;
}

/** Runs one request that must fault and returns the fault body. */
export async function fault(
  context: RpcContext,
  method: string,
  args: unknown,
): Promise<FaultBody> {
  const body = await call(context, method, args);
  if (body.kind !== "fault") {
    throw new Error(`${method} should have faulted: ${JSON.stringify(body)}`);
  }
  return body;
}

/** A table adapter with a fixed test identity and an in-memory store. */
export function testTableAdapter(
  parameters: TableAdapterOptions["parameters"],
  extra: Partial<
    Omit<TableAdapterOptions, "parameters" | "identity" | "store">
  > = {},
): DeviceAdapter {
  return createTableAdapter({
    identity: {
      manufacturer: "T",
      oui: "00AABB",
      productClass: "",
      serialNumber: "1",
    },
    store: new MemoryStateStore(),
    parameters,
    ...extra,
  });
}
