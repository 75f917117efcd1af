/**
 * Log lines for `agent run`: text or JSON, one line per record, filtered by
 * level. Records never carry secrets: the agent logs no credential, and this
 * writer masks any field whose name says it is one, as a second guard.
 *
 * @module
 */
import type { LogRecord } from "../agent/options.ts";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
const SECRET = /pass(word)?|secret|authorization|cookie/i;

/**
 * A log writer.
 *
 * @example
 * ```ts
 * import { createLogger } from "./logger.ts";
 * const lines: string[] = [];
 * const log = createLogger({ level: "info", format: "json", write: (l) => lines.push(l), now: () => 0 });
 * log({ level: "info", msg: "hello", password: "x" });
 * console.log(lines[0]); // {"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"hello","password":"***"}
 * ```
 */
export function createLogger(options: {
  level: keyof typeof LEVELS;
  format: "text" | "json";
  write: (line: string) => void;
  now?: () => number;
}): (record: LogRecord) => void {
  const min = LEVELS[options.level];
  const now = options.now ?? Date.now;
  return (record) => {
    if (LEVELS[record.level] < min) return;
    const { level, msg, ...fields } = record;
    for (const key of Object.keys(fields)) {
      if (SECRET.test(key)) fields[key] = "***";
    }
    const time = new Date(now()).toISOString();
    if (options.format === "json") {
      options.write(JSON.stringify({ time, level, msg, ...fields }));
      return;
    }
    const rest = Object.entries(fields).map(([k, v]) =>
      `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
    );
    options.write(
      [time, level.toUpperCase().padEnd(5), msg, ...rest].join(" "),
    );
  };
}
