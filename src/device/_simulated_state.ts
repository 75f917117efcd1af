/**
 * How the simulated device keeps its state durable at a cost that does not
 * grow with the state: each change is a small delta appended to a bounded
 * journal document, and only every few hundred changes is the whole state
 * written and the journal emptied. (Writing the whole state on every
 * AddObject made 3,000 of them quadratic.)
 *
 * Deltas are absolute (this value, this instance list, these subtrees gone),
 * so replaying one that the base already holds — after a crash between the
 * base write and the journal reset — changes nothing.
 */
import { Serial } from "../state/serial.ts";
import type { ParameterDefinition } from "../datamodel/definitions.ts";
import { toPattern } from "../datamodel/path.ts";
import { checkValue } from "../datamodel/types.ts";
import type { StateStore } from "../state/store.ts";

/** The simulated device's state. */
export interface SimulatedState {
  values: Record<string, string>;
  instances: Record<string, number[]>;
  reboots: number;
  factoryResets: number;
  /** Changes with every (simulated) boot; kept across restarts of the agent. */
  bootId?: string;
}

/** One change. */
export interface SimulatedDelta {
  /** Subtrees removed first (a deleted instance's paths, by prefix). */
  readonly removed?: readonly string[];
  /** Values set. */
  readonly values?: Readonly<Record<string, string>>;
  /** An instance added: [table, number] (a table's list is not copied per change). */
  readonly added?: readonly [string, number];
  /** An instance removed: [table, number]. */
  readonly dropped?: readonly [string, number];
  readonly reboots?: number;
  readonly factoryResets?: number;
  readonly bootId?: string;
}

/** The store key of the whole state. */
export const SIMULATED_STATE_KEY = "simulated-device";
/** The store key of the changes since. */
export const SIMULATED_JOURNAL_KEY = "simulated-device-journal";

/** Deltas kept before the whole state is written again. */
const MAX_DELTAS = 256;
/** Journal size (JSON characters) that also calls for a full write. */
const MAX_JOURNAL_CHARS = 256 * 1024;

/** Applies a delta in place. */
export function applyDelta(state: SimulatedState, delta: SimulatedDelta): void {
  for (const prefix of delta.removed ?? []) {
    for (const path of Object.keys(state.values)) {
      if (path.startsWith(prefix)) delete state.values[path];
    }
    for (const table of Object.keys(state.instances)) {
      if (table.startsWith(prefix)) delete state.instances[table];
    }
  }
  Object.assign(state.values, delta.values);
  if (delta.added) {
    const [table, n] = delta.added;
    const list = state.instances[table] ??= [];
    if (!list.includes(n)) {
      // Numbers only grow, so the new one goes last nearly always.
      if (list.length === 0 || list[list.length - 1] < n) list.push(n);
      else list.splice(list.findIndex((m) => m > n), 0, n);
    }
  }
  if (delta.dropped) {
    const [table, n] = delta.dropped;
    const list = state.instances[table];
    const at = list?.indexOf(n) ?? -1;
    if (at >= 0) list!.splice(at, 1);
  }
  if (delta.reboots !== undefined) state.reboots = delta.reboots;
  if (delta.factoryResets !== undefined) {
    state.factoryResets = delta.factoryResets;
  }
  if (delta.bootId !== undefined) state.bootId = delta.bootId;
}

/** A deep copy of a state. */
export function copyState(state: SimulatedState): SimulatedState {
  return structuredClone(state);
}

/**
 * Whether a raw journal entry is a delta this code could have written;
 * entries that are not are dropped when the journal is read back.
 */
export function isDelta(raw: unknown): raw is SimulatedDelta {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return false;
  }
  const d = raw as Record<string, unknown>;
  const record = (v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  return (d.removed === undefined ||
    (Array.isArray(d.removed) &&
      d.removed.every((p) => typeof p === "string"))) &&
    (d.values === undefined ||
      (record(d.values) &&
        Object.values(d.values as object).every((v) =>
          typeof v === "string"
        ))) &&
    [d.added, d.dropped].every((pair) =>
      pair === undefined ||
      (Array.isArray(pair) && pair.length === 2 &&
        typeof pair[0] === "string" && Number.isInteger(pair[1]) &&
        pair[1] >= 1)
    ) &&
    (d.reboots === undefined || Number.isInteger(d.reboots)) &&
    (d.factoryResets === undefined || Number.isInteger(d.factoryResets)) &&
    (d.bootId === undefined || typeof d.bootId === "string");
}

