/**
 * GetParameterAttributes: notification and access list of parameters.
 *
 * @module
 */
import type { AcsRequestArgs, CpeResponseArgs } from "../cwmp/methods.ts";
import type { ModelNode } from "../datamodel/definitions.ts";
import type { RpcContext, RpcResult } from "./context.ts";
import { ResponseBudget } from "./limits.ts";

/**
 * Expands each requested name like GetParameterValues and returns each
 * parameter's attributes once; unknown names fault with 9005.
 *
 * @example
 * ```ts
 * import { getParameterAttributes } from "./get_parameter_attributes.ts";
 * // await getParameterAttributes({ parameterNames: ["Device.ManagementServer."] }, context);
 * ```
 */
export async function getParameterAttributes(
  args: AcsRequestArgs<"GetParameterAttributes">,
  context: RpcContext,
): Promise<RpcResult<"GetParameterAttributes">> {
  const view = context.model.view();
  const seen = new Set<string>();
  const parameterList: CpeResponseArgs<
    "GetParameterAttributes"
  >["parameterList"][number][] = [];
  const budget = new ResponseBudget("GetParameterAttributes");
  const add = (path: string, node: ModelNode) => {
    if (seen.has(path)) return;
    seen.add(path);
    budget.add(path.length);
    const attributes = context.attributes.get(path, node.parameter!);
    parameterList.push({ name: path, ...attributes });
  };
  for (const name of new Set(args.parameterNames)) {
    const node = view.parameterNow(name);
    if (node) add(name, node);
    else await view.eachParameter(name, add);
  }
  return { response: { parameterList } };
}
