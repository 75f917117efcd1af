/**
 * The agent-owned parameter values as stored: read back and checked before
 * they are trusted (digest §14: what a reboot keeps is validated when read).
 *
 * @module
 */
import { checkValue } from "../datamodel/types.ts";
import type { StateStore } from "../state/store.ts";
import type { StateProblem } from "../state/state_document.ts";
import {
  AGENT_PARAMETERS_KEY,
  type AgentParameterDefinition,
  PUBLISHED_PARAMETERS,
} from "./management_server_parameters.ts";

/** What the check needs besides the table. */
export interface StoredValuesOptions {
  /** Checks a stored ManagementServer.URL as a new one would be. */
  readonly validateUrl?: (url: string) => string | undefined;
  /** Receives each problem found, which is repaired anyway. */
  readonly onStateProblem?: (problem: StateProblem) => void;
}

/**
 * The stored agent-owned values, each checked as SetParameterValues would
 * (type, range, the URL policy). A value that fails — a retry minimum of -7,
 * an interval of "banana" — takes its factory value and is reported; a file
 * that cannot be read at all is kept aside and factory values apply.
 *
 * @example
 * ```ts
 * import { readStoredValues } from "./stored_values.ts";
 * import { MANAGEMENT_SERVER_PARAMETERS } from "./management_server_parameters.ts";
 * import { MemoryStateStore } from "../state/store.ts";
 * console.log(await readStoredValues(new MemoryStateStore(), "Device", MANAGEMENT_SERVER_PARAMETERS, {})); // {}
 * ```
 */
export async function readStoredValues(
  store: StateStore,
  root: string,
  table: Readonly<Record<string, AgentParameterDefinition>>,
  options: StoredValuesOptions,
): Promise<Record<string, string>> {
  const report = (field: string, problem: string) =>
    options.onStateProblem?.({ key: AGENT_PARAMETERS_KEY, field, problem });
  let saved: unknown;
  try {
    saved = await store.read(AGENT_PARAMETERS_KEY);
  } catch (error) {
    report("", `${(error as Error).message}; factory values apply`);
    await store.quarantine?.(AGENT_PARAMETERS_KEY);
    return {};
  }
  if (saved === undefined) return {};
  const values = (saved as { values?: unknown })?.values;
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    report("values", "not an object of parameter values; factory values apply");
    await store.quarantine?.(AGENT_PARAMETERS_KEY);
    return {};
  }
  const prefix = `${root}.ManagementServer.`;
  const out: Record<string, string> = {};
  let repaired = false;
  for (const [path, value] of Object.entries(values)) {
    const name = path.slice(prefix.length);
    const definition = path.startsWith(prefix) ? table[name] : undefined;
    if (!definition || PUBLISHED_PARAMETERS.has(name)) continue;
    const checked = typeof value === "string"
      ? checkValue(definition.type, value)
      : undefined;
    const refusal = checked?.value !== undefined && path === prefix + "URL" &&
        checked.value !== ""
      ? options.validateUrl?.(checked.value)
      : undefined;
    if (checked && !checked.problem && !refusal) {
      out[path] = checked.value!;
    } else {
      repaired = true;
      report(
        `values.${path}`,
        `${
          refusal ?? checked?.problem?.reason ?? "not a string"
        }; the factory value applies`,
      );
    }
  }
  if (repaired) {
    await store.quarantine?.(AGENT_PARAMETERS_KEY);
    await store.write(AGENT_PARAMETERS_KEY, { values: out });
  }
  return out;
}
