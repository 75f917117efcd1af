/**
 * Reading a state document back without trusting it: every field is checked
 * with the same constraints the RPCs apply, a field that fails takes what a
 * CPE falls back to (its factory value), a list keeps the entries that are
 * valid, and a file that is not even JSON starts over. The file as found is
 * kept aside (renamed, never deleted) and each problem is reported with the
 * file and field named.
 *
 * @module
 */
import { type Check, type CheckFailure, v } from "./check.ts";
import type { StateStore } from "./store.ts";

/** One problem found in a state file. */
export interface StateProblem {
  /** The document's store key (`event-queue` is `event-queue.json`). */
  readonly key: string;
  /** The field (dotted, with indexes), or "" for the whole document. */
  readonly field: string;
  /** What was wrong and what was done. */
  readonly problem: string;
}

/** How a document is checked: one schema per field, and the fallback of each. */
export interface DocumentSpec<T extends Record<string, unknown>> {
  /** Schemas of the fields; a field without one is dropped. */
  readonly fields: { readonly [K in keyof T]-?: Check<unknown> };
  /** The document a CPE falls back to: factory values of every field. */
  readonly fallback: T;
  /**
   * Fields holding lists whose entries are checked one by one (an entry
   * that fails is dropped; the rest stay), with the entry's schema.
   */
  readonly lists?: { readonly [K in keyof T]?: Check<unknown> };
}

/** Options for {@linkcode loadStateDocument}. */
export interface LoadOptions {
  /** Receives each problem; the document is repaired anyway. */
  readonly onProblem?: (problem: StateProblem) => void;
  /** Leave the file as found (a read-only reader such as `agent status`). */
  readonly readOnly?: boolean;
}

/**
 * Checks a raw document against `spec`; returns the repaired document and
 * the problems. Pure: {@linkcode loadStateDocument} does the I/O.
 *
 * @example
 * ```ts
 * import { v } from "./check.ts";
 * import { checkStateDocument } from "./state_document.ts";
 * const { document, problems } = checkStateDocument("k", { retries: -7 }, {
 *   fields: { retries: v.number().int().min(0) },
 *   fallback: { retries: 0 },
 * });
 * console.log(document.retries, problems[0].field); // 0 "retries"
 * ```
 */
export function checkStateDocument<T extends Record<string, unknown>>(
  key: string,
  raw: unknown,
  spec: DocumentSpec<T>,
): { document: T; problems: StateProblem[] } {
  const problems: StateProblem[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push({
      key,
      field: "",
      problem: "not a JSON object; starting from factory values",
    });
    return { document: spec.fallback, problems };
  }
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(spec.fields) as (keyof T & string)[]) {
    const value = (raw as Record<string, unknown>)[field];
    const listItem = spec.lists?.[field];
    if (listItem && Array.isArray(value)) {
      const kept = [];
      for (const [i, item] of value.entries()) {
        const result = listItem.safeParse(item);
        if (result.ok) kept.push(result.value);
        else {
          problems.push({
            key,
            field: `${field}[${i}]`,
            problem: `${issueText(result.failure)}; entry dropped`,
          });
        }
      }
      out[field] = kept;
      continue;
    }
    const result = spec.fields[field].safeParse(value);
    if (result.ok) {
      if (result.value !== undefined) out[field] = result.value;
    } else {
      problems.push({
        key,
        field,
        problem: `${issueText(result.failure)}; reset to ${
          JSON.stringify(spec.fallback[field]) ?? "nothing"
        }`,
      });
      if (spec.fallback[field] !== undefined) out[field] = spec.fallback[field];
    }
  }
  return { document: out as T, problems };
}

function issueText(failure: CheckFailure): string {
  return failure.message;
}

/**
 * Reads a document from `store` and checks it ({@linkcode checkStateDocument}).
 * Missing: the fallback, silently. Unreadable or with problems: the problems
 * are reported, the file is kept aside under another name (unless
 * `readOnly`), and the repaired document is returned.
 */
export async function loadStateDocument<T extends Record<string, unknown>>(
  store: StateStore,
  key: string,
  spec: DocumentSpec<T>,
  options: LoadOptions = {},
): Promise<T> {
  let raw: unknown;
  try {
    raw = await store.read(key);
  } catch (error) {
    options.onProblem?.({
      key,
      field: "",
      problem: `${(error as Error).message}; starting from factory values`,
    });
    if (!options.readOnly) await store.quarantine?.(key);
    return spec.fallback;
  }
  if (raw === undefined) return spec.fallback;
  const { document, problems } = checkStateDocument(key, raw, spec);
  if (problems.length > 0) {
    for (const problem of problems) options.onProblem?.(problem);
    if (!options.readOnly) {
      await store.quarantine?.(key);
      await store.write(key, document);
    }
  }
  return document;
}

/** An xsd:dateTime as the agent writes it (ISO 8601). */
export const isoDateTime: Check<string> = v.string().refine(
  (s) => !Number.isNaN(Date.parse(s)),
  "not a date and time",
);

/** An event as an Inform carries it (cwmp XSD: EventCode ≤ 64, CommandKey ≤ 32). */
export const eventRecordSchema: Check<
  { eventCode: string; commandKey: string; bootId?: string }
> = v.object({
  eventCode: v.string().min(1).max(64),
  commandKey: v.string().max(32),
  bootId: v.string().max(128).optional(),
});
