/**
 * SetParameterValues: validate everything, then apply all or nothing.
 *
 * @module
 */
import { CwmpFault, faultText, type ParameterFault } from "../cwmp/faults.ts";
import { pathProblem } from "../datamodel/path.ts";
import { checkValue } from "../datamodel/types.ts";
import type { ParameterChange } from "../datamodel/adapter.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";
import { RPC_LIMITS } from "./limits.ts";

/**
 * Checks every parameter first — 9005 unknown or partial name, 9008 not
 * writable, 9006 wrong type, 9007 bad value — and reports all failures at
 * once as fault 9003 with one SetParameterValuesFault each (digest §6.3; the
 * top-level 9003 is the common convention the digest records). A name given
 * twice is 9003 without entries. Only then is the whole list applied, with
 * the new ParameterKey in the same atomic step; a device failure while
 * applying leaves nothing changed and is fault 9002. Status is 1 when the
 * device takes the values later.
 *
 * @example
 * ```ts
 * import { setParameterValues } from "./set_parameter_values.ts";
 * // await setParameterValues({ parameterList: [{ name: "Device.X", value: "1" }], parameterKey: "k" }, context);
 * ```
 */
export async function setParameterValues(
  args: AcsRequestArgs<"SetParameterValues">,
  context: RpcContext,
): Promise<RpcResult<"SetParameterValues">> {
  const changes = await checkedChanges(args.parameterList, context);
  const status = await applyChanges(changes, context, args.parameterKey);
  return { response: { status } };
}

/**
 * The checks of SetParameterValues (see {@linkcode setParameterValues}):
 * the changes to apply, or fault 9003 with a fault per parameter.
 *
 * @example
 * ```ts
 * import { checkedChanges } from "./set_parameter_values.ts";
 * // const changes = await checkedChanges([{ name: "Device.Time.NTPServer1", value: "ntp.example.net" }], context);
 * ```
 */
export async function checkedChanges(
  parameterList: AcsRequestArgs<"SetParameterValues">["parameterList"],
  context: RpcContext,
): Promise<ParameterChange[]> {
  const args = { parameterList };
  const seen = new Set<string>();
  for (const { name } of args.parameterList) {
    if (seen.has(name)) {
      throw new CwmpFault(9003, `Parameter ${name} appears more than once`);
    }
    seen.add(name);
  }
  const view = context.model.view();
  const faults: ParameterFault[] = [];
  const changes: ParameterChange[] = [];
  const fail = (parameterName: string, faultCode: number, reason?: string) =>
    faults.push({
      parameterName,
      faultCode,
      faultString: reason ?? faultText(faultCode),
    });
  for (const item of args.parameterList) {
    if (item.name === "" || item.name.endsWith(".") || pathProblem(item.name)) {
      fail(
        item.name,
        9005,
        `Not a parameter name: ${JSON.stringify(item.name)}`,
      );
      continue;
    }
    const node = await view.find(item.name);
    const definition = node?.parameter;
    if (!definition) {
      fail(item.name, 9005, `No such parameter: ${item.name}`);
      continue;
    }
    if (!definition.writable) {
      fail(item.name, 9008);
      continue;
    }
    const checked = checkValue(definition.type, item.value, item.type);
    if (checked.problem) {
      fail(
        item.name,
        checked.problem.code,
        `${faultText(checked.problem.code)}: ${checked.problem.reason}`,
      );
      continue;
    }
    const refusal = context.device.owns(item.name)
      ? context.device.refusal(item.name, checked.value)
      : undefined;
    if (refusal) {
      fail(item.name, 9007, `${faultText(9007)}: ${refusal}`);
      continue;
    }
    changes.push({ path: item.name, value: checked.value });
  }
  if (faults.length > 0) {
    // A request of thirty thousand bad names gets a bounded answer: the first
    // ones itemised, the rest counted in the fault string.
    const kept = faults.slice(0, RPC_LIMITS.maxParameterFaults);
    throw new CwmpFault(
      9003,
      faults.length > kept.length
        ? `Invalid arguments (${faults.length} parameters, the first ${kept.length} listed)`
        : "Invalid arguments",
      { parameterFaults: kept },
    );
  }
  return changes;
}

/**
 * Applies checked changes all or nothing (with `parameterKey` in the same
 * step, when given); 0 when they are in effect, 1 when later. A device
 * failure is fault 9002.
 */
export async function applyChanges(
  changes: readonly ParameterChange[],
  context: RpcContext,
  parameterKey?: string,
): Promise<0 | 1> {
  let applied: boolean;
  try {
    ({ applied } = await context.device.apply(changes, parameterKey));
  } catch (error) {
    if (error instanceof CwmpFault) throw error;
    throw new CwmpFault(
      9002,
      `The device could not apply the values: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return applied ? 0 : 1;
}
