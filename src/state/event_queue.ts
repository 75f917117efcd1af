/**
 * The agent's event queue as it is stored: undelivered events, the retry
 * counters, the ACS last bootstrapped, the last and next session.
 *
 * @module
 */
import { v } from "./check.ts";
import {
  type DocumentSpec,
  eventRecordSchema,
  isoDateTime,
} from "./state_document.ts";
import type { EventRecord } from "./agent_state.ts";

/** Store key of the event queue. */
export const EVENT_QUEUE_KEY = "event-queue";

/** The persisted event queue. */
export interface EventQueueDocument {
  /** Undelivered events. */
  readonly events: readonly EventRecord[];
  /**
   * Consecutive failed sessions: the Inform's RetryCount. Kept across
   * reboots — the spec makes it 0 only after a successful session.
   */
  readonly retryCount: number;
  /**
   * Failed sessions since the last boot: the retry wait window. TR-069's
   * table of waits counts retries "post reboot", so a boot starts it over.
   */
  readonly failuresSinceBoot?: number;
  /** The ACS URL a BOOTSTRAP was last delivered to. */
  readonly bootstrappedUrl?: string;
  /** When the last session ended, and how. */
  readonly lastSession?: {
    readonly at: string;
    readonly outcome: string;
    readonly reason?: string;
  };
  /** When the next session is due, if one is scheduled. */
  readonly nextSession?: string;
}

const count = v.number().int().min(0).max(1_000_000);

/**
 * How the queue is checked when read back. A queue that cannot be read
 * starts empty and without a bootstrapped URL: the ACS then gets
 * `0 BOOTSTRAP` again, which is what a CPE that lost track owes it.
 */
export const EVENT_QUEUE_SPEC: DocumentSpec<Record<string, unknown>> = {
  fields: {
    events: v.array(eventRecordSchema),
    retryCount: count,
    failuresSinceBoot: count.optional(),
    bootstrappedUrl: v.string().max(2048).optional(),
    lastSession: v.object({
      at: isoDateTime,
      outcome: v.enum(["success", "failure"]),
      reason: v.string().max(4096).optional(),
    }).optional(),
    nextSession: isoDateTime.optional(),
  },
  lists: { events: eventRecordSchema },
  fallback: { events: [], retryCount: 0 },
};
