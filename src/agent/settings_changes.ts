/**
 * ManagementServer changes acting on the running agent, whoever made them
 * (the ACS, a LAN-side change, the configuration at start): a new URL is a
 * new ACS (`0 BOOTSTRAP`), DelayReboot counts from now, EnableCWMP back on
 * asks for a session, and the connection-request listener follows
 * HTTPConnectionRequestEnable and EnableCWMP. Changes are applied one batch
 * at a time; during a session they wait for its end (the ACS is still
 * talking to this URL; DelayReboot counts from the session's end).
 *
 * @module
 */
import { Serial } from "../state/serial.ts";
import type { RpcContext } from "../rpc/context.ts";
import type { Clock } from "./clock.ts";

/** What applying a change works with. */
export interface SettingsParts {
  readonly context: RpcContext;
  readonly clock: Clock;
  /** Queues `0 BOOTSTRAP` and forgets what only the old ACS cared about. */
  readonly bootstrap: () => Promise<void>;
  readonly requestSession: () => void;
  /** Starts or stops the connection-request listener. */
  readonly listener: (wanted: boolean) => Promise<void>;
  /** Re-arms the timers from the new settings. */
  readonly armTimers: () => void;
  readonly log: (msg: string) => void;
}

/**
 * The changes noted and not applied yet.
 *
 * @example
 * ```ts
 * import { SettingsChanges } from "./settings_changes.ts";
 * // const settings = new SettingsChanges(parts);
 * // settings.note(["URL"]); await settings.apply();
 * ```
 */
export class SettingsChanges {
  readonly #parts: SettingsParts;
  readonly #serial = new Serial();
  #noted = new Set<string>();

  /** Nothing noted. */
  constructor(parts: SettingsParts) {
    this.#parts = parts;
  }

  /** Notes changed ManagementServer parameters (by name). */
  note(names: readonly string[]): void {
    for (const name of names) this.#noted.add(name);
  }

  /** Applies what was noted. */
  apply(): Promise<void> {
    return this.#serial.run(() => this.#apply());
  }

  /** Makes the listener match the settings, noted changes or not. */
  applyListener(): Promise<void> {
    return this.#serial.run(() => this.#listener());
  }

  #ms(name: string): string {
    return this.#parts.context.device.managementServer(name);
  }

  async #apply(): Promise<void> {
    const changed = this.#noted;
    if (changed.size === 0) return;
    this.#noted = new Set();
    const parts = this.#parts;
    if (changed.has("URL") && this.#ms("URL") !== "") {
      parts.log("new ACS URL: the next session carries 0 BOOTSTRAP");
      await parts.bootstrap();
      parts.requestSession();
    }
    if (changed.has("DelayReboot")) {
      const seconds = Number(this.#ms("DelayReboot"));
      const at = parts.clock.now() + seconds * 1000;
      await parts.context.state.update(({ delayRebootAt: _, ...s }) => ({
        ...s,
        ...(seconds >= 0 ? { delayRebootAt: new Date(at).toISOString() } : {}),
      }));
    }
    if (changed.has("EnableCWMP") && this.#ms("EnableCWMP") === "true") {
      parts.requestSession();
    }
    await this.#listener();
    parts.armTimers();
  }

  #listener(): Promise<void> {
    return this.#parts.listener(
      this.#ms("EnableCWMP") === "true" &&
        this.#ms("HTTPConnectionRequestEnable") === "true",
    );
  }
}
