/**
 * The event queue of the running agent: the durable document (events, retry
 * count, last and next session) and its updates, one at a time, so that a
 * session removing delivered events and a timer adding one never work from
 * the same stale copy.
 *
 * @module
 */
import { Serial } from "../state/serial.ts";
import type { StateStore } from "../state/store.ts";
import type { EventRecord } from "../state/agent_state.ts";
import {
  EVENT_QUEUE_KEY,
  EVENT_QUEUE_SPEC,
  type EventQueueDocument,
} from "../state/event_queue.ts";
import {
  loadStateDocument,
  type StateProblem,
} from "../state/state_document.ts";
import { addEvents } from "../session/events.ts";

/**
 * The queue, read once at start and written on every change.
 *
 * @example
 * ```ts
 * import { EventQueue } from "./queue.ts";
 * import { MemoryStateStore } from "../state/store.ts";
 * const queue = new EventQueue(new MemoryStateStore());
 * await queue.load();
 * await queue.add([{ eventCode: "2 PERIODIC", commandKey: "" }]);
 * console.log(queue.current.events.length); // 1
 * ```
 */
export class EventQueue {
  readonly #store: StateStore;
  readonly #updates = new Serial();
  #current: EventQueueDocument = { events: [], retryCount: 0 };

  /** A queue kept in `store`. */
  constructor(store: StateStore) {
    this.#store = store;
  }

  /** The queue as last written. */
  get current(): EventQueueDocument {
    return this.#current;
  }

  /** Reads the stored queue; a field that does not check out is repaired and reported. */
  async load(onProblem?: (problem: StateProblem) => void): Promise<void> {
    this.#current = await loadStateDocument(
      this.#store,
      EVENT_QUEUE_KEY,
      EVENT_QUEUE_SPEC,
      onProblem ? { onProblem } : {},
    ) as unknown as EventQueueDocument;
  }

  /** Replaces the queue with `change(queue)`, durably. */
  update(
    change: (queue: EventQueueDocument) => EventQueueDocument,
  ): Promise<void> {
    return this.#updates.run(async () => {
      const queue = change(this.#current);
      await this.#store.write(EVENT_QUEUE_KEY, queue);
      this.#current = queue;
    });
  }

  /**
   * Adds events. One raised while a session runs is kept for the next
   * Inform, never merged into an entry of `inFlight` (the running Inform's).
   */
  add(
    events: readonly EventRecord[],
    inFlight?: ReadonlySet<EventRecord>,
  ): Promise<void> {
    return this.update((queue) => ({
      ...queue,
      events: addEvents(
        queue.events,
        events,
        inFlight ? { inFlight } : {},
      ),
    }));
  }
}
