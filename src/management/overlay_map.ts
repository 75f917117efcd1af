/**
 * Two maps read as one, the first winning: the agent's own
 * ManagementServer values over what the device answered. A GetParameterValues
 * of a whole device names both, and copying the device's answer of tens of
 * thousands of values into a new map only to add a few dozen cost a second
 * map of the same size (measured: ~12 MB of garbage for 50,000 values).
 *
 * @module
 */

/**
 * A read-only map of `over`'s entries, then `under`'s whose keys `over`
 * does not have.
 *
 * @example
 * ```ts
 * import { OverlayMap } from "./overlay_map.ts";
 * const map = new OverlayMap(new Map([["a", "1"]]), new Map([["a", "0"], ["b", "2"]]));
 * console.log(map.get("a"), map.get("b"), map.size); // "1" "2" 2
 * ```
 */
export class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  readonly #over: ReadonlyMap<K, V>;
  readonly #under: ReadonlyMap<K, V>;

  /** The maps, the first one winning. */
  constructor(over: ReadonlyMap<K, V>, under: ReadonlyMap<K, V>) {
    this.#over = over;
    this.#under = under;
  }

  /** The value of `key`, from the first map that has it. */
  get(key: K): V | undefined {
    return this.#over.has(key) ? this.#over.get(key) : this.#under.get(key);
  }

  /** Whether either map has `key`. */
  has(key: K): boolean {
    return this.#over.has(key) || this.#under.has(key);
  }

  /** How many distinct keys. */
  get size(): number {
    let size = this.#over.size;
    for (const key of this.#under.keys()) if (!this.#over.has(key)) size++;
    return size;
  }

  /** Every entry, the first map's first. */
  *entries(): MapIterator<[K, V]> {
    yield* this.#over.entries();
    for (const entry of this.#under.entries()) {
      if (!this.#over.has(entry[0])) yield entry;
    }
  }

  /** Every key. */
  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  /** Every value. */
  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  /** Calls `visit` for every entry. */
  forEach(
    visit: (value: V, key: K, map: ReadonlyMap<K, V>) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this.entries()) {
      visit.call(thisArg, value, key, this);
    }
  }

  /** Every entry. */
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
