/**
 * The configuration of `agent run`: command-line flags and a JSON config
 * file with the same keys, validated (`src/state/check.ts`) so that an error
 * names the field.
 *
 * @module
 */
import { type Infer, v } from "../state/check.ts";

/**
 * Checks an `acs-allow` pattern; returns why it is refused, or undefined.
 * A bare `*` or a wildcard above a registrable domain (`*.net`) would let
 * an ACS send the device anywhere.
 *
 * @example
 * ```ts
 * import { allowPatternProblem } from "./agent_config.ts";
 * console.log(allowPatternProblem("*.example.net:443")); // undefined
 * console.log(allowPatternProblem("*.net") !== undefined); // true
 * ```
 */
export function allowPatternProblem(pattern: string): string | undefined {
  const match =
    /^(\*\.)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?::(\d{1,5}))?$/i
      .exec(pattern);
  if (!match) {
    return "must be host, host:port, *.domain or *.domain:port";
  }
  const [, wildcard, host, port] = match;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return `port ${port} is out of range`;
  }
  if (wildcard && !host.includes(".")) {
    return `*.${host} would allow every host under a top-level domain`;
  }
  return undefined;
}

const port = v.number().int().min(0).max(65535);

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") &&
      url.hostname !== "";
  } catch {
    return false;
  }
}

/** The configuration schema; keys are the flag names without dashes. */
export const ConfigSchema = v.object({
  "acs-url": v.string().refine(isHttpUrl, "must be an http or https URL")
    .optional(),
  "acs-username": v.string().max(256).optional(),
  "acs-password": v.string().max(256).optional(),
  "acs-allow": v.array(
    v.string().verify(allowPatternProblem),
  ).max(64).optional(),
  "file-servers": v.array(
    v.string().verify(allowPatternProblem),
  ).max(64).optional(),
  "transfer-idle-timeout": v.number().int().min(1).max(3600).optional(),
  "upload-files": v.record(
    v.string().regex(
      /^(1 Vendor Configuration File|2 Vendor Log File|3 Vendor Configuration File [1-9]\d*|4 Vendor Log File [1-9]\d*|X [0-9A-F]{6} \S.*)$/,
      "must be an Upload FileType",
    ),
    v.string().min(1).max(4096),
  ).optional(),
  "sim-reboot": v.enum(["continue", "exit"] as const).optional(),
  "local-socket": v.string().min(1).max(100).optional(),
  "local-group": v.number().int().min(0).max(4294967294).optional(),
  "local-apps": v.array(v.object({
    name: v.string().min(1).max(64).regex(
      /^[\w.-]+$/,
      "letters, digits, _ . - only",
    ),
    "token-sha256": v.string().regex(
      /^[0-9a-f]{64}$/,
      "64 lower-case hex digits (sha256sum of the token)",
    ),
    read: v.array(v.string().min(1).max(256)).max(64),
    write: v.array(v.string().min(1).max(256)).max(64),
    subscriber: v.boolean().optional(),
  }, { strict: true })).max(64).optional(),
  "cr-host": v.string().min(1).optional(),
  "cr-port": port.optional(),
  "cr-path": v.string().max(256).regex(
    /^\/[A-Za-z0-9._~\-\/]*$/,
    "must be an absolute URL path",
  ).refine(
    // A client would normalize these away, and then never match the path.
    (path) =>
      !path.split("/").some((segment) => segment === "." || segment === "..") &&
      !path.includes("//"),
    "must not contain `.` or `..` segments or an empty segment",
  ).optional(),
  "udp-cr-host": v.string().min(1).optional(),
  "udp-cr-port": port.optional(),
  "stun-servers": v.array(
    v.string().verify(allowPatternProblem),
  ).max(64).optional(),
  "cr-username": v.string().max(256).optional(),
  "cr-password": v.string().max(256).optional(),
  "cr-cert-file": v.string().optional(),
  "cr-key-file": v.string().optional(),
  "cr-client-ca-file": v.string().optional(),
  "session-max-requests": v.number().int().min(1).max(1_000_000).optional(),
  "session-max-duration": v.number().int().min(1).max(86_400).optional(),
  "cr-rate-burst": v.number().int().min(1).max(10_000).optional(),
  "cr-rate-interval": v.number().min(0.001).max(86_400).optional(),
  "state-dir": v.string().min(1),
  "device": v.string().regex(
    /^(sim(:.+)?|linux)$/,
    "must be sim, sim:SNAPSHOT, sim:tr181 or linux",
  ).default("sim"),
  "serial": v.string().min(1).max(64).optional(),
  "root-data-model-version": v.string().regex(
    /^\d+\.\d+$/,
    "must be MAJOR.MINOR, e.g. 2.19",
  ).optional(),
  "periodic-interval": v.number().int().min(1).optional(),
  "ca-file": v.string().optional(),
  "cert-file": v.string().optional(),
  "key-file": v.string().optional(),
  "log-level": v.enum(["debug", "info", "warn", "error"]).default("info"),
  "log-format": v.enum(["text", "json"]).default("text"),
}, { strict: true });

/** The validated configuration. */
export type AgentConfig = Infer<typeof ConfigSchema>;

