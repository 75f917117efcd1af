/**
 * The agent's Deno permissions, computed from its configuration and TLS
 * profile: network only to the ACS and its own listener, read only its
 * configuration, certificates, snapshot and state directory, write only the
 * state directory, env only the variables it checks, sys only what the
 * device adapter needs. Nothing else.
 *
 * @module
 */
import { resolvePath as resolve } from "./paths.ts";
import type { AgentConfig } from "../config/agent_config.ts";
import { TRUST_WIDENING_VARIABLES } from "../tls/profile.ts";

/**
 * The V8 flags the agent runs with wherever it is launched (the sandboxed
 * child of `agent run`, the bundle's launcher, compiled binaries): a small
 * young generation and a 64 MB old generation keep its memory flat on a CPE
 * however fast an ACS makes it allocate (and collecting early is faster
 * there, not slower).
 */
export const CPE_V8_FLAGS =
  "--v8-flags=--max-semi-space-size=1,--max-old-space-size=64";

/** A permission set. */
export interface PermissionSet {
  /** Hosts (host:port) the agent may connect to or listen on. */
  readonly net: readonly string[];
  /** Paths it may read. */
  readonly read: readonly string[];
  /** Paths it may write. */
  readonly write: readonly string[];
  /** Environment variables it may read. */
  readonly env: readonly string[];
  /** System information calls. */
  readonly sys: readonly string[];
  /** Unstable APIs it needs (`net`: the UDP port of Annex G), when any. */
  readonly unstable?: readonly string[];
}

// Files under /proc and /sys are not listed: Deno 2.9.6 grants them to no
// permission narrower than all, so the Linux adapter uses Deno's system
// calls instead (LINUX_SYS).
const LINUX_READS = ["/etc/os-release", "/etc/machine-id"];
const LINUX_SYS = [
  "hostname",
  "networkInterfaces",
  "osUptime",
  "systemMemoryInfo",
  "loadavg",
];

/** host:port of a URL, with the scheme's default port. */
export function hostPort(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  return `${u.hostname}:${port}`;
}

/**
 * The permissions a configuration needs.
 *
 * @example
 * ```ts
 * import { computePermissions } from "./permissions.ts";
 * const p = computePermissions({ "state-dir": "/var/lib/cwmp", "acs-url": "https://acs.example.net/cwmp",
 *   device: "sim", "log-level": "info", "log-format": "text" });
 * console.log(p.net); // ["acs.example.net:443", "127.0.0.1:7547"]
 * ```
 */
export function computePermissions(
  config: AgentConfig,
  configFile?: string,
): PermissionSet {
  const net = new Set<string>();
  for (const pattern of acsAllowList(config)) net.add(pattern);
  for (const pattern of fileServerList(config)) net.add(pattern);
  const crPort = config["cr-port"] ?? 7547;
  // Port 0 asks the system for a free port: the listener then needs the host, any port.
  net.add(
    crPort === 0
      ? config["cr-host"] ?? "127.0.0.1"
      : `${config["cr-host"] ?? "127.0.0.1"}:${crPort}`,
  );
  const udpPort = config["udp-cr-port"];
  if (udpPort !== undefined) {
    const host = udpHost(config);
    net.add(udpPort === 0 ? host : `${host}:${udpPort}`);
    for (const pattern of stunServerList(config)) net.add(pattern);
  }
  const stateDir = resolve(config["state-dir"]);
  const read = new Set<string>([stateDir]);
  if (configFile) read.add(resolve(configFile));
  for (
    const key of [
      "ca-file",
      "cert-file",
      "key-file",
      "cr-cert-file",
      "cr-key-file",
      "cr-client-ca-file",
    ] as const
  ) {
    if (config[key]) read.add(resolve(config[key]!));
  }
  for (const path of Object.values(config["upload-files"] ?? {})) {
    read.add(resolve(path));
  }
  const write = new Set<string>([stateDir]);
  // The local interface's socket (Deno counts a Unix socket as network
  // access too): in the state directory unless named elsewhere.
  if ((config["local-apps"] ?? []).length > 0) {
    const socket = resolve(
      config["local-socket"] ?? `${config["state-dir"]}/local.sock`,
    );
    net.add(`unix:${socket}`);
    read.add(socket);
    write.add(socket);
  }
  const sys = new Set<string>();
  if (config.device === "linux") {
    for (const path of LINUX_READS) read.add(path);
    for (const call of LINUX_SYS) sys.add(call);
  } else if (
    config.device.startsWith("sim:") && config.device !== "sim:tr181"
  ) {
    read.add(resolve(config.device.slice(4)));
  }
  if (udpPort !== undefined && ["0.0.0.0", "::"].includes(udpHost(config))) {
    // A port on every address: its own addresses tell NAT from none.
    sys.add("networkInterfaces");
  }
  return {
    net: [...net],
    read: [...read],
    write: [...write],
    env: [...TRUST_WIDENING_VARIABLES, "DENO_TLS_CA_STORE"],
    sys: [...sys],
    ...(udpPort !== undefined ? { unstable: ["net"] } : {}),
  };
}

