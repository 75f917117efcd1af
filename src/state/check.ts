/**
 * A small vocabulary for checking untrusted JSON — state files read back,
 * snapshot entries, the configuration — with messages that name the field.
 * It replaces zod there: zod's import alone cost the agent about 10 MB of
 * RSS, more than everything else it checks with put together.
 *
 * Checks read like zod's (`v.string().max(32).optional()`), return the
 * value (with defaults filled in) or throw a {@linkcode CheckFailure} at the
 * first problem, with its path.
 *
 * @module
 */

/** A path into a document: keys and indexes. */
export type CheckPath = readonly (string | number)[];

/** The first problem a check found. */
export class CheckFailure extends Error {
  /** Where, as keys and indexes. */
  readonly path: CheckPath;
  /** What, without the where. */
  readonly reason: string;

  /** A failure at `path`. */
  constructor(path: CheckPath, reason: string) {
    super(path.length ? `${path.join(".")}: ${reason}` : reason);
    this.name = "CheckFailure";
    this.path = path;
    this.reason = reason;
  }
}

/**
 * A check of values of type `T`.
 *
 * @example
 * ```ts
 * import { v } from "./check.ts";
 * const port = v.number().int().min(0).max(65535);
 * console.log(port.safeParse(8080).ok, port.safeParse(70000).ok); // true false
 * ```
 */
export class Check<T> {
  /** Whether an object may leave this key out. */
  readonly isOptional: boolean;
  readonly #run: (value: unknown, path: CheckPath) => T;

  /** A check from a function that returns the value or throws a {@linkcode CheckFailure}. */
  constructor(
    run: (value: unknown, path: CheckPath) => T,
    isOptional = false,
  ) {
    this.#run = run;
    this.isOptional = isOptional;
  }

  /** The checked value; throws a {@linkcode CheckFailure}. */
  parse(value: unknown, path: CheckPath = []): T {
    return this.#run(value, path);
  }

  /** The checked value, or where and why it failed. */
  safeParse(
    value: unknown,
  ):
    | { readonly ok: true; readonly value: T }
    | { readonly ok: false; readonly failure: CheckFailure } {
    try {
      return { ok: true, value: this.#run(value, []) };
    } catch (error) {
      if (error instanceof CheckFailure) return { ok: false, failure: error };
      throw error;
    }
  }

  /** Also `undefined` (an object may leave the key out). */
  optional(): Check<T | undefined> {
    return new Check<T | undefined>(
      (value, path) => value === undefined ? undefined : this.#run(value, path),
      true,
    );
  }

  /** `fallback` when the value is missing. */
  default(fallback: T): Check<T> {
    return new Check<T>(
      (value, path) => value === undefined ? fallback : this.#run(value, path),
      true,
    );
  }

  /** Also `test`, or `reason`. */
  refine(test: (value: T) => boolean, reason: string): this {
    const run = this.#run;
    return this.#derive((value, path) => {
      const out = run(value, path);
      if (!test(out)) throw new CheckFailure(path, reason);
      return out;
    });
  }

  /** Also passes `problemOf`, which says what is wrong or undefined. */
  verify(problemOf: (value: T) => string | undefined): this {
    const run = this.#run;
    return this.#derive((value, path) => {
      const out = run(value, path);
      const problem = problemOf(out);
      if (problem !== undefined) throw new CheckFailure(path, problem);
      return out;
    });
  }

  /** The same kind of check (a subclass keeps its methods) running `run`. */
  #derive(run: (value: unknown, path: CheckPath) => T): this {
    const Kind = this.constructor as new (
      run: (value: unknown, path: CheckPath) => T,
      isOptional: boolean,
    ) => this;
    return new Kind(run, this.isOptional);
  }
}

/** Strings, with length and pattern. */
export class StringCheck extends Check<string> {
  /** At least `n` characters. */
  min(n: number): StringCheck {
    return this.refine(
      (s) => s.length >= n,
      n === 1 ? "must not be empty" : `shorter than ${n} characters`,
    );
  }

  /** At most `n` characters. */
  max(n: number): StringCheck {
    return this.refine((s) => s.length <= n, `longer than ${n} characters`);
  }

  /** Matching `pattern`, or `reason`. */
  regex(pattern: RegExp, reason: string): StringCheck {
    return this.refine((s) => pattern.test(s), reason);
  }
}

/** Numbers, with range and wholeness. */
export class NumberCheck extends Check<number> {
  /** A whole number. */
  int(): NumberCheck {
    return this.refine(Number.isInteger, "must be a whole number");
  }

