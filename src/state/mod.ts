/**
 * Durable state, the floor every other one stands on: the store and its
 * atomic writes, the store that survives a failing disk, the agent's own
 * state document (boot events, scheduled informs, pending actions), and the
 * checks a document passes when it is read back.
 *
 * @example
 * ```ts
 * import { AgentState, MemoryStateStore } from "./mod.ts";
 * const state = await AgentState.load(new MemoryStateStore());
 * console.log(state.current.scheduledInforms.length); // 0
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
export * from "./resilient_store.ts";
export type { StateProblem } from "./state_document.ts";
export * from "./store.ts";
export {
  type AutonomousCompletion,
  type DownloadRequest,
  MAX_QUEUED_TRANSFERS,
  type QueuedTransfer,
  type TransferCompletion,
  type TransferMethod,
  TRANSFERS_KEY,
  type TransfersDocument,
  type TransferState,
  TransferStore,
  type TransferWindow,
} from "./transfers.ts";
