/**
 * Access to the Broadband Forum schemas in ../shared/bbf and the
 * "Validating a message" recipe of its README: xmllint with the offline
 * catalog, plus the check that every Header/Body child is in a namespace a
 * schema covers (lax content in other namespaces would pass unchecked).
 */
import {
  validateEnvelopes as validate,
  type Validation,
} from "../../src/acs/xsd.ts";
import { fileURLToPath } from "node:url";

/** ../shared/bbf next to the repository, or CWMP_BBF_DIR. */
export const BBF_DIR: string = Deno.env.get("CWMP_BBF_DIR") ??
  fileURLToPath(new URL("../../../shared/bbf", import.meta.url));

/**
 * Why schema validation cannot run here (no xmllint, no ../shared/bbf), or
 * undefined when it can. On a machine with only Node.js the XSD tests are
 * skipped with this reason printed; under CI (CI set) they run and fail
 * instead, since .ci/run installs xmllint.
 */
export function xsdUnavailable(): string | undefined {
  try {
    Deno.statSync(`${BBF_DIR}/validate/cwmp-envelope.xsd`);
  } catch {
    return `the Broadband Forum schemas are not at ${BBF_DIR} (set CWMP_BBF_DIR)`;
  }
  try {
    new Deno.Command("xmllint", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
  } catch {
    return "xmllint is not installed (Debian: apt-get install libxml2-utils)";
  }
  return undefined;
}

/** Options for Deno.test that skip, with the reason printed, when validation cannot run. */
export function xsdTestOptions(): { ignore: boolean } {
  const reason = xsdUnavailable();
  const skip = reason !== undefined && !Deno.env.get("CI");
  if (skip) console.warn(`XSD validation tests skipped: ${reason}`);
  return { ignore: skip };
}

export type { Validation };

/** Validates envelopes against the schemas in {@linkcode BBF_DIR}. */
export function validateEnvelopes(
  messages: ReadonlyMap<string, string>,
): Promise<Map<string, Validation>> {
  return validate(messages, BBF_DIR);
}
