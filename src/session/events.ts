/**
 * Inform events as data: each code's retention rules, and a queue that
 * follows them. Pure: persistence is the caller's job.
 *
 * @module
 */
import type { BootEventRecord, EventRecord } from "../state/agent_state.ts";

/** How one event code behaves (digest §5.1–5.2). */
export interface EventPolicy {
  /** Several occurrences are kept, one per CommandKey ("M" events); otherwise merged into one. */
  readonly multiple: boolean;
  /** Carried into the retry after a failed session. */
  readonly retried: boolean;
  /** Kept across a reboot of the agent. */
  readonly keptAcrossReboot: boolean;
  /** Dropped when a BOOTSTRAP starts over with a new ACS. */
  readonly droppedOnBootstrap: boolean;
}

/**
 * The retention rules of every standard event code. The digest's policy
 * table (§5.2) is followed; where it marks a rule unverified, the choice is
 * recorded here:
 *
 * - `6 CONNECTION REQUEST` and `14 HEARTBEAT` are not retried: a failed
 *   session does not replay them (the ACS sends another request; the next
 *   heartbeat interval covers the other).
 * - `M Reboot`, `M ScheduleInform`, transfer and DU completions, `0 BOOTSTRAP`
 *   survive a reboot; `1 BOOT` does not (each boot raises a fresh one).
 * - A BOOTSTRAP drops what only the old ACS cares about (periodic, scheduled,
 *   value change, connection request, kicked, diagnostics, request download,
 *   `M Reboot`); transfer and DU completions are kept because the device state
 *   they describe is real whatever the ACS.
 *
 * @example
 * ```ts
 * import { eventPolicy } from "./events.ts";
 * console.log(eventPolicy("M Reboot").multiple, eventPolicy("6 CONNECTION REQUEST").retried); // true false
 * ```
 */
export const EVENT_POLICIES: Readonly<Record<string, EventPolicy>> = {
  "0 BOOTSTRAP": {
    multiple: false,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: false,
  },
  "1 BOOT": {
    multiple: false,
    retried: true,
    keptAcrossReboot: false,
    droppedOnBootstrap: false,
  },
  "2 PERIODIC": {
    multiple: false,
    retried: true,
    keptAcrossReboot: false,
    droppedOnBootstrap: true,
  },
  "3 SCHEDULED": {
    multiple: false,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: true,
  },
  "4 VALUE CHANGE": {
    multiple: false,
    retried: true,
    keptAcrossReboot: false,
    droppedOnBootstrap: true,
  },
  "5 KICKED": {
    multiple: false,
    retried: true,
    keptAcrossReboot: false,
    droppedOnBootstrap: true,
  },
  "6 CONNECTION REQUEST": {
    multiple: false,
    retried: false,
    keptAcrossReboot: false,
    droppedOnBootstrap: true,
  },
  "7 TRANSFER COMPLETE": {
    multiple: false,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: false,
  },
  "8 DIAGNOSTICS COMPLETE": {
    multiple: false,
    retried: true,
    keptAcrossReboot: false,
    droppedOnBootstrap: true,
  },
  "9 REQUEST DOWNLOAD": {
    multiple: false,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: true,
  },
  "10 AUTONOMOUS TRANSFER COMPLETE": {
    multiple: false,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: false,
  },
  "11 DU STATE CHANGE COMPLETE": {
    multiple: false,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: false,
  },
  "12 AUTONOMOUS DU STATE CHANGE COMPLETE": {
    multiple: false,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: false,
  },
  "13 WAKEUP": {
    multiple: false,
    retried: true,
    keptAcrossReboot: false,
    droppedOnBootstrap: false,
  },
  "14 HEARTBEAT": {
    multiple: false,
    retried: false,
    keptAcrossReboot: false,
    droppedOnBootstrap: true,
  },
  "M Reboot": {
    multiple: true,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: true,
  },
  "M ScheduleInform": {
    multiple: true,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: true,
  },
  "M Download": {
    multiple: true,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: false,
  },
  "M ScheduleDownload": {
    multiple: true,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: false,
  },
  "M Upload": {
    multiple: true,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: false,
  },
  "M ChangeDUState": {
    multiple: true,
    retried: true,
    keptAcrossReboot: true,
    droppedOnBootstrap: false,
  },
};

/** Vendor and unknown codes: "M …" are multiple, everything is retried and kept. */
const VENDOR_SINGLE: EventPolicy = {
  multiple: false,
  retried: true,
  keptAcrossReboot: true,
  droppedOnBootstrap: true,
};
const VENDOR_MULTIPLE: EventPolicy = { ...VENDOR_SINGLE, multiple: true };

/** The most events one Inform may carry (cwmp XSD: EventStruct maxOccurs 64). */
export const MAX_INFORM_EVENTS = 64;

/**
 * The policy of an event code.
 *
 * @example
 * ```ts
 * import { eventPolicy } from "./events.ts";
 * console.log(eventPolicy("X 00AABB Custom").retried); // true
 * ```
 */
export function eventPolicy(code: string): EventPolicy {
  return EVENT_POLICIES[code] ??
    (code.startsWith("M ") ? VENDOR_MULTIPLE : VENDOR_SINGLE);
}

function same(a: EventRecord, b: EventRecord): boolean {
  return a.eventCode === b.eventCode &&
    (!eventPolicy(a.eventCode).multiple || a.commandKey === b.commandKey);
}

