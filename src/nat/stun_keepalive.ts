/**
 * Keeping the NAT binding of the UDP Connection Request port alive (TR-069
 * Annex G.2): a Binding Request from that port every keep-alive period,
 * the public address and port it reveals published, and — when they
 * change — at once another request with BINDING-CHANGE, which the minimum
 * period does not hold back.
 *
 * @module
 */
import type { StunAddress } from "./stun_message.ts";
import type { BindingResult, StunTarget } from "./udp_endpoint.ts";

/** Seconds between keep-alives when STUNMinimumKeepAlivePeriod is 0. */
export const DEFAULT_KEEPALIVE_S = 30;

/** What the keep-alive found: the published authority and NATDetected. */
export interface NatMapping {
  /** `host:port` (an IPv6 host in brackets), as UDPConnectionRequestAddress. */
  readonly address: string;
  /** The mapping differs from the port's own address and port. */
  readonly natDetected: boolean;
}

/** Timers, so tests can drive them (the agent's clock fits). */
export interface KeepAliveTimers {
  /** Runs `fn` after `ms`; returns a handle. */
  setTimeout(fn: () => void, ms: number): number;
  /** Cancels a timer. */
  clearTimeout(handle: number): void;
}

/** What a {@linkcode StunKeepAlive} works with. */
export interface StunKeepAliveOptions {
  /** The port's Binding exchange and its own address. */
  readonly endpoint: {
    bind(
      target: StunTarget,
      options?: { readonly bindingChange?: boolean },
    ): Promise<BindingResult>;
    readonly local: { readonly hostname: string; readonly port: number };
  };
  /** The STUN server now (undefined: none may be used; it waits). */
  readonly target: () => StunTarget | undefined;
  /** STUNMinimumKeepAlivePeriod and STUNMaximumKeepAlivePeriod, in seconds. */
  readonly periods: () => { readonly minS: number; readonly maxS: number };
  /** The host's own addresses: a mapping to one of them is no NAT. */
  readonly localAddresses: () => readonly string[];
  /** A new mapping (or NATDetected) to publish. */
  readonly onMapping: (mapping: NatMapping) => void;
  /** Log lines. */
  readonly log?: (
    level: "info" | "warn",
    msg: string,
    details: Record<string, unknown>,
  ) => void;
  /** The timers (default: the global ones). */
  readonly timers?: KeepAliveTimers;
}

/**
 * `host:port` for an address, IPv6 hosts in brackets (RFC 3986 authority,
 * as UDPConnectionRequestAddress wants it).
 *
 * @example
 * ```ts
 * import { authorityOf } from "./stun_keepalive.ts";
 * console.log(authorityOf({ family: "IPv6", address: "2001:db8:0:0:0:0:0:1", port: 7547 })); // "[2001:db8::1]:7547"
 * ```
 */
export function authorityOf(mapped: StunAddress): string {
  return mapped.family === "IPv6"
    ? `[${canonicalIp(mapped.address)}]:${mapped.port}`
    : `${mapped.address}:${mapped.port}`;
}

/**
 * An address in one spelling: IPv6 compressed as the URL parser writes it
 * (a STUN answer spells every group, the interface list compresses them).
 */
function canonicalIp(address: string): string {
  if (!address.includes(":")) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address;
  }
}

/**
 * The keep-alive period: the minimum when one is set (the binding is kept
 * as fresh as the ACS allows), else {@linkcode DEFAULT_KEEPALIVE_S}, never
 * past a maximum that is set.
 *
 * @example
 * ```ts
 * import { keepAlivePeriodS } from "./stun_keepalive.ts";
 * console.log(keepAlivePeriodS(0, -1), keepAlivePeriodS(60, -1), keepAlivePeriodS(0, 10)); // 30 60 10
 * ```
 */
export function keepAlivePeriodS(minS: number, maxS: number): number {
  const period = minS > 0 ? minS : DEFAULT_KEEPALIVE_S;
  return maxS > 0 ? Math.max(1, Math.min(period, maxS)) : period;
}

/**
 * The keep-alive loop: one exchange at a time, the next one timed.
 *
 * @example
 * ```ts
 * import { StunKeepAlive } from "./stun_keepalive.ts";
 * // const keepAlive = new StunKeepAlive({ endpoint, target, periods, localAddresses, onMapping });
 * // keepAlive.start(); … await keepAlive.stop();
 * ```
 */
export class StunKeepAlive {
  readonly #options: StunKeepAliveOptions;
  readonly #timers: KeepAliveTimers;
  #timer: number | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #published: NatMapping | undefined;
  #lastFailure: string | undefined;

  /** A loop that does nothing until started. */
  constructor(options: StunKeepAliveOptions) {
    this.#options = options;
    this.#timers = options.timers ?? {
      // Deno's timers are numbers; the cast only silences Node's types.
      setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as number,
      clearTimeout: (handle) => clearTimeout(handle),
    };
  }

  /** What was last published. */
  get mapping(): NatMapping | undefined {
    return this.#published;
  }

  /** Starts (or restarts, after a settings change) with an exchange now. */
  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops; an exchange in flight is let finish, its result dropped. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      // One exchange at a time: a timer that fires during one waits for it.
      this.#running = (this.#running ?? Promise.resolve()).then(() =>
        this.#exchange()
      ).catch((error) => {
        // Whatever went wrong, the loop goes on: a thrown callback must
        // neither end the keep-alives nor reach the process.
        this.#failed(String((error as Error)?.message ?? error), undefined);
        this.#schedule(DEFAULT_KEEPALIVE_S * 1000);
      });
    }, ms);
  }

  async #exchange(bindingChange = false): Promise<void> {
    if (this.#stopped) return;
    const { minS, maxS } = this.#options.periods();
    const periodMs = keepAlivePeriodS(minS, maxS) * 1000;
    const target = this.#options.target();
    if (!target) {
      this.#failed("no STUN server may be used", undefined);
      this.#schedule(periodMs);
      return;
    }
    const result = await this.#options.endpoint.bind(
      target,
      bindingChange ? { bindingChange } : {},
    );
    if (this.#stopped) return;
    if (!result.ok) {
      this.#failed(result.reason, target);
      this.#schedule(periodMs);
      return;
    }
    this.#lastFailure = undefined;
    const local = this.#options.endpoint.local;
    const mapping: NatMapping = {
      address: authorityOf(result.mapped),
      natDetected: result.mapped.port !== local.port ||
        !this.#options.localAddresses().map(canonicalIp).includes(
          canonicalIp(result.mapped.address),
        ),
    };
    const before = this.#published;
    if (
      before?.address !== mapping.address ||
      before.natDetected !== mapping.natDetected
    ) {
      this.#published = mapping;
      this.#options.log?.("info", "NAT mapping", {
        udpConnectionRequestAddress: mapping.address,
        natDetected: mapping.natDetected,
        ...(before ? { was: before.address } : {}),
      });
      this.#options.onMapping(mapping);
      // A binding that moved is announced to the server at once, outside
      // the minimum period (TR-111 BINDING-CHANGE).
      if (before && before.address !== mapping.address && !bindingChange) {
        return await this.#exchange(true);
      }
    }
    this.#schedule(periodMs);
  }

  #failed(reason: string, target: StunTarget | undefined): void {
    // Said once per reason, not once per keep-alive.
    if (reason === this.#lastFailure) return;
    this.#lastFailure = reason;
    this.#options.log?.("warn", "STUN binding failed", {
      reason,
      ...(target ? { server: `${target.hostname}:${target.port}` } : {}),
    });
  }
}
