/**
 * Command-line flags, read the way node:util's `parseArgs` reads them in
 * its strict mode (the agent used it before): `--name value`,
 * `--name=value`, `-h`, grouped short booleans, `--` ending the flags, an
 * unknown flag or a missing value an error. It lives here because importing
 * node:util loaded the whole Node compatibility layer into every agent
 * process (~20 ms of start-up, ~6 MB) for this one function.
 *
 * @module
 */

/** How one flag is read. */
export interface FlagSpec {
  /** A string takes a value; a boolean does not. */
  readonly type: "string" | "boolean";
  /** A one-letter alias (`-h`). */
  readonly short?: string;
  /** Whether the flag may repeat; its values are then collected in order. */
  readonly multiple?: boolean;
  /** The value when the flag is not given. */
  readonly default?: string | boolean | readonly string[] | readonly boolean[];
}

/** The values of the flags in `O`, by name; flags not given are absent. */
export type FlagValues<O extends Record<string, FlagSpec>> = {
  -readonly [K in keyof O]?: O[K] extends { readonly type: "string" }
    ? O[K] extends { readonly multiple: true } ? string[] : string
    : O[K] extends { readonly multiple: true } ? boolean[]
    : boolean;
};

/** What was parsed. */
export interface ParsedArgs<O extends Record<string, FlagSpec>> {
  /** The flags. */
  readonly values: FlagValues<O>;
  /** Everything that is not a flag, in order. */
  readonly positionals: string[];
}

/** A command line that does not fit the flags. */
export class ArgsError extends TypeError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ArgsError";
  }
}

/**
 * Reads `args` against `options`.
 *
 * @throws {ArgsError} for an unknown flag, a flag's missing or unexpected
 * value, or a positional argument where none is allowed.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./parse_args.ts";
 * const { values, positionals } = parseArgs({
 *   args: ["--state-dir", "/var/lib/cwmp", "-h", "extra"],
 *   options: { "state-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
 *   allowPositionals: true,
 * });
 * console.log(values["state-dir"], values.help, positionals); // "/var/lib/cwmp" true ["extra"]
 * ```
 */
export function parseArgs<const O extends Record<string, FlagSpec>>(
  config: {
    readonly args: readonly string[];
    readonly options: O;
    readonly allowPositionals?: boolean;
  },
): ParsedArgs<O> {
  const { args, options } = config;
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.short !== undefined) byShort.set(spec.short, name);
  }
  const store = (name: string, value: string | boolean) => {
    if (options[name].multiple) {
      ((values[name] ??= []) as (string | boolean)[]).push(value);
    } else {
      values[name] = value;
    }
  };
  const positional = (arg: string) => {
    if (!config.allowPositionals) {
      throw new ArgsError(
        `Unexpected argument '${arg}'. This command does not take positional arguments`,
      );
    }
    positionals.push(arg);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      for (const rest of args.slice(i + 1)) positional(rest);
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positional(arg);
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (!Object.hasOwn(options, name)) {
        throw new ArgsError(`Unknown option '--${name}'`);
      }
      if (options[name].type === "boolean") {
        if (eq >= 0) {
          throw new ArgsError(`Option '--${name}' does not take an argument`);
        }
        store(name, true);
        continue;
      }
      if (eq >= 0) {
        store(name, arg.slice(eq + 1));
        continue;
      }
      i++;
      store(name, valueOf(args[i], `--${name}`));
      continue;
    }
    // One or more short flags: booleans may be grouped; a string one takes
    // the rest of the argument or the next one.
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j];
      const name = byShort.get(letter);
      if (name === undefined) {
        throw new ArgsError(`Unknown option '-${letter}'`);
      }
      if (options[name].type === "boolean") {
        store(name, true);
        continue;
      }
      if (j + 1 < arg.length) {
        store(name, arg.slice(j + 1));
      } else {
        i++;
        store(name, valueOf(args[i], `-${letter}`));
      }
      break;
    }
  }
  for (const [name, spec] of Object.entries(options)) {
    if (values[name] === undefined && spec.default !== undefined) {
      values[name] = Array.isArray(spec.default)
        ? [...spec.default]
        : spec.default;
    }
  }
  return { values: values as FlagValues<O>, positionals };
}

/** The value after a flag: present, and not itself a flag. */
function valueOf(next: string | undefined, flag: string): string {
  if (next === undefined) {
    throw new ArgsError(`Option '${flag} <value>' argument missing`);
  }
  if (next.startsWith("-") && next !== "-") {
    throw new ArgsError(
      `Option '${flag} <value>' argument is ambiguous. Did you forget to specify the option argument for '${flag}'? To specify an option argument starting with a dash use '${flag}=-XYZ'.`,
    );
  }
  return next;
}
