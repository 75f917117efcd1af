/**
 * UDP Connection Requests and STUN as the agent runs them (TR-069 Annex G):
 * the UDP port open while EnableCWMP says so; UDPConnectionRequestAddress
 * published — the port's own address while STUNEnable is false, the public
 * mapping the keep-alives find while it is true — with NATDetected beside
 * it; the STUN server the ManagementServer parameters name (the ACS URL's
 * host when STUNServerAddress is empty), used only when the configuration
 * allows it.
 *
 * @module
 */
import type { RefusalLog } from "../connreq/refusals.ts";
import type { ManagedDevice } from "../management/managed_device.ts";
import { type NatMapping, StunKeepAlive } from "../nat/stun_keepalive.ts";
import { type StunTarget, UdpEndpoint } from "../nat/udp_endpoint.ts";
import type { Clock } from "./clock.ts";

/** How the UDP port is set up. */
export interface UdpListenerSettings {
  /** Address to bind (a CPE binds its WAN address, or 0.0.0.0). */
  readonly hostname: string;
  /** Port (0 picks a free one). */
  readonly port: number;
  /** Why a STUN server may not be used (not in the allowed list), or undefined. */
  readonly stunServerRefusal?: (hostname: string, port: number) =>
    | string
    | undefined;
  /** Waits between Binding Request transmissions (tests shorten them). */
  readonly retransmitMs?: readonly number[];
  /** Told each new UDPConnectionRequestAddress and NATDetected (for `agent status`). */
  readonly onPublished?: (mapping: NatMapping) => void;
}

/** What the listener needs from the agent. */
export interface UdpListenerParts {
  readonly device: ManagedDevice;
  readonly clock: Clock;
  readonly refusals: RefusalLog;
  readonly rateLimit?: number;
  readonly rateIntervalMs?: number;
  readonly log: (
    level: "info" | "warn" | "error",
    msg: string,
    fields?: Record<string, unknown>,
  ) => void;
  /** An accepted UDP Connection Request. */
  readonly onRequest: () => void;
  /** Values the agent published changed: notification checks them. */
  readonly onPublished: (paths: readonly string[]) => void;
}

/**
 * The port and its keep-alives, on or off.
 *
 * @example
 * ```ts
 * import { UdpConnectionRequestListener } from "./udp_listener.ts";
 * // const udp = new UdpConnectionRequestListener({ hostname: "0.0.0.0", port: 7547 }, parts);
 * // await udp.apply(true); … await udp.stop();
 * ```
 */
export class UdpConnectionRequestListener {
  readonly #settings: UdpListenerSettings;
  readonly #parts: UdpListenerParts;
  #endpoint: UdpEndpoint | undefined;
  #keepAlive: StunKeepAlive | undefined;
  /** The STUN settings the keep-alive runs with, to restart it on a change. */
  #stunKey = "";
  #refusedTarget = "";
  /** When UDPConnectionRequestAddress last went to notification (IGD's limit). */
  #notifiedAt = -Infinity;
  #limitTimer: number | undefined;

  /** A listener that is not running yet. */
  constructor(settings: UdpListenerSettings, parts: UdpListenerParts) {
    this.#settings = settings;
    this.#parts = parts;
  }

