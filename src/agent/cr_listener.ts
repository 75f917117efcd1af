/**
 * The connection-request listeners as the agent runs them: the HTTP one
 * started while HTTPConnectionRequestEnable and EnableCWMP say so, stopped
 * otherwise, its URL published as ManagementServer.ConnectionRequestURL only
 * while it runs; the UDP port of Annex G, when the agent has one, beside it
 * (`udp_listener.ts`); one count of refusals for both across restarts.
 *
 * @module
 */
import {
  type ConnectionRequestOptions,
  type ConnectionRequestServer,
  startConnectionRequestServer,
} from "../connreq/server.ts";
import { RefusalLog } from "../connreq/refusals.ts";
import type { ManagedDevice } from "../management/managed_device.ts";
import type { Clock } from "./clock.ts";
import type {
  UdpConnectionRequestListener,
  UdpListenerSettings,
} from "./udp_listener.ts";

/** How the listener is set up (credentials and the callback come from the agent). */
export type ListenerSettings = Omit<
  ConnectionRequestOptions,
  "credentials" | "onRequest" | "now" | "log"
>;

/** What the listener needs from the agent. */
export interface ListenerParts {
  readonly device: ManagedDevice;
  readonly clock: Clock;
  readonly log: (
    level: "info" | "warn" | "error",
    msg: string,
    fields?: Record<string, unknown>,
  ) => void;
  /** An authenticated connection request came in (answered already). */
  readonly onRequest: () => void;
  /** The published URL changed: its notification baseline moves with it. */
  readonly onUrl: (path: string, url: string) => void;
  /** The UDP port, if the agent has one. */
  readonly udp?: UdpListenerSettings | undefined;
  /** Values the UDP side published changed (its address, NATDetected). */
  readonly onPublished?: (paths: readonly string[]) => void;
}

/**
 * The listener, on or off.
 *
 * @example
 * ```ts
 * import { ConnectionRequestListener } from "./cr_listener.ts";
 * // const listener = new ConnectionRequestListener({ port: 0 }, parts);
 * // await listener.apply(true); … await listener.stop();
 * ```
 */
export class ConnectionRequestListener {
  readonly #settings: ListenerSettings | false;
  readonly #parts: ListenerParts;
  readonly #refusals: RefusalLog;
  /** Loaded only for an agent with a UDP port: the others never load `nat/`. */
  readonly #udp: Promise<UdpConnectionRequestListener> | undefined;
  #server: ConnectionRequestServer | undefined;

  /** A listener that is not running yet; `false` settings keep it off. */
  constructor(settings: ListenerSettings | false, parts: ListenerParts) {
    this.#settings = settings;
    this.#parts = parts;
    this.#refusals = (settings || {}).refusals ?? new RefusalLog({
      log: (msg, details) => parts.log("warn", msg, details),
      now: () => parts.clock.now(),
    });
    const udp = parts.udp;
    this.#udp = udp &&
      import("./udp_listener.ts").then((m) =>
        new m.UdpConnectionRequestListener(udp, {
          ...parts,
          refusals: this.#refusals,
          ...(settings && settings.rateLimit !== undefined
            ? { rateLimit: settings.rateLimit }
            : {}),
          ...(settings && settings.rateIntervalMs !== undefined
            ? { rateIntervalMs: settings.rateIntervalMs }
            : {}),
          onPublished: parts.onPublished ?? (() => {}),
        })
      );
  }

  /** The published ConnectionRequestURL, while it runs. */
  get url(): string | undefined {
    return this.#server?.url;
  }

  /** Refusals since the agent started, by reason. */
  get refusals(): Readonly<Record<string, number>> {
    return this.#refusals.totals();
  }

  /**
   * Starts or stops the HTTP listener to match `wanted` (never started with
   * `false` settings), and the UDP port to match EnableCWMP.
   */
  async apply(wanted: boolean): Promise<void> {
    await this.#applyHttp(wanted);
    await (await this.#udp)?.apply(
      this.#parts.device.managementServer("EnableCWMP") === "true",
    );
  }

  async #applyHttp(wanted: boolean): Promise<void> {
    const want = this.#settings !== false && wanted;
    const device = this.#parts.device;
    const path = `${device.root}.ManagementServer.ConnectionRequestURL`;
    if (want && !this.#server) {
      try {
        this.#server = await startConnectionRequestServer({
          ...(this.#settings || {}),
          credentials: () => ({
            username: device.managementServer("ConnectionRequestUsername"),
            password: device.managementServer("ConnectionRequestPassword"),
          }),
          onRequest: () => {
            this.#parts.log("info", "connection request accepted");
            this.#parts.onRequest();
          },
          now: () => this.#parts.clock.now(),
          refusals: this.#refusals,
        });
      } catch (error) {
        this.#parts.log(
          "error",
          "the connection-request listener cannot start",
          { error: String((error as Error)?.message ?? error) },
        );
        return;
      }
      device.setConnectionRequestUrl(this.#server.url);
      this.#parts.onUrl(path, this.#server.url);
    } else if (!want && this.#server) {
      const server = this.#server;
      this.#server = undefined;
      await server.stop();
      device.setConnectionRequestUrl("");
      this.#parts.onUrl(path, "");
      this.#parts.log("info", "connection-request listener closed");
    }
  }

  /** Stops both, if they run. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await Promise.all([server?.stop(), this.#udp?.then((udp) => udp.stop())]);
  }
}