/** The address the UDP connection-request port binds. */
export function udpHost(config: AgentConfig): string {
  return config["udp-cr-host"] ?? config["cr-host"] ?? "127.0.0.1";
}

/**
 * The STUN servers the agent may send Binding Requests to: the
 * `stun-servers` patterns, or else the ACS hosts (the URL's and the
 * `acs-allow` ones, where the ACS may move the device) on the STUN port —
 * STUNServerAddress empty means the host of whatever URL is current.
 *
 * @example
 * ```ts
 * import { stunServerList } from "./permissions.ts";
 * console.log(stunServerList({ "state-dir": "/s", "acs-url": "https://acs.example.net/", "acs-allow": ["*.example.org:443"],
 *   device: "sim", "log-level": "info", "log-format": "text" }));
 * // ["acs.example.net:3478", "*.example.org:3478"]
 * ```
 */
export function stunServerList(config: AgentConfig): string[] {
  const named = config["stun-servers"];
  if (named && named.length > 0) return [...new Set(named)];
  return [
    ...new Set(
      acsAllowList(config).map((entry) => `${entry.replace(/:\d+$/, "")}:3478`),
    ),
  ];
}

/**
 * The `deno run` flags of a permission set; `--no-prompt` so a missing
 * permission fails instead of asking.
 *
 * @example
 * ```ts
 * import { permissionFlags } from "./permissions.ts";
 * console.log(permissionFlags({ net: ["h:1"], read: ["/s"], write: ["/s"], env: [], sys: [] }));
 * // ["--no-prompt", "--allow-net=h:1", "--allow-read=/s", "--allow-write=/s"]
 * ```
 */
export function permissionFlags(p: PermissionSet): string[] {
  const flag = (name: string, values: readonly string[]) =>
    values.length ? [`--allow-${name}=${values.join(",")}`] : [];
  return [
    "--no-prompt",
    ...(p.unstable ?? []).map((name) => `--unstable-${name}`),
    ...flag("net", p.net),
    ...flag("read", p.read),
    ...flag("write", p.write),
    ...flag("env", p.env),
    ...flag("sys", p.sys),
  ];
}

/**
 * The ACS allow-list of a configuration: the configured ACS's host and port,
 * then every `acs-allow` pattern (for moving the device to another ACS).
 *
 * @example
 * ```ts
 * import { acsAllowList } from "./permissions.ts";
 * console.log(acsAllowList({ "state-dir": "/s", "acs-url": "https://boot.example.net/", "acs-allow": ["*.example.org:443"],
 *   device: "sim", "log-level": "info", "log-format": "text" }));
 * // ["boot.example.net:443", "*.example.org:443"]
 * ```
 */
export function acsAllowList(config: AgentConfig): string[] {
  return [
    ...new Set([
      ...(config["acs-url"] ? [hostPort(config["acs-url"])] : []),
      ...(config["acs-allow"] ?? []),
    ]),
  ];
}

/**
 * The hosts file transfers may use: the `file-servers` patterns, or the ACS
 * hosts when none are named (a transfer from anywhere else is refused
 * before a connection is made).
 *
 * @example
 * ```ts
 * import { fileServerList } from "./permissions.ts";
 * console.log(fileServerList({ "state-dir": "/s", "acs-url": "https://acs.example.net/", "file-servers": ["cdn.example.net:443"],
 *   device: "sim", "log-level": "info", "log-format": "text" }));
 * // ["cdn.example.net:443"]
 * ```
 */
export function fileServerList(config: AgentConfig): string[] {
  const named = config["file-servers"];
  return named && named.length > 0 ? [...new Set(named)] : acsAllowList(config);
}

/**
 * Whether a URL's host is one the agent may talk to (the ACS allow-list).
 * Entries are `host:port`, `host` (any port), `*.domain:port` or
 * `*.domain` — the domain itself and every name under it, as Deno's
 * `--allow-net` reads them, so the sandbox grants exactly the same hosts.
 *
 * @example
 * ```ts
 * import { urlAllowed } from "./permissions.ts";
 * console.log(urlAllowed(["acs.example.net:443"], "https://acs.example.net/x")); // true
 * console.log(urlAllowed(["acs.example.net:443"], "https://evil.example/")); // false
 * console.log(urlAllowed(["*.example.net:443"], "https://prod.acs.example.net/cwmp")); // true
 * ```
 */
export function urlAllowed(allowList: readonly string[], url: string): boolean {
  let target: string;
  try {
    target = hostPort(url);
  } catch {
    return false;
  }
  const colon = target.lastIndexOf(":");
  const host = target.slice(0, colon).toLowerCase();
  const port = target.slice(colon + 1);
  return allowList.some((entry) => {
    const match = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase())!;
    const [, pattern, entryPort] = match;
    if (entryPort !== undefined && entryPort !== port) return false;
    if (pattern.startsWith("*.")) {
      const domain = pattern.slice(2);
      return host === domain || host.endsWith("." + domain);
    }
    return host === pattern;
  });
}
