/**
 * The agent's own durable state outside the data model: events to raise at
 * the next boot, pending ScheduleInforms, and instance-number counters.
 *
 * @module
 */
import { v } from "./check.ts";
import { Serial } from "./serial.ts";
import type { StateStore } from "./store.ts";
import {
  type DocumentSpec,
  eventRecordSchema,
  isoDateTime,
  loadStateDocument,
  type StateProblem,
} from "./state_document.ts";

/** Store key of the agent state document. */
export const AGENT_STATE_KEY = "agent-state";

/** An event code with its CommandKey, as it will appear in an Inform. */
export interface EventRecord {
  /** The event code, e.g. `M Reboot`. */
  readonly eventCode: string;
  /** The CommandKey of the method that caused it, or "". */
  readonly commandKey: string;
}

/**
 * An event for a later boot. `bootId` is the device's boot during which it
 * was recorded: it is raised only at a boot with another id, so an `M Reboot`
 * is never reported before the reboot it belongs to (an agent restart is not
 * a boot). Absent when the device cannot tell its boots apart.
 */
export interface BootEventRecord extends EventRecord {
  /** The boot it was recorded in. */
  readonly bootId?: string;
}

/**
 * A Reboot or FactoryReset the CPE has answered and not yet carried out. It
 * is carried out after the session whatever the session's outcome (the ACS
 * has the response), and at the next start when a crash came in between.
 */
export type PendingAction =
  & (
    | { readonly kind: "reboot"; readonly commandKey: string }
    | { readonly kind: "factoryReset" }
  )
  & {
    /** The boot it was answered in: a later boot has done the reboot. */
    readonly bootId?: string;
  };

/** A ScheduleInform waiting for its time. */
export interface ScheduledInform {
  /** When it is due (ISO 8601, UTC). */
  readonly dueAt: string;
  /** The ScheduleInform's CommandKey. */
  readonly commandKey: string;
}

/** The agent state document. */
export interface AgentStateDocument {
  /**
   * Events to raise in the first session after the next boot, besides the
   * `1 BOOT` every boot raises: `M Reboot` after a Reboot RPC, `0 BOOTSTRAP`
   * after a factory reset.
   */
  readonly bootEvents: readonly BootEventRecord[];
  /** ScheduleInforms not yet fired; each raises `3 SCHEDULED` + `M ScheduleInform`. */
  readonly scheduledInforms: readonly ScheduledInform[];
  /** Next instance number per concrete table path; numbers are never reused. */
  readonly nextInstance: Readonly<Record<string, number>>;
  /** Answered Reboot and FactoryReset requests not yet carried out. */
  readonly pendingActions: readonly PendingAction[];
  /** The device boot the agent last started in (to tell a boot from a restart). */
  readonly lastBootId?: string;
  /** When ManagementServer.DelayReboot asks for a reboot (ISO 8601). */
  readonly delayRebootAt?: string;
}

const EMPTY: AgentStateDocument = {
  bootEvents: [],
  scheduledInforms: [],
  nextInstance: {},
  pendingActions: [],
};

const commandKey = v.string().max(32);
const bootId = v.string().max(128).optional();
const pendingAction = v.union(
  v.object({ kind: v.literal("reboot"), commandKey, bootId }),
  v.object({ kind: v.literal("factoryReset"), bootId }),
);
const scheduledInform = v.object({ dueAt: isoDateTime, commandKey });

/** How the agent state is checked when read back (the RPCs' own limits). */
export const AGENT_STATE_SPEC: DocumentSpec<Record<string, unknown>> = {
  fields: {
    bootEvents: v.array(eventRecordSchema),
    scheduledInforms: v.array(scheduledInform),
    nextInstance: v.record(
      v.string().max(256),
      v.number().int().min(1).max(4294967296),
    ),
    pendingActions: v.array(pendingAction),
    lastBootId: bootId,
    delayRebootAt: isoDateTime.optional(),
  },
  lists: {
    bootEvents: eventRecordSchema,
    scheduledInforms: scheduledInform,
    pendingActions: pendingAction,
  },
  fallback: { ...EMPTY },
};

/**
 * The agent state, read once and written atomically on every change.
 *
 * @example
 * ```ts
 * import { AgentState } from "./agent_state.ts";
 * import { MemoryStateStore } from "./store.ts";
 * const state = await AgentState.load(new MemoryStateStore());
 * await state.update((s) => ({ ...s, bootEvents: [{ eventCode: "M Reboot", commandKey: "k" }] }));
 * console.log(state.current.bootEvents.length); // 1
 * ```
 */
export class AgentState {
  readonly #store: StateStore;
  readonly #updates = new Serial();
  #current: AgentStateDocument;

  private constructor(store: StateStore, current: AgentStateDocument) {
    this.#store = store;
    this.#current = current;
  }

  /**
   * Loads the state from `store` (empty when none was saved). What does not
   * check out is repaired and reported; the file as found is kept aside.
   */
  static async load(
    store: StateStore,
    options: { readonly onProblem?: (problem: StateProblem) => void } = {},
  ): Promise<AgentState> {
    const saved = await loadStateDocument(
      store,
      AGENT_STATE_KEY,
      AGENT_STATE_SPEC,
      options,
    ) as unknown as AgentStateDocument;
    return new AgentState(store, { ...EMPTY, ...saved });
  }

  /** The state as last written. */
  get current(): AgentStateDocument {
    return this.#current;
  }

  /** Replaces the state with `change(current)`, durably, before returning. */
  update(
    change: (current: AgentStateDocument) => AgentStateDocument,
  ): Promise<void> {
    // Serialized: each change sees the result of the one before it.
    return this.#updates.run(async () => {
      const next = change(this.#current);
      await this.#store.write(AGENT_STATE_KEY, next);
      this.#current = next;
    });
  }

  /** Forgets everything (factory reset). */
  async reset(): Promise<void> {
    await this.update(() => EMPTY);
  }
}
