/**
 * AddObject: create an instance of a multi-instance object.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import { pathProblem } from "../datamodel/path.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";
import { RPC_LIMITS } from "./limits.ts";

/**
 * Creates the next instance of a writable table. Instance numbers are never
 * reused: the counter is persisted before the device creates the instance,
 * so even a crash in between cannot hand a number out twice. Faults: 9005
 * when the name is not an existing writable table, 9004 when MaxEntries is
 * reached, 9002 when the device fails.
 *
 * @example
 * ```ts
 * import { addObject } from "./add_object.ts";
 * // const { response } = await addObject({ objectName: "Device.IP.Interface.", parameterKey: "k" }, context);
 * ```
 */
export async function addObject(
  args: AcsRequestArgs<"AddObject">,
  context: RpcContext,
): Promise<RpcResult<"AddObject">> {
  const created = await createInstance(args.objectName, context);
  await context.device.setParameterKey(args.parameterKey);
  return { response: created };
}

/**
 * AddObject without the ParameterKey (a change on the device's side, the
 * local interface's): the same checks, the same instance numbering.
 *
 * @example
 * ```ts
 * import { createInstance } from "./add_object.ts";
 * // const { instanceNumber } = await createInstance("Device.NAT.PortMapping.", context);
 * ```
 */
export async function createInstance(
  table: string,
  context: RpcContext,
): Promise<{ instanceNumber: number; status: 0 | 1 }> {
  if (!table.endsWith(".") || pathProblem(table)) {
    throw new CwmpFault(9005, `Not an object path: ${JSON.stringify(table)}`);
  }
  const view = context.model.view();
  const node = await view.find(table);
  if (node?.kind !== "table") {
    throw new CwmpFault(9005, `${table} is not a multi-instance object`);
  }
  if (!node.object?.writable) {
    throw new CwmpFault(9005, `${table} does not allow AddObject`);
  }
  const existing = await view.instances(table);
  // Without a MaxEntries of its own, a table still has a bound: an ACS must
  // not be able to grow the device's state without limit.
  const max = node.object.maxEntries ?? RPC_LIMITS.maxInstancesPerTable;
  if (max !== undefined && existing.length >= max) {
    throw new CwmpFault(
      9004,
      `${table} already has its maximum of ${max} instances`,
    );
  }
  // Instances come in ascending order (the adapter contract): the last one
  // is the highest, so the cost does not grow with the table.
  const instanceNumber = Math.max(
    context.state.current.nextInstance[table] ?? 1,
    (existing.at(-1) ?? 0) + 1,
  );
  if (instanceNumber > 4294967295) {
    throw new CwmpFault(9004, `${table} has used up its instance numbers`);
  }
  await context.state.update((s) => ({
    ...s,
    nextInstance: { ...s.nextInstance, [table]: instanceNumber + 1 },
  }));
  let applied: boolean;
  try {
    ({ applied } = await context.device.addInstance(table, instanceNumber));
  } catch (error) {
    throw new CwmpFault(
      9002,
      `The device could not create ${table}${instanceNumber}.: ${
        (error as Error).message
      }`,
      {
        cause: error,
      },
    );
  }
  return { instanceNumber, status: applied ? 0 : 1 };
}
