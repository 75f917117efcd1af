/**
 * TLS profiles, fixed at build time (`deno task profile` writes
 * `src/tls/build_profile.ts`). Runtime configuration may narrow a profile,
 * never widen it:
 *
 * - `strict`: https only; only the CAs embedded in the profile are trusted
 *   (and the process runs with an empty root store, `DENO_TLS_CA_STORE=""`);
 *   a client certificate is required; the agent refuses to start when any
 *   variable that widens trust or leaks session keys is set.
 * - `standard`: https only; the embedded CAs plus a configured CA file; a
 *   client certificate is optional.
 * - `lab`: plain http allowed, for demos and tests, with a loud warning.
 *
 * Any profile may carry pins (some certificate of the ACS's chain must match
 * one) and a minimum TLS version of 1.3. Trust is exactly the named CAs
 * (embedded plus configured) when there is at least one; with none (standard
 * or lab without any CA) it is Deno's root store, and then pins and the TLS
 * version cannot be enforced, so such a configuration is refused at start.
 *
 * The agent never falls back to plain http or to unverified TLS: a TLS
 * failure fails the session with its reason and the retry schedule applies.
 *
 * @module
 */
import { parsePin, type Pin } from "./pins.ts";

/** A profile's name. */
export type TlsProfileName = "strict" | "standard" | "lab";

/** A TLS profile. */
export interface TlsProfile {
  /** Which profile. */
  readonly name: TlsProfileName;
  /** PEM CA certificates embedded at build time. */
  readonly caCerts: readonly string[];
  /** The ACS must see a client certificate (strict). */
  readonly clientCertRequired: boolean;
  /** Pins (`sha256/BASE64` public key, or hex certificate fingerprint); none: no pinning. */
  readonly pins?: readonly string[];
  /** Lowest TLS version accepted; default "1.2". */
  readonly minTlsVersion?: "1.2" | "1.3";
}

/**
 * Environment variables that widen TLS trust or write session secrets,
 * whatever the permissions: each would undo a strict profile.
 */
export const TRUST_WIDENING_VARIABLES: readonly string[] = [
  "DENO_CERT",
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_TLS_REJECT_UNAUTHORIZED",
  "SSLKEYLOGFILE",
];

/**
 * Why a profile refuses to run in this environment: one message per
 * offending variable (empty when all is well). `strict` and `standard`
 * refuse every variable that widens trust or logs session keys — with no
 * named CA, `standard` trusts Deno's root store, which `DENO_CERT` or
 * `DENO_TLS_CA_STORE=system` would extend — and `strict` also wants the
 * root store emptied. `lab` refuses nothing; see
 * {@linkcode environmentWarnings}.
 *
 * @example
 * ```ts
 * import { environmentProblems } from "./profile.ts";
 * const strict = { name: "strict" as const, caCerts: ["PEM"], clientCertRequired: true };
 * console.log(environmentProblems(strict, { SSLKEYLOGFILE: "/tmp/keys", DENO_TLS_CA_STORE: "" }));
 * // ["SSLKEYLOGFILE is set: the strict TLS profile refuses to start with it"]
 * ```
 */
export function environmentProblems(
  profile: TlsProfile,
  env: Readonly<Record<string, string>>,
): string[] {
  if (profile.name === "lab") return [];
  const problems = TRUST_WIDENING_VARIABLES.filter((name) =>
    env[name] !== undefined
  )
    .map((name) =>
      `${name} is set: the ${profile.name} TLS profile refuses to start with it`
    );
  if (profile.name === "strict" && env.DENO_TLS_CA_STORE !== "") {
    problems.push(
      `DENO_TLS_CA_STORE must be set to an empty string: the strict TLS profile trusts only its embedded CAs`,
    );
  }
  if (
    profile.name === "standard" &&
    (env.DENO_TLS_CA_STORE ?? "").split(",").some((store) =>
      store.trim() !== "" && store.trim() !== "mozilla"
    )
  ) {
    problems.push(
      `DENO_TLS_CA_STORE is "${env.DENO_TLS_CA_STORE}": the standard TLS profile trusts its CAs or Deno's root store only; unset it`,
    );
  }
  return problems;
}

