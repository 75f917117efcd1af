/**
 * DeleteObject: remove an instance and everything below it.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import { pathProblem, tableOf } from "../datamodel/path.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";

/**
 * Deletes an existing instance of a writable table, forgets the attributes
 * below it and records the ParameterKey. 9005 when the name is not an
 * existing instance of a writable table; 9002 when the device fails.
 *
 * @example
 * ```ts
 * import { deleteObject } from "./delete_object.ts";
 * // await deleteObject({ objectName: "Device.IP.Interface.3.", parameterKey: "k" }, context);
 * ```
 */
export async function deleteObject(
  args: AcsRequestArgs<"DeleteObject">,
  context: RpcContext,
): Promise<RpcResult<"DeleteObject">> {
  const removed = await removeInstance(args.objectName, context);
  await context.device.setParameterKey(args.parameterKey);
  return { response: removed };
}

/**
 * DeleteObject without the ParameterKey (the local interface's): the same
 * checks, and the number never comes back.
 *
 * @example
 * ```ts
 * import { removeInstance } from "./delete_object.ts";
 * // await removeInstance("Device.NAT.PortMapping.3.", context);
 * ```
 */
export async function removeInstance(
  path: string,
  context: RpcContext,
): Promise<{ status: 0 | 1 }> {
  if (!path.endsWith(".") || pathProblem(path)) {
    throw new CwmpFault(9005, `Not an object path: ${JSON.stringify(path)}`);
  }
  const view = context.model.view();
  const node = await view.find(path);
  if (node?.kind !== "instance") {
    throw new CwmpFault(9005, `${path} is not an existing instance`);
  }
  const table = context.model.index.lookup(tableOf(path));
  if (!(table?.object?.deletable ?? table?.object?.writable)) {
    throw new CwmpFault(9005, `${tableOf(path)} does not allow DeleteObject`);
  }
  // The number must never come back: remember it before the instance goes
  // (a crash in between then wastes a number rather than reusing one), also
  // when the table's counter was never written (instances that came with
  // the device), and forget the counters of tables inside the instance.
  const deleted = Number(path.slice(0, -1).split(".").at(-1));
  const tablePath = tableOf(path);
  await context.state.update((s) => ({
    ...s,
    nextInstance: Object.fromEntries([
      ...Object.entries(s.nextInstance).filter(([t]) =>
        t !== tablePath && !t.startsWith(path)
      ),
      [tablePath, Math.max(s.nextInstance[tablePath] ?? 1, deleted + 1)],
    ]),
  }));
  let applied: boolean;
  try {
    ({ applied } = await context.device.deleteInstance(path));
  } catch (error) {
    throw new CwmpFault(
      9002,
      `The device could not delete ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  await context.attributes.removeUnder(path);
  return { status: applied ? 0 : 1 };
}
