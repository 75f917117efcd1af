/**
 * What the agent owns: the ManagementServer parameters layered over a
 * device, and its durable state (boot events, scheduled informs, counters).
 *
 * @example
 * ```ts
 * import { MANAGEMENT_SERVER_PARAMETERS } from "./mod.ts";
 * console.log(MANAGEMENT_SERVER_PARAMETERS.CWMPRetryIntervalMultiplier.default); // "2000"
 * ```
 *
 * @module
 */
export {
  AGENT_STATE_KEY,
  AgentState,
  type AgentStateDocument,
  type BootEventRecord,
  type EventRecord,
  type PendingAction,
  type ScheduledInform,
} from "./agent_state.ts";
export * from "./clock.ts";
export * from "./cwmp_agent.ts";
export * from "./managed_device.ts";
