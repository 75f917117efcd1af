/**
 * The I/O a command needs, passed in so commands run in tests without a
 * terminal.
 *
 * @module
 */
import { parseArgs } from "./parse_args.ts";

/** Where a command reads input and writes output. */
export interface CommandIo {
  /** Reads a whole file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Standard input. */
  readonly stdin: ReadableStream<Uint8Array>;
  /** Writes text to standard output. */
  stdout(text: string): void;
  /** Writes text to standard error. */
  stderr(text: string): void;
}

/** A subcommand: takes its arguments and I/O, returns the exit code. */
export type Command = (
  args: readonly string[],
  io: CommandIo,
) => Promise<number>;

/**
 * The process's real I/O.
 *
 * @example
 * ```ts
 * import { processIo } from "./io.ts";
 * processIo().stdout("hello\n");
 * ```
 */
export function processIo(): CommandIo {
  const encoder = new TextEncoder();
  return {
    readFile: (path) => Deno.readFile(path),
    stdin: Deno.stdin.readable,
    stdout: (text) => writeAll(Deno.stdout, encoder.encode(text)),
    stderr: (text) => writeAll(Deno.stderr, encoder.encode(text)),
  };
}

function writeAll(
  target: { writeSync(p: Uint8Array): number },
  bytes: Uint8Array,
) {
  let offset = 0;
  while (offset < bytes.length) {
    offset += target.writeSync(bytes.subarray(offset));
  }
}

/**
 * Reads a stream to its end, or stops once more than `limit` bytes arrived;
 * the result is then `limit + 1` bytes long so the caller can tell.
 *
 * @example
 * ```ts
 * import { readLimited } from "./io.ts";
 * const bytes = await readLimited(new Blob(["abc"]).stream(), 2);
 * console.log(bytes.length); // 3
 * ```
 */
export async function readLimited(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  try {
    while (total <= limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const out = new Uint8Array(Math.min(total, limit + 1));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= out.length) break;
    const part = chunk.subarray(0, out.length - offset);
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Reads a command's input: standard input for "-", else the file, at most
 * `limit` bytes from standard input (plus one, so an oversize is visible).
 *
 * @example
 * ```ts
 * import { readSource } from "./io.ts";
 * // const bytes = await readSource("-", io, 4096);
 * ```
 */
export function readSource(
  source: string,
  io: CommandIo,
  limit: number,
): Promise<Uint8Array> {
  return source === "-" ? readLimited(io.stdin, limit) : io.readFile(source);
}

/** Parsed flags and positionals of a command. */
export interface ParsedCommand {
  /** Flag values by name (`--help` is handled before). */
  readonly values: Readonly<Record<string, string | undefined>>;
  /** Positional arguments. */
  readonly positionals: readonly string[];
}

/**
 * Parses a command's flags (string flags plus `--help`); prints the usage
 * and returns an exit code for `--help` (0) or a parse error (1).
 *
 * @example
 * ```ts
 * import { parseCommand } from "./io.ts";
 * // const parsed = parseCommand("rpc", USAGE, args, ["device", "state-dir"], io);
 * // if (typeof parsed === "number") return parsed;
 * ```
 */
export function parseCommand(
  name: string,
  usage: string,
  args: readonly string[],
  flags: Readonly<Record<string, { type: "string"; default?: string }>>,
  io: CommandIo,
): ParsedCommand | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { ...flags, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    io.stderr(`agent ${name}: ${(error as Error).message}\n\n${usage}`);
    return 1;
  }
  const { help, ...values } = parsed.values;
  if (help) {
    io.stdout(usage);
    return 0;
  }
  return {
    values: values as Record<string, string | undefined>,
    positionals: parsed.positionals,
  };
}