/** The flags `agent run` takes, with their help text. */
export const RUN_FLAGS: Readonly<Record<keyof AgentConfig | "config", string>> =
  {
    "config": "JSON file with any of the keys below; flags override it",
    "acs-url": "ACS URL (ManagementServer.URL), http:// or https://",
    "acs-username": "user name towards the ACS (ManagementServer.Username)",
    "acs-password": "password towards the ACS (ManagementServer.Password)",
    "acs-allow":
      "more ACS hosts the ACS may move the device to: host[:port] or *.domain[:port], comma-separated",
    "file-servers":
      "hosts files may be downloaded from and uploaded to: host[:port] or *.domain[:port], comma-separated (default: the ACS hosts)",
    "transfer-idle-timeout":
      "seconds a file transfer may go without a byte before it fails (default 60)",
    "upload-files":
      'files an Upload sends, by FileType: TYPE=PATH, comma-separated (an object in the config), e.g. "2 Vendor Log File=/var/log/messages"',
    "sim-reboot":
      "what a reboot of the simulated device does to the process: continue (default) or exit, as a real device's agent would end (a supervisor starts it again)",
    "local-socket":
      "the local interface's Unix socket (default STATE_DIR/local.sock, when local-apps are named)",
    "local-group": "a group id that may use that socket too (mode 0660)",
    "local-apps":
      "the local interface's applications as JSON: [{name, token-sha256, read, write, subscriber?}]",
    "cr-host":
      "address the connection-request listener binds (default 127.0.0.1)",
    "cr-port": "its port (default 7547; 0 picks a free one)",
    "cr-path": "its path (default: random)",
    "udp-cr-host":
      "address the UDP connection-request port binds (default: cr-host's)",
    "udp-cr-port":
      "UDP connection requests and STUN (TR-069 Annex G) on this port (0 picks a free one); off when not given",
    "stun-servers":
      "STUN servers the ACS may name in STUNServerAddress: host[:port] or *.domain[:port], comma-separated (default: the ACS hosts — the URL's and acs-allow's — on port 3478)",
    "cr-username": "user name the ACS must use for connection requests",
    "cr-password": "password the ACS must use for connection requests",
    "cr-cert-file": "PEM certificate: serve connection requests over HTTPS",
    "cr-key-file": "PEM key of that certificate",
    "cr-client-ca-file":
      "PEM CA: the ACS must present a client certificate from it",
    "session-max-requests":
      "ACS requests one session takes before it ends as failed (default 10000)",
    "session-max-duration":
      "seconds one session may last before it ends as failed (default 1800)",
    "cr-rate-burst":
      "connection requests accepted at once before the limit (default 10)",
    "cr-rate-interval":
      "then one more every this many seconds (default 3); the rest get 503",
    "state-dir": "directory for persistent state (required)",
    "device": "sim, sim:SNAPSHOT or linux (default sim)",
    "serial": "serial number of the simulated device",
    "root-data-model-version":
      "Device.RootDataModelVersion (default: the data model in use)",
    "periodic-interval": "PeriodicInformInterval in seconds",
    "ca-file": "PEM file of CA certificates trusted for the ACS",
    "cert-file": "PEM client certificate for the ACS",
    "key-file": "PEM private key of the client certificate",
    "log-level": "debug, info, warn or error (default info)",
    "log-format": "text or json (default text)",
  };

const NUMERIC = new Set([
  "session-max-requests",
  "session-max-duration",
  "cr-port",
  "udp-cr-port",
  "periodic-interval",
  "cr-rate-burst",
  "cr-rate-interval",
  "transfer-idle-timeout",
  "local-group",
]);

/**
 * Merges a config file's JSON and flag values (flags win) and validates the
 * result.
 *
 * @throws {Error} naming the field and what is wrong.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./agent_config.ts";
 * const config = resolveConfig({}, { "state-dir": "/tmp/s", "cr-port": "0" });
 * console.log(config["cr-port"], config.device); // 0 "sim"
 * ```
 */
export function resolveConfig(
  file: unknown,
  flags: Readonly<Record<string, string | undefined>>,
): AgentConfig {
  if (
    file !== undefined &&
    (typeof file !== "object" || file === null || Array.isArray(file))
  ) {
    throw new Error("config: the file must hold a JSON object");
  }
  const merged: Record<string, unknown> = {
    ...(file as Record<string, unknown> | undefined),
  };
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined || key === "config") continue;
    if (key === "local-apps") {
      try {
        merged[key] = JSON.parse(value);
      } catch {
        throw new Error("local-apps: not JSON");
      }
    } else if (key === "upload-files") {
      merged[key] = Object.fromEntries(
        value.split(",").filter((p) => p.trim()).map((pair) => {
          const at = pair.indexOf("=");
          if (at < 1) {
            throw new Error(
              `upload-files: ${JSON.stringify(pair)} is not TYPE=PATH`,
            );
          }
          return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
        }),
      );
    } else if (
      key === "acs-allow" || key === "file-servers" || key === "stun-servers"
    ) {
      merged[key] = value.split(",").map((p) => p.trim()).filter((p) => p);
    } else if (NUMERIC.has(key)) {
      const decimal = key === "cr-rate-interval";
      if (!(decimal ? /^\d+(\.\d+)?$/ : /^\d+$/).test(value)) {
        throw new Error(
          `config: --${key} must be a ${
            decimal ? "number" : "whole number"
          }, got ${JSON.stringify(value)}`,
        );
      }
      merged[key] = Number(value);
    } else {
      merged[key] = value;
    }
  }
  const result = ConfigSchema.safeParse(merged);
  if (!result.ok) {
    const { path, reason } = result.failure;
    throw new Error(`config: ${path.join(".") || "config"}: ${reason}`);
  }
  const config = result.value;
  if (
    (config["cert-file"] === undefined) !== (config["key-file"] === undefined)
  ) {
    throw new Error("config: cert-file: cert-file and key-file go together");
  }
  return config;
}