  /** At least `n`. */
  min(n: number): NumberCheck {
    return this.refine((x) => x >= n, `must be at least ${n}`);
  }

  /** At most `n`. */
  max(n: number): NumberCheck {
    return this.refine((x) => x <= n, `must be at most ${n}`);
  }
}

/** Lists, with a length. */
export class ArrayCheck<T> extends Check<T[]> {
  /** At most `n` entries. */
  max(n: number): ArrayCheck<T> {
    return this.refine((a) => a.length <= n, `more than ${n} entries`);
  }
}

type Shape = Readonly<Record<string, Check<unknown>>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: undefined extends Infer<S[K]> ? K : never;
}[keyof S];
type ObjectOf<S extends Shape> =
  & { -readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> }
  & { -readonly [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> };
type Prettify<T> = { [K in keyof T]: T[K] } & unknown;

/** The type a check accepts. */
export type Infer<C> = C extends Check<infer T> ? T : never;

function typed<T>(
  test: (value: unknown) => value is T,
  expected: string,
): (value: unknown, path: CheckPath) => T {
  return (value, path) => {
    if (value === undefined) throw new CheckFailure(path, "required");
    if (!test(value)) throw new CheckFailure(path, `expected ${expected}`);
    return value;
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The checks. */
export const v = {
  /** A string. */
  string(): StringCheck {
    return new StringCheck(
      typed((x): x is string => typeof x === "string", "a string"),
    );
  },
  /** A finite number. */
  number(): NumberCheck {
    return new NumberCheck(
      typed(
        (x): x is number => typeof x === "number" && Number.isFinite(x),
        "a number",
      ),
    );
  },
  /** true or false. */
  boolean(): Check<boolean> {
    return new Check(
      typed((x): x is boolean => typeof x === "boolean", "true or false"),
    );
  },
  /** Exactly `value`. */
  literal<const L extends string | number | boolean>(value: L): Check<L> {
    return new Check((x, path) => {
      if (x !== value) {
        throw new CheckFailure(path, `must be ${JSON.stringify(value)}`);
      }
      return value;
    });
  },
  /** One of `values`. */
  enum<const L extends string>(values: readonly L[]): Check<L> {
    return new Check((x, path) => {
      if (!values.includes(x as L)) {
        throw new CheckFailure(path, `must be one of ${values.join(", ")}`);
      }
      return x as L;
    });
  },
  /** A list whose entries pass `item`. */
  array<T>(item: Check<T>): ArrayCheck<T> {
    return new ArrayCheck((x, path) => {
      const list = typed(Array.isArray, "a list")(x, path) as unknown[];
      return list.map((entry, i) => item.parse(entry, [...path, i]));
    });
  },
  /** An object from keys passing `key` to values passing `value`. */
  record<V>(key: Check<string>, value: Check<V>): Check<Record<string, V>> {
    return new Check((x, path) => {
      const object = typed(isObject, "an object")(x, path);
      const out: Record<string, V> = {};
      for (const [k, entry] of Object.entries(object)) {
        key.parse(k, [...path, k]);
        out[k] = value.parse(entry, [...path, k]);
      }
      return out;
    });
  },
  /**
   * An object with these keys (others are dropped, or refused when
   * `strict`).
   */
  object<S extends Shape>(
    shape: S,
    options: { readonly strict?: boolean } = {},
  ): Check<Prettify<ObjectOf<S>>> {
    return new Check((x, path) => {
      const object = typed(isObject, "an object")(x, path);
      if (options.strict) {
        for (const k of Object.keys(object)) {
          if (!Object.hasOwn(shape, k)) {
            throw new CheckFailure([...path, k], "unknown key");
          }
        }
      }
      const out: Record<string, unknown> = {};
      for (const [k, check] of Object.entries(shape)) {
        const value = check.parse(object[k], [...path, k]);
        if (value !== undefined) out[k] = value;
      }
      return out as Prettify<ObjectOf<S>>;
    });
  },
  /** The first of `checks` that passes; the last one's failure otherwise. */
  union<T extends readonly Check<unknown>[]>(
    ...checks: T
  ): Check<Infer<T[number]>> {
    return new Check((x, path) => {
      let failure: unknown;
      for (const check of checks) {
        try {
          return check.parse(x, path) as Infer<T[number]>;
        } catch (error) {
          failure = error;
        }
      }
      throw failure;
    });
  },
};
