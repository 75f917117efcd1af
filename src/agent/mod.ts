/**
 * The agent runtime: the composition of sessions, timers, the
 * connection-request listener and the deferred actions, and its clock.
 *
 * @example
 * ```ts
 * import { FakeClock } from "./mod.ts";
 * const clock = new FakeClock(0);
 * console.log(clock.now()); // 0
 * ```
 *
 * @module
 */
export * from "./clock.ts";
export * from "./cwmp_agent.ts";
export { nextPeriodicInform } from "./periodic.ts";
export type { AgentTransferOptions } from "./transfers.ts";
export type { CwmpAgentOptions, LogRecord } from "./options.ts";
export type { UdpListenerSettings } from "./udp_listener.ts";
export {
  EVENT_QUEUE_KEY,
  type EventQueueDocument,
} from "../state/event_queue.ts";
