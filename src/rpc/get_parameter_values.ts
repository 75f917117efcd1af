/**
 * GetParameterValues: values of full names, partial paths or the whole tree.
 *
 * @module
 */
import type { ParameterValueStruct } from "../cwmp/schema.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";

/**
 * Expands every requested name in order (a parameter appears once, where it
 * is first named), then reads all values in one batch. Any unknown name
 * faults the whole call with 9005; no partial results.
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
  for (const name of args.parameterNames) {
    for (const path of await view.parameters(name)) {
      if (!seen.has(path)) {
        seen.add(path);
        paths.push(path);
      }
    }
  }
  const values = await view.values(paths);
  const index = context.model.index;
  const parameterList: ParameterValueStruct[] = paths.map((path) => ({
    name: path,
    value: values.get(path)!,
    type: index.lookup(path)!.parameter!.type.base,
  }));
  return { response: { parameterList } };
}
