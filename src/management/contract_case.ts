/**
 * What a check of the device-adapter contract is, and how it fails.
 *
 * @module
 */
import type { DeviceAdapter } from "../datamodel/adapter.ts";

/** One check of the contract. */
export interface ContractCase {
  /** What the check asserts, as a sentence. */
  readonly name: string;
  /** Runs the check on an adapter; throws {@linkcode ContractViolation} when it fails. */
  readonly run: (adapter: DeviceAdapter) => Promise<void>;
}

/**
 * A failed contract check, listing every problem found (stubs that are not
 * implemented are named one by one).
 */
export class ContractViolation extends Error {
  /** Each problem found. */
  readonly problems: readonly string[];
  /** Creates the violation. */
  constructor(check: string, problems: readonly string[]) {
    super(
      `${check}:\n  ${problems.slice(0, 50).join("\n  ")}${
        problems.length > 50 ? `\n  … ${problems.length - 50} more` : ""
      }`,
    );
    this.name = "ContractViolation";
    this.problems = problems;
  }
}