/**
 * What the `lab` profile lets through but says out loud: one message per
 * variable that widens trust or logs session keys.
 *
 * @example
 * ```ts
 * import { environmentWarnings } from "./profile.ts";
 * const lab = { name: "lab" as const, caCerts: [], clientCertRequired: false };
 * console.log(environmentWarnings(lab, { DENO_CERT: "/tmp/ca.pem" }).length); // 1
 * ```
 */
export function environmentWarnings(
  profile: TlsProfile,
  env: Readonly<Record<string, string>>,
): string[] {
  if (profile.name !== "lab") return [];
  return [...TRUST_WIDENING_VARIABLES, "DENO_TLS_CA_STORE"].filter((name) =>
    env[name] !== undefined
  ).map((name) =>
    `${name} is set: the lab TLS profile lets it change whom the agent trusts`
  );
}

/** TLS settings derived from a profile and the runtime configuration. */
export interface TlsSettings {
  /** CA certificates to trust: exactly these; none means Deno's root store. */
  readonly caCerts: readonly string[];
  /** Parsed pins (empty: no pinning). */
  readonly pins: readonly Pin[];
  /** Lowest TLS version. */
  readonly minTlsVersion: "TLSv1.2" | "TLSv1.3";
  /** Client certificate chain. */
  readonly cert?: string;
  /** Client key. */
  readonly key?: string;
}

/** A configuration the profile does not allow. */
export class TlsProfileError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "TlsProfileError";
  }
}

/**
 * Checks the configuration against the profile and returns the TLS
 * settings. The profile decides; configuration can only narrow:
 *
 * - `strict` and `standard` refuse an http ACS URL; `lab` accepts it.
 * - `strict` refuses a configured CA file (only embedded CAs are trusted)
 *   and requires a client certificate.
 * - pins or TLS 1.3-only need at least one named CA (embedded or configured).
 *
 * @throws {TlsProfileError} naming the setting that is not allowed.
 *
 * @example
 * ```ts
 * import { tlsSettings } from "./profile.ts";
 * const lab = { name: "lab" as const, caCerts: [], clientCertRequired: false };
 * console.log(tlsSettings(lab, { acsUrl: "http://127.0.0.1:7547/" }).caCerts.length); // 0
 * ```
 */
export function tlsSettings(
  profile: TlsProfile,
  config: { acsUrl?: string; caFile?: string; cert?: string; key?: string },
): TlsSettings {
  if (
    config.acsUrl !== undefined && profile.name !== "lab" &&
    !config.acsUrl.startsWith("https://")
  ) {
    throw new TlsProfileError(
      `acs-url: the ${profile.name} TLS profile accepts https URLs only`,
    );
  }
  if (profile.name === "strict" && config.caFile !== undefined) {
    throw new TlsProfileError(
      "ca-file: the strict TLS profile trusts only the CAs embedded at build time",
    );
  }
  if (
    profile.clientCertRequired &&
    (config.cert === undefined || config.key === undefined)
  ) {
    throw new TlsProfileError(
      `cert-file: the ${profile.name} TLS profile requires a client certificate and key`,
    );
  }
  const caCerts = [
    ...profile.caCerts,
    ...(config.caFile !== undefined ? [config.caFile] : []),
  ];
  let pins: Pin[];
  try {
    pins = (profile.pins ?? []).map(parsePin);
  } catch (error) {
    throw new TlsProfileError(`profile: ${(error as Error).message}`);
  }
  const minTlsVersion = profile.minTlsVersion === "1.3" ? "TLSv1.3" : "TLSv1.2";
  if (
    caCerts.length === 0 && (pins.length > 0 || minTlsVersion === "TLSv1.3")
  ) {
    throw new TlsProfileError(
      `ca-file: the ${profile.name} TLS profile pins the ACS or requires TLS 1.3, which needs at least one named CA certificate`,
    );
  }
  return {
    caCerts,
    pins,
    minTlsVersion,
    ...(config.cert !== undefined && config.key !== undefined
      ? { cert: config.cert, key: config.key }
      : {}),
  };
}

/**
 * Whether a URL the ACS redirects to is acceptable under the profile.
 *
 * @example
 * ```ts
 * import { redirectAllowed } from "./profile.ts";
 * console.log(redirectAllowed({ name: "strict", caCerts: [], clientCertRequired: true }, new URL("http://x/"))); // false
 * ```
 */
export function redirectAllowed(profile: TlsProfile, url: URL): boolean {
  return profile.name === "lab" || url.protocol === "https:";
}
