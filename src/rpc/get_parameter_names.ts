/**
 * GetParameterNames: the names at or below a path.
 *
 * @module
 */
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";
import { ResponseBudget } from "./limits.ts";

/**
 * GetParameterNames with the semantics of digest §6.5: "" lists the whole
 * tree (or the root with NextLevel); a partial path lists itself and
 * everything below (or only its direct children with NextLevel); a parameter
 * lists itself, and with NextLevel true is fault 9003.
 *
 * @example
 * ```ts
 * import { getParameterNames } from "./get_parameter_names.ts";
 * // await getParameterNames({ parameterPath: "Device.", nextLevel: true }, context);
 * ```
 */
export async function getParameterNames(
  args: AcsRequestArgs<"GetParameterNames">,
  context: RpcContext,
): Promise<RpcResult<"GetParameterNames">> {
  const parameterList = await context.model.view().names(
    args.parameterPath,
    args.nextLevel,
  );
  const budget = new ResponseBudget("GetParameterNames");
  for (const entry of parameterList) budget.add(entry.name.length);
  return { response: { parameterList } };
}
