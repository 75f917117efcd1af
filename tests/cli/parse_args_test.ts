/**
 * The agent's flag parser replaced node:util's parseArgs on the run path:
 * for every command line here it must answer what parseArgs answers (the
 * same values, the same positionals, an error where it errs).
 */
import assert from "node:assert/strict";
import { parseArgs as nodeParseArgs } from "node:util";
import {
  ArgsError,
  type FlagSpec,
  parseArgs,
} from "../../src/cli/parse_args.ts";

const OPTIONS = {
  "state-dir": { type: "string" },
  arg: { type: "string", multiple: true },
  "log-level": { type: "string", default: "info" },
  help: { type: "boolean", short: "h" },
  verbose: { type: "boolean", short: "v" },
  output: { type: "string", short: "o" },
} as const satisfies Record<string, FlagSpec>;

const LINES: string[][] = [
  [],
  ["--state-dir", "/var/lib/cwmp"],
  ["--state-dir=/var/lib/cwmp"],
  ["--state-dir=a=b"],
  ["--state-dir="],
  ["--state-dir", "a", "--state-dir", "b"],
  ["--arg", "x", "--arg=y", "--arg", "z"],
  ["-h"],
  ["-hv"],
  ["-vo", "file"],
  ["-ofile"],
  ["-o", "file", "positional"],
  ["one", "two", "--help", "three"],
  ["--", "--help", "-h"],
  ["-"],
  ["--log-level", "debug"],
  // Errors: unknown flags, a value missing or looking like a flag, a value
  // given to a boolean.
  ["--nope"],
  ["-x"],
  ["--state-dir"],
  ["--state-dir", "--help"],
  ["-o"],
  ["-o", "-h"],
  ["--help=yes"],
];

function node(args: string[], allowPositionals: boolean) {
  try {
    const { values, positionals } = nodeParseArgs({
      args,
      options: OPTIONS,
      allowPositionals,
      strict: true,
    });
    return { values: { ...values }, positionals };
  } catch {
    return "error";
  }
}

function ours(args: string[], allowPositionals: boolean) {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: OPTIONS,
      allowPositionals,
    });
    return { values: { ...values }, positionals };
  } catch (error) {
    assert.ok(error instanceof ArgsError, String(error));
    return "error";
  }
}

Deno.test("flags are read exactly as node:util's parseArgs reads them", () => {
  for (const allowPositionals of [true, false]) {
    for (const line of LINES) {
      assert.deepStrictEqual(
        ours(line, allowPositionals),
        node(line, allowPositionals),
        `${JSON.stringify(line)} (positionals ${
          allowPositionals ? "allowed" : "refused"
        })`,
      );
    }
  }
});

Deno.test("errors name the flag and what is wrong with it", () => {
  const message = (args: string[]) => {
    try {
      parseArgs({ args, options: OPTIONS });
    } catch (error) {
      return (error as Error).message;
    }
    return "";
  };
  assert.equal(message(["--nope"]), "Unknown option '--nope'");
  assert.equal(
    message(["--state-dir"]),
    "Option '--state-dir <value>' argument missing",
  );
  assert.match(message(["--state-dir", "-h"]), /argument is ambiguous/);
  assert.equal(
    message(["--help=1"]),
    "Option '--help' does not take an argument",
  );
  assert.match(message(["extra"]), /Unexpected argument 'extra'/);
});
