/**
 * What one ACS request may make the CPE do or hold. Each is far above what a
 * real ACS asks for; past one the request is refused with fault 9004
 * (Resources exceeded) rather than answered at any cost.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";

/** Bounds on the work and the answer of one request. */
export const RPC_LIMITS = {
  /** Entries in one GetParameterValues/Names/Attributes response. */
  maxResponseEntries: 100_000,
  /** Bytes of names and values one response may carry (before XML markup). */
  maxResponseBytes: 16 * 1024 * 1024,
  /** SetParameterValuesFault entries reported for one request; the fault string counts the rest. */
  maxParameterFaults: 256,
  /** ScheduleInforms pending at once. */
  maxScheduledInforms: 64,
  /** Instances AddObject creates in a table whose data model sets no MaxEntries. */
  maxInstancesPerTable: 4096,
} as const;

/**
 * Counts the entries and bytes of a response being built and throws 9004
 * as soon as either passes its limit, before the rest is computed.
 *
 * @example
 * ```ts
 * import { ResponseBudget } from "./limits.ts";
 * const budget = new ResponseBudget("GetParameterValues");
 * budget.add("Device.DeviceInfo.SerialNumber".length);
 * ```
 */
export class ResponseBudget {
  readonly #method: string;
  #entries = 0;
  #bytes = 0;

  /** A budget for one response of `method`. */
  constructor(method: string) {
    this.#method = method;
  }

  /** Counts one entry of `bytes`; 9004 past a limit. */
  add(bytes: number): void {
    this.#entries++;
    this.#bytes += bytes;
    if (this.#entries > RPC_LIMITS.maxResponseEntries) {
      throw new CwmpFault(
        9004,
        `The ${this.#method} answer would hold more than ${RPC_LIMITS.maxResponseEntries} entries; ask for less at a time`,
      );
    }
    if (this.#bytes > RPC_LIMITS.maxResponseBytes) {
      throw new CwmpFault(
        9004,
        `The ${this.#method} answer would be larger than ${RPC_LIMITS.maxResponseBytes} bytes; ask for less at a time`,
      );
    }
  }
}
