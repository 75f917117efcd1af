/**
 * GetParameterValues: values of full names, partial paths or the whole tree.
 *
 * @module
 */
import type { ParameterValueStruct } from "../cwmp/schema.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { ModelNode } from "../datamodel/definitions.ts";
import type { RpcContext, RpcResult } from "./context.ts";
import { ResponseBudget } from "./limits.ts";

/**
 * Expands every requested name in order (a parameter appears once, where it
 * is first named), then reads all values in one batch. Any unknown name
 * faults the whole call with 9005; no partial results. An answer past
 * {@linkcode RPC_LIMITS} is 9004, found out before the values are read.
 *
 * @example
 * ```ts
 * import { getParameterValues } from "./get_parameter_values.ts";
 * // const { response } = await getParameterValues({ parameterNames: ["Device.DeviceInfo."] }, context);
 * ```
 */
export async function getParameterValues(
  args: AcsRequestArgs<"GetParameterValues">,
  context: RpcContext,
): Promise<RpcResult<"GetParameterValues">> {
  const view = context.model.view();
  const paths: string[] = [];
  const nodes: ModelNode[] = [];
  const budget = new ResponseBudget("GetParameterValues");
  const requested = new Set(args.parameterNames);
  // Only a partial path can list a parameter that is also named on its
  // own, or by another partial path; with none, or with one partial path
  // alone (the usual "Device."), each parameter comes once anyway.
  let seen: Set<string> | undefined;
  if (requested.size > 1) {
    for (const name of requested) {
      if (name === "" || name.endsWith(".")) {
        seen = new Set<string>();
        break;
      }
    }
  }
  const add = (path: string, node: ModelNode) => {
    if (seen) {
      if (seen.has(path)) return;
      seen.add(path);
    }
    paths.push(path);
    nodes.push(node);
    budget.add(path.length);
  };
  // A name asked for twice is expanded once (the answer lists each
  // parameter once anyway): "Device." a hundred thousand times is one walk.
  for (const name of requested) {
    const node = view.parameterNow(name);
    if (node) add(name, node);
    else await view.eachParameter(name, add);
  }
  const values = await view.valuesOf(paths, nodes);
  const bytes = new ResponseBudget("GetParameterValues");
  const parameterList = new Array<ParameterValueStruct>(paths.length);
  for (let i = 0; i < paths.length; i++) {
    bytes.add(paths[i].length + values[i].length);
    parameterList[i] = {
      name: paths[i],
      value: values[i],
      type: nodes[i].parameter!.type.base,
    };
  }
  return { response: { parameterList } };
}
