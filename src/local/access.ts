/**
 * Who may use the local interface, and for what: each application is named
 * in the configuration with the SHA-256 of its bearer token (the token
 * itself is never stored) and the path prefixes it may read and write. An
 * application acting for the subscriber (a web UI) is also bound by the
 * ACS's AccessList attribute: it writes only parameters whose AccessList
 * holds `Subscriber`.
 *
 * @module
 */
import { constantTimeEqual } from "../transport/digest.ts";

/** An application of the local interface. */
export interface LocalApp {
  /** Its name, in log lines and in what the device adapter is told. */
  readonly name: string;
  /** SHA-256 of its bearer token, 64 lower-case hex digits. */
  readonly tokenSha256: string;
  /** Path prefixes it may read (`Device.WiFi.`; `Device.` is everything). */
  readonly read: readonly string[];
  /** Path prefixes it may write. */
  readonly write: readonly string[];
  /** It acts for the subscriber: the AccessList attribute binds it too. */
  readonly subscriber?: boolean;
}

/**
 * The SHA-256 of a token, as the configuration holds it.
 *
 * @example
 * ```ts
 * import { tokenSha256 } from "./access.ts";
 * console.log((await tokenSha256("secret")).length); // 64
 * ```
 */
export async function tokenSha256(token: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(token),
  );
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * The application an `Authorization: Bearer …` header names, or undefined.
 * Every configured hash is compared, each in constant time, so neither the
 * answer's time nor its order tells which application came close.
 */
export async function appForAuthorization(
  apps: readonly LocalApp[],
  header: string | null,
): Promise<LocalApp | undefined> {
  const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header ?? "");
  if (!match) return undefined;
  const hash = await tokenSha256(match[1]);
  let found: LocalApp | undefined;
  for (const app of apps) {
    if (constantTimeEqual(hash, app.tokenSha256) && !found) found = app;
  }
  return found;
}

/**
 * Whether `path` (a parameter, or a partial path ending in ".") lies
 * under one of `prefixes`.
 *
 * @example
 * ```ts
 * import { underPrefixes } from "./access.ts";
 * console.log(underPrefixes(["Device.WiFi."], "Device.WiFi.SSID.1.SSID")); // true
 * console.log(underPrefixes(["Device.WiFi."], "Device.")); // false
 * ```
 */
export function underPrefixes(
  prefixes: readonly string[],
  path: string,
): boolean {
  return prefixes.some((prefix) =>
    prefix.endsWith(".") ? path.startsWith(prefix) : path === prefix
  );
}
