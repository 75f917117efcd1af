/**
 * Whether PEM text holds what a flag needs: certificates that parse, or a
 * private key that does. It uses node:crypto's parsers, so
 * `pem_files.ts` loads it only when the configuration names such a file.
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { CERTIFICATE_BLOCK, KEY_FLAGS } from "./pem_files.ts";

/**
 * Why the PEM `text` of `flag` cannot serve: no certificate, one that does
 * not parse, or a key that does not; undefined when it is fine.
 *
 * @example
 * ```ts
 * import { pemProblem } from "./pem_check.ts";
 * console.log(pemProblem("ca-file", "hello")); // "contains no PEM certificate"
 * ```
 */
export function pemProblem(flag: string, text: string): string | undefined {
  if ((KEY_FLAGS as readonly string[]).includes(flag)) {
    try {
      createPrivateKey(text);
      return undefined;
    } catch (error) {
      return `is not a PEM private key (${(error as Error).message})`;
    }
  }
  const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) return "contains no PEM certificate";
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return `certificate ${index + 1} does not parse (${
        (error as Error).message
      })`;
    }
  }
  return undefined;
}
