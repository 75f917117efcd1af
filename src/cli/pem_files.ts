/**
 * The certificate and key files of a configuration, checked at start: a
 * garbage `--ca-file` would otherwise surface as an obscure TLS failure at
 * the first session, or as no trust at all.
 *
 * @module
 */
import type { AgentConfig } from "../config/agent_config.ts";

/** One PEM certificate block. */
export const CERTIFICATE_BLOCK: RegExp =
  /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?\r?\n-----END CERTIFICATE-----/g;

/** Which flags name certificates, and which name keys. */
const CERTIFICATE_FLAGS = [
  "ca-file",
  "cert-file",
  "cr-cert-file",
  "cr-client-ca-file",
] as const;
/** The flags that name private keys. */
export const KEY_FLAGS: readonly ["key-file", "cr-key-file"] = [
  "key-file",
  "cr-key-file",
];

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
    // Parsing PEM needs node:crypto: loaded only for a configuration that
    // names such files (its TLS stack loads the same layer anyway).
    const { pemProblem } = await import("./pem_check.ts");
    const problem = pemProblem(flag, text);
    if (problem) problems.push(`--${flag} ${path} ${problem}`);
  }
  return problems;
}
