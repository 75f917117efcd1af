/**
 * The CWMP session: event policies, the retry schedule, the pure state
 * machine, the Inform builder and the runner that performs the effects.
 *
 * @example
 * ```ts
 * import { retryWindow } from "./mod.ts";
 * console.log(retryWindow(3)); // { min: 20, max: 40 }
 * ```
 *
 * @module
 */
export * from "./events.ts";
export * from "./inform.ts";
export * from "./machine.ts";
export * from "./retry.ts";
export * from "./runner.ts";
