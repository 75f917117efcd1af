/**
 * GetParameterValues: values of full names, partial paths or the whole tree.
 *
 * @module
 */
import type { ParameterValueStruct } from "../cwmp/schema.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
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
  const seen = new Set<string>();
  const budget = new ResponseBudget("GetParameterValues");
  // A name asked for twice is expanded once (the answer lists each
  // parameter once anyway): "Device." a hundred thousand times is one walk.
  for (const name of new Set(args.parameterNames)) {
    for (const path of await view.parameters(name)) {
      if (!seen.has(path)) {
        seen.add(path);
        paths.push(path);
        budget.add(path.length);
      }
    }
  }
  const values = await view.values(paths);
  const index = context.model.index;
  const bytes = new ResponseBudget("GetParameterValues");
  const parameterList: ParameterValueStruct[] = paths.map((path) => {
    const value = values.get(path)!;
    bytes.add(path.length + value.length);
    return {
      name: path,
      value,
      type: index.lookup(path)!.parameter!.type.base,
    };
  });
  return { response: { parameterList } };
}
