/**
 * SetParameterAttributes: change notification and access lists.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import type { ParameterAttributes } from "../datamodel/attributes.ts";
import type { AcsRequestArgs } from "../cwmp/methods.ts";
import type { RpcContext, RpcResult } from "./context.ts";

/** The only access-list entity TR-069 defines. */
const ACCESS_LIST_ENTITIES = ["Subscriber"];

/**
 * Validates the whole list, then stores it in one atomic write (all or
 * nothing). Decisions where the digest leaves room (§6.6):
 *
 * - Active notification (2) of a `canDeny` parameter named explicitly is
 *   refused with 9009; one only covered by a partial path keeps its own
 *   notification while the others below the path are set.
 * - Lightweight notification (3–6) is not supported: 9009.
 * - A `forceEnabled` parameter named explicitly with a notification other
 *   than 2 is refused with 9009; when it is only covered by a partial path,
 *   it is skipped and stays active, so that "turn off everything under X."
 *   works.
 * - An access list may only hold "Subscriber" (9003 otherwise).
 *
 * @example
 * ```ts
 * import { setParameterAttributes } from "./set_parameter_attributes.ts";
 * // await setParameterAttributes({ parameterList: [...] }, context);
 * ```
 */
export async function setParameterAttributes(
  args: AcsRequestArgs<"SetParameterAttributes">,
  context: RpcContext,
): Promise<RpcResult<"SetParameterAttributes">> {
  const view = context.model.view();
  const updates = new Map<string, ParameterAttributes>();
  for (const item of args.parameterList) {
    const unknown = item.accessList.filter((e) =>
      !ACCESS_LIST_ENTITIES.includes(e)
    );
    if (item.accessListChange && unknown.length > 0) {
      throw new CwmpFault(
        9003,
        `Unknown access-list entity ${JSON.stringify(unknown[0])}`,
      );
    }
    const explicit = item.name !== "" && !item.name.endsWith(".");
    for (const path of await view.parameters(item.name)) {
      const definition = context.model.index.lookup(path)!.parameter!;
      const current = updates.get(path) ??
        context.attributes.get(path, definition);
      let notification = current.notification;
      if (item.notificationChange) {
        if (item.notification >= 3) {
          throw new CwmpFault(
            9009,
            `Lightweight notification (${item.notification}) is not supported`,
          );
        }
        if (
          item.notification === 2 && definition.activeNotify === "canDeny"
        ) {
          if (explicit) {
            throw new CwmpFault(
              9009,
              `Active notification is not allowed for ${path}`,
            );
          }
          // Under a partial path, a parameter that denies active
          // notification keeps its own setting; the request as a whole is
          // not refused for it (TR-069 A.3.2.4, SetParameterAttributes).
          updates.set(path, {
            notification: current.notification,
            accessList: item.accessListChange
              ? [...item.accessList]
              : current.accessList,
          });
          continue;
        }
        if (
          definition.activeNotify === "forceEnabled" &&
          item.notification !== 2
        ) {
          if (explicit) {
            throw new CwmpFault(9009, `${path} always notifies actively`);
          }
        } else {
          notification = item.notification;
        }
      }
      const accessList = item.accessListChange
        ? [...item.accessList]
        : current.accessList;
      updates.set(path, { notification, accessList });
    }
  }
  await context.attributes.set(updates);
  return { response: {} };
}