/** The journal of one simulated device. */
export class SimulatedJournal {
  readonly #store: StateStore;
  readonly #writes = new Serial();
  #deltas: SimulatedDelta[] = [];
  #chars = 0;

  /** A journal in `store`, empty until {@linkcode SimulatedJournal.adopt}. */
  constructor(store: StateStore) {
    this.#store = store;
  }

  /** Takes the deltas found at start (already applied by the caller). */
  adopt(deltas: readonly SimulatedDelta[]): void {
    this.#deltas = [...deltas];
    this.#chars = JSON.stringify(deltas).length;
  }

  /**
   * Makes `delta` durable, then applies it to `state`: appended to the
   * journal, or — when the journal is full — folded into a whole-state
   * write. Persisted first: a failed write leaves `state` unchanged.
   */
  commit(state: SimulatedState, delta: SimulatedDelta): Promise<void> {
    // One at a time: two overlapping appends would each write a journal
    // without the other's delta.
    return this.#writes.run(() => this.#commit(state, delta));
  }

  async #commit(state: SimulatedState, delta: SimulatedDelta): Promise<void> {
    const size = JSON.stringify(delta).length;
    if (
      this.#deltas.length + 1 >= MAX_DELTAS ||
      this.#chars + size > MAX_JOURNAL_CHARS
    ) {
      const next = copyState(state);
      applyDelta(next, delta);
      await this.#replace(state, next);
      return;
    }
    const deltas = [...this.#deltas, delta];
    await this.#store.write(SIMULATED_JOURNAL_KEY, { deltas });
    this.#deltas = deltas;
    this.#chars += size;
    applyDelta(state, delta);
  }

  /** Writes `next` as the whole state, empties the journal, and makes `state` equal to it. */
  replace(state: SimulatedState, next: SimulatedState): Promise<void> {
    return this.#writes.run(() => this.#replace(state, next));
  }

  async #replace(state: SimulatedState, next: SimulatedState): Promise<void> {
    await this.#store.write(SIMULATED_STATE_KEY, next);
    await this.#store.write(SIMULATED_JOURNAL_KEY, { deltas: [] });
    this.#deltas = [];
    this.#chars = 0;
    const copy = copyState(next);
    state.values = copy.values;
    state.instances = copy.instances;
    state.reboots = copy.reboots;
    state.factoryResets = copy.factoryResets;
    state.bootId = copy.bootId;
  }
}

/**
 * A saved state that is whole: values of known parameters that fit their
 * types (others take their factory value), instance lists of whole
 * numbers. Undefined when it is not even that shape. Each repair is told to
 * `problem` with the field.
 */
export function checkSimulatedState(
  saved: unknown,
  byPattern: ReadonlyMap<string, ParameterDefinition>,
  factory: SimulatedState,
  problem: (field: string, problem: string) => void,
): SimulatedState | undefined {
  const s = saved as Partial<SimulatedState> | null;
  if (
    typeof s !== "object" || s === null ||
    typeof s.values !== "object" || s.values === null ||
    typeof s.instances !== "object" || s.instances === null
  ) {
    problem(
      "",
      "not the simulated device's state; factory values apply",
    );
    return undefined;
  }
  const values: Record<string, string> = {};
  for (const [path, value] of Object.entries(s.values)) {
    const definition = byPattern.get(toPattern(path));
    const checked = definition && typeof value === "string"
      ? checkValue(definition.type, value)
      : undefined;
    if (checked && !checked.problem) values[path] = checked.value!;
    else if (factory.values[path] !== undefined) {
      values[path] = factory.values[path];
      problem(`values.${path}`, "does not fit its type; factory value");
    } else if (!definition) {
      problem(`values.${path}`, "no such parameter; dropped");
    }
  }
  const instances: Record<string, number[]> = {};
  for (const [table, list] of Object.entries(s.instances)) {
    if (
      Array.isArray(list) &&
      list.every((n) => Number.isInteger(n) && n >= 1 && n <= 4294967295)
    ) {
      instances[table] = [...new Set(list as number[])].sort((a, b) => a - b);
    } else {problem(
        `instances.${table}`,
        "not a list of instance numbers; dropped",
      );}
  }
  const count = (n: unknown) =>
    Number.isInteger(n) && (n as number) >= 0 ? n as number : 0;
  return {
    values,
    instances,
    reboots: count(s.reboots),
    factoryResets: count(s.factoryResets),
    ...(typeof s.bootId === "string" && s.bootId.length <= 128
      ? { bootId: s.bootId }
      : {}),
  };
}