/**
 * Adds events to a queue: a single event already queued is merged, a
 * multiple event is kept once per CommandKey. A BOOTSTRAP first drops what
 * the new ACS must not see.
 *
 * @example
 * ```ts
 * import { addEvents } from "./events.ts";
 * const q = addEvents([{ eventCode: "2 PERIODIC", commandKey: "" }], [{ eventCode: "2 PERIODIC", commandKey: "" }]);
 * console.log(q.length); // 1
 * ```
 */
export function addEvents(
  queue: readonly EventRecord[],
  events: readonly EventRecord[],
  options: AddEventsOptions = {},
): EventRecord[] {
  let out = [...queue];
  for (const event of events) {
    if (event.eventCode === "0 BOOTSTRAP") {
      out = out.filter((e) => !eventPolicy(e.eventCode).droppedOnBootstrap);
    }
    const normalized = eventPolicy(event.eventCode).multiple
      ? event
      : { ...event, commandKey: "" };
    // An event already in an Inform that is out cannot take a new
    // occurrence: that Inform's InformResponse removes it, and the new one
    // belongs to the next Inform.
    if (!out.some((e) => !options.inFlight?.has(e) && same(e, normalized))) {
      out.push(normalized);
    }
  }
  return out;
}

/** Options for {@linkcode addEvents}. */
export interface AddEventsOptions {
  /**
   * Queue entries carried by the Inform of the running session, by identity.
   * A new occurrence is never merged into one of them.
   */
  readonly inFlight?: ReadonlySet<EventRecord>;
}

/**
 * The events an Inform carries: the queue's first 64, BOOTSTRAP and BOOT
 * first (the ACS reads them first).
 *
 * @example
 * ```ts
 * import { informEvents } from "./events.ts";
 * console.log(informEvents([{ eventCode: "2 PERIODIC", commandKey: "" }, { eventCode: "1 BOOT", commandKey: "" }])[0].eventCode); // "1 BOOT"
 * ```
 */
export function informEvents(queue: readonly EventRecord[]): EventRecord[] {
  const rank = (e: EventRecord) =>
    e.eventCode === "0 BOOTSTRAP" ? 0 : e.eventCode === "1 BOOT" ? 1 : 2;
  // A queue may hold a single event twice (one raised while an Inform
  // carrying it was out, then that session failed): the Inform lists it once.
  const unique: EventRecord[] = [];
  for (const e of [...queue].sort((a, b) => rank(a) - rank(b))) {
    if (!unique.some((u) => same(u, e))) unique.push(e);
  }
  return unique.slice(0, MAX_INFORM_EVENTS);
}

/**
 * The queue entries an Inform with `sent` events covers: every entry equal
 * to one of them (a single event queued twice is covered by its one
 * occurrence in the Inform). The InformResponse delivers exactly these.
 *
 * @example
 * ```ts
 * import { coveredEntries } from "./events.ts";
 * const queue = [{ eventCode: "2 PERIODIC", commandKey: "" }];
 * console.log(coveredEntries(queue, queue).size); // 1
 * ```
 */
export function coveredEntries(
  queue: readonly EventRecord[],
  sent: readonly EventRecord[],
): Set<EventRecord> {
  return new Set(queue.filter((e) => sent.some((s) => same(s, e))));
}

/**
 * The queue after an InformResponse: the delivered events are gone.
 *
 * @example
 * ```ts
 * import { removeDelivered } from "./events.ts";
 * const q = [{ eventCode: "1 BOOT", commandKey: "" }];
 * console.log(removeDelivered(q, q).length); // 0
 * ```
 */
export function removeDelivered(
  queue: readonly EventRecord[],
  delivered: readonly EventRecord[],
): EventRecord[] {
  return queue.filter((e) => !delivered.some((d) => same(d, e)));
}

/**
 * The queue after a failed session: events that are not retried are gone.
 *
 * @example
 * ```ts
 * import { afterFailedSession } from "./events.ts";
 * console.log(afterFailedSession([{ eventCode: "6 CONNECTION REQUEST", commandKey: "" }]).length); // 0
 * ```
 */
export function afterFailedSession(
  queue: readonly EventRecord[],
): EventRecord[] {
  return queue.filter((e) => eventPolicy(e.eventCode).retried);
}

/**
 * The queue at boot: events that do not survive a reboot are gone; `1 BOOT`
 * and the boot events recorded before the reboot (`M Reboot`, `0 BOOTSTRAP`)
 * are added.
 *
 * @example
 * ```ts
 * import { afterBoot } from "./events.ts";
 * console.log(afterBoot([], [{ eventCode: "M Reboot", commandKey: "k" }]).map((e) => e.eventCode)); // ["1 BOOT", "M Reboot"]
 * ```
 */
export function afterBoot(
  queue: readonly EventRecord[],
  bootEvents: readonly BootEventRecord[],
): EventRecord[] {
  const kept = queue.filter((e) => eventPolicy(e.eventCode).keptAcrossReboot);
  return addEvents(
    addEvents(kept, [{ eventCode: "1 BOOT", commandKey: "" }]),
    bootEvents.map((e) => ({
      eventCode: e.eventCode,
      commandKey: e.commandKey,
    })),
  );
}
