/**
 * GetParameterAttributes: notification and access list of parameters.
 *
 * @module
 */
import type { AcsRequestArgs } from "../cwmp/methods.ts";
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
  const parameterList = [];
  const budget = new ResponseBudget("GetParameterAttributes");
  for (const name of new Set(args.parameterNames)) {
    for (const path of await view.parameters(name)) {
      if (seen.has(path)) continue;
      seen.add(path);
      budget.add(path.length);
      const attributes = context.attributes.get(
        path,
        context.model.index.lookup(path)!.parameter!,
      );
      parameterList.push({ name: path, ...attributes });
    }
  }
  return { response: { parameterList } };
}