  /** Starts or stops the port (EnableCWMP) and STUN (its parameters). */
  async apply(enabled: boolean): Promise<void> {
    if (!enabled) return await this.stop(true);
    if (!this.#endpoint) {
      const device = this.#parts.device;
      try {
        this.#endpoint = UdpEndpoint.start({
          hostname: this.#settings.hostname,
          port: this.#settings.port,
          credentials: () => ({
            username: device.managementServer("ConnectionRequestUsername"),
            password: device.managementServer("ConnectionRequestPassword"),
          }),
          onRequest: () => {
            this.#parts.log("info", "UDP connection request accepted");
            this.#parts.onRequest();
          },
          refusals: this.#parts.refusals,
          log: (msg, details) => this.#parts.log("warn", msg, details),
          now: () => this.#parts.clock.now(),
          ...(this.#parts.rateLimit !== undefined
            ? { rateLimit: this.#parts.rateLimit }
            : {}),
          ...(this.#parts.rateIntervalMs !== undefined
            ? { rateIntervalMs: this.#parts.rateIntervalMs }
            : {}),
          ...(this.#settings.retransmitMs
            ? { retransmitMs: this.#settings.retransmitMs }
            : {}),
        });
      } catch (error) {
        this.#parts.log(
          "error",
          "the UDP connection-request port cannot open",
          {
            port: this.#settings.port,
            error: String((error as Error)?.message ?? error),
          },
        );
        return;
      }
      this.#parts.log("info", "UDP connection-request port open", {
        port: this.#endpoint.local.port,
      });
      // Until STUN finds the public mapping, the port's own address.
      this.#publish({
        address: ownAddress(this.#endpoint),
        natDetected: false,
      });
    }
    this.#applyStun(this.#endpoint);
  }

  /** Closes the port and ends the keep-alives (publishing nothing when `unpublish`). */
  async stop(unpublish = false): Promise<void> {
    const endpoint = this.#endpoint;
    this.#endpoint = undefined;
    // No new exchange from here; closing the port ends the one in flight
    // (it would otherwise retransmit for up to 9.5 s), then the loop is done.
    const keepAliveStopped = this.#keepAlive?.stop();
    this.#keepAlive = undefined;
    this.#stunKey = "";
    if (this.#limitTimer !== undefined) {
      this.#parts.clock.clearTimeout(this.#limitTimer);
      this.#limitTimer = undefined;
    }
    await endpoint?.stop();
    await keepAliveStopped;
    if (endpoint && unpublish) {
      this.#publish({ address: "", natDetected: false });
    }
  }

  #applyStun(endpoint: UdpEndpoint): void {
    const ms = (name: string) => this.#parts.device.managementServer(name);
    const enabled = ms("STUNEnable") === "true";
    const key = enabled
      ? [
        "STUNServerAddress",
        "STUNServerPort",
        "STUNUsername",
        "STUNPassword",
        "STUNMinimumKeepAlivePeriod",
        "STUNMaximumKeepAlivePeriod",
        "URL",
      ].map(ms).join("\n")
      : "";
    if (key === this.#stunKey && (enabled ? this.#keepAlive : true)) return;
    this.#stunKey = key;
    // Not awaited: an exchange in flight may retransmit for seconds, and a
    // stopped keep-alive drops its result whenever it comes.
    void this.#keepAlive?.stop();
    this.#keepAlive = undefined;
    if (!enabled) {
      // STUN off: the port's own address, and no NAT by definition.
      this.#publish({ address: ownAddress(endpoint), natDetected: false });
      return;
    }
    this.#keepAlive = new StunKeepAlive({
      endpoint,
      target: () => this.#target(),
      periods: () => ({
        minS: Number(ms("STUNMinimumKeepAlivePeriod")),
        maxS: Number(ms("STUNMaximumKeepAlivePeriod")),
      }),
      localAddresses: () => localAddresses(endpoint.local.hostname),
      onMapping: (mapping) => this.#publish(mapping),
      log: (level, msg, details) => this.#parts.log(level, msg, details),
      timers: this.#parts.clock,
    });
    this.#keepAlive.start();
  }

  /** The STUN server the parameters name, if the configuration allows it. */
  #target(): StunTarget | undefined {
    const ms = (name: string) => this.#parts.device.managementServer(name);
    let hostname = ms("STUNServerAddress");
    if (hostname === "") {
      try {
        hostname = new URL(ms("URL")).hostname;
      } catch {
        return undefined;
      }
    }
    hostname = hostname.replace(/^\[(.*)\]$/, "$1");
    const port = Number(ms("STUNServerPort"));
    const refusal = this.#settings.stunServerRefusal?.(hostname, port);
    if (refusal) {
      // Said once per address, not at every keep-alive.
      if (this.#refusedTarget !== `${hostname}:${port}`) {
        this.#refusedTarget = `${hostname}:${port}`;
        this.#parts.log("warn", "STUN server refused", {
          server: `${hostname}:${port}`,
          reason: refusal,
        });
      }
      return undefined;
    }
    const username = ms("STUNUsername");
    return {
      hostname,
      port,
      ...(username !== ""
        ? { credentials: { username, password: ms("STUNPassword") } }
        : {}),
    };
  }

  #publish(mapping: NatMapping): void {
    const device = this.#parts.device;
    const changed: string[] = [];
    const prefix = `${device.root}.ManagementServer.`;
    for (
      const [name, value] of [
        ["UDPConnectionRequestAddress", mapping.address],
        ["NATDetected", String(mapping.natDetected)],
      ] as const
    ) {
      if (device.managementServer(name) === value) continue;
      device.publish(name, value);
      changed.push(prefix + name);
    }
    if (changed.length === 0) return;
    this.#settings.onPublished?.(mapping);
    this.#notify(changed, prefix + "UDPConnectionRequestAddress");
  }

  /**
   * Hands changed paths to notification; the address no sooner than
   * UDPConnectionRequestAddressNotificationLimit seconds after its last one
   * (TR-098; absent, so 0, under Device:2). Its value is current at once:
   * only the notification waits, and carries the value of its time.
   */
  #notify(changed: readonly string[], addressPath: string): void {
    const clock = this.#parts.clock;
    const limitS = Number(
      this.#parts.device.managementServer(
        "UDPConnectionRequestAddressNotificationLimit",
      ) || 0,
    );
    if (!changed.includes(addressPath) || limitS <= 0) {
      this.#parts.onPublished(changed);
      return;
    }
    const due = this.#notifiedAt + limitS * 1000;
    if (clock.now() >= due) {
      this.#notifiedAt = clock.now();
      this.#parts.onPublished(changed);
      return;
    }
    const others = changed.filter((p) => p !== addressPath);
    if (others.length > 0) this.#parts.onPublished(others);
    this.#limitTimer ??= clock.setTimeout(() => {
      this.#limitTimer = undefined;
      this.#notifiedAt = clock.now();
      this.#parts.onPublished([addressPath]);
    }, due - clock.now());
  }
}

/** The host's addresses (a mapping to one of them means no NAT). */
function localAddresses(bound: string): string[] {
  if (bound !== "0.0.0.0" && bound !== "::") return [bound];
  try {
    return Deno.networkInterfaces().map((i) => i.address);
  } catch {
    // No permission to list them: the bound address is all that is known.
    return [bound];
  }
}

/** UDPConnectionRequestAddress for the port itself. */
function ownAddress(endpoint: UdpEndpoint): string {
  return `${localAddress(endpoint.local.hostname)}:${endpoint.local.port}`;
}

/** The address to publish for a port bound to `bound`. */
function localAddress(bound: string): string {
  if (bound !== "0.0.0.0" && bound !== "::") {
    return bound.includes(":") ? `[${bound}]` : bound;
  }
  const wan = localAddresses(bound).find((a) =>
    /^\d+\.\d+\.\d+\.\d+$/.test(a) && !a.startsWith("127.")
  );
  return wan ?? "127.0.0.1";
}
