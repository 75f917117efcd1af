/**
 * GetRPCMethods: the methods this CPE implements, exactly.
 *
 * @module
 */
import type { RpcHandler } from "./context.ts";

/**
 * Answers GetRPCMethods with `methods` (the keys of the handler table).
 *
 * @example
 * ```ts
 * import { getRpcMethods } from "./get_rpc_methods.ts";
 * const handler = getRpcMethods(["GetRPCMethods", "Reboot"]);
 * ```
 */
export function getRpcMethods(
  methods: readonly string[],
): RpcHandler<"GetRPCMethods"> {
  return () => Promise.resolve({ response: { methodList: [...methods] } });
}
