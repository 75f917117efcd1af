/**
 * The environment of the sandboxed child `agent run` starts: nothing of the
 * launcher's environment but what Deno needs to find its cache, so that no
 * variable can change whom the agent trusts or where its traffic goes (Deno
 * honours `HTTPS_PROXY`, `DENO_CERT` and more whatever the permissions).
 * The TLS variables are handled by profile: `standard` leaves them behind
 * (the launcher names them), `strict` passes them so that the child refuses
 * to start naming them, and empties the root store; `lab` passes them and
 * the child warns.
 *
 * @module
 */
import { type TlsProfile, TRUST_WIDENING_VARIABLES } from "../tls/profile.ts";

/** Passed on when set: where Deno keeps its module cache. Nothing here touches TLS. */
export const CHILD_ENV_PASSED: readonly string[] = [
  "DENO_DIR",
  "HOME",
  "XDG_CACHE_HOME",
];

/** The child's environment and the TLS variables left behind. */
export interface ChildEnvironment {
  /** Exactly the child's environment (it is started with a cleared one). */
  readonly env: Record<string, string>;
  /** TLS variables set here that the child does not get. */
  readonly dropped: readonly string[];
}

/**
 * The environment for the child under `profile`; `read` returns a
 * variable's value, or undefined when it is unset or cannot be read.
 *
 * @example
 * ```ts
 * import { childEnvironment } from "./child_env.ts";
 * const standard = { name: "standard" as const, caCerts: [], clientCertRequired: false };
 * const parent: Record<string, string> = { HOME: "/root", DENO_CERT: "/tmp/ca.pem" };
 * console.log(childEnvironment(standard, (name) => parent[name]));
 * // { env: { HOME: "/root" }, dropped: ["DENO_CERT"] }
 * ```
 */
export function childEnvironment(
  profile: TlsProfile,
  read: (name: string) => string | undefined,
): ChildEnvironment {
  const env: Record<string, string> = {};
  for (const name of CHILD_ENV_PASSED) {
    const value = read(name);
    if (value !== undefined) env[name] = value;
  }
  const dropped: string[] = [];
  for (const name of [...TRUST_WIDENING_VARIABLES, "DENO_TLS_CA_STORE"]) {
    // Strict sets its own (empty) root store below.
    if (profile.name === "strict" && name === "DENO_TLS_CA_STORE") continue;
    const value = read(name);
    if (value === undefined) continue;
    if (profile.name === "standard") dropped.push(name);
    else env[name] = value;
  }
  if (profile.name === "strict") env.DENO_TLS_CA_STORE = "";
  return { env, dropped };
}

/** `Deno.env.get` that answers undefined where it may not look. */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
