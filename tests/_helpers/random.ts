/**
 * A seeded random source for property tests, so a failure names a seed that
 * reproduces it (set CWMP_TEST_SEED to replay).
 */

/** A small, fast, seedable PRNG (mulberry32). */
export class Random {
  #state: number;
  /** The seed this generator started from. */
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** true with probability p. */
  chance(p = 0.5): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
}

/** The seed for this run: CWMP_TEST_SEED, or a fresh one. */
export function testSeed(): number {
  const fixed = Deno.env.get("CWMP_TEST_SEED");
  return fixed ? Number(fixed) : Math.floor(Math.random() * 2 ** 32);
}

// Characters chosen to stress escaping: XML specials, quotes, whitespace
// that XML normalises, non-ASCII in the BMP and beyond it.
const NASTY = [
  ..."<>&\"' \t\n\r]]>",
  "é",
  "ß",
  "中",
  "文",
  "€",
  "\u00a0",
  "\u2028",
  "😀",
  "𝄞",
];
const PLAIN = [..."abcXYZ019._-/:=?"];

/** A string of up to `max` UTF-16 code units, full of hard characters. */
export function nastyString(random: Random, max: number): string {
  const length = random.int(0, Math.min(max, 40));
  let out = "";
  while (out.length < length) {
    const c = random.chance(0.4) ? random.pick(NASTY) : random.pick(PLAIN);
    if (out.length + c.length > max) break;
    out += c;
  }
  return out;
}
