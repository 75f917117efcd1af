/**
 * The certificate and key files of a configuration, checked at start: a
 * garbage `--ca-file` would otherwise surface as an obscure TLS failure at
 * the first session, or as no trust at all.
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { AgentConfig } from "../config/agent_config.ts";

const CERTIFICATE_BLOCK =
  /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?\r?\n-----END CERTIFICATE-----/g;

/** Which flags name certificates, and which name keys. */
const CERTIFICATE_FLAGS = [
  "ca-file",
  "cert-file",
  "cr-cert-file",
  "cr-client-ca-file",
] as const;
const KEY_FLAGS = ["key-file", "cr-key-file"] as const;

/**
 * Why the PEM `text` of `flag` cannot serve: no certificate, one that does
 * not parse, or a key that does not; undefined when it is fine.
 *
 * @example
 * ```ts
 * import { pemProblem } from "./pem_files.ts";
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

/**
 * Reads every certificate and key file the configuration names and
 * returns one message per bad one (flag and file named).
 */
export async function pemFileProblems(
  config: AgentConfig,
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const flag of [...CERTIFICATE_FLAGS, ...KEY_FLAGS]) {
    const path = config[flag];
    if (path === undefined) continue;
    let text: string;
    try {
      text = new TextDecoder().decode(await readFile(path));
    } catch (error) {
      problems.push(`--${flag} ${path}: ${(error as Error).message}`);
      continue;
    }
    const problem = pemProblem(flag, text);
    if (problem) problems.push(`--${flag} ${path} ${problem}`);
  }
  return problems;
}
