/**
 * Which notified parameters changed since they were last reported (digest
 * §9.2): the baseline of each parameter with notification 1 (passive) or 2
 * (active), and the set that changed since.
 *
 * @module
 */
import type { RpcContext } from "../rpc/context.ts";

/** What a check found. */
export interface ChangeCheck {
  /** Parameters that changed in this check. */
  readonly changed: readonly string[];
  /** Whether one of them has active notification (a session is due). */
  readonly active: boolean;
}

/**
 * Baselines and changes of notified parameters.
 *
 * - The baseline of a parameter is taken when its notification is turned
 *   on ({@linkcode NotificationTracker.track}, after SetParameterAttributes),
 *   so a change right after is never lost to a first poll.
 * - Changes the ACS makes itself move the baseline
 *   ({@linkcode NotificationTracker.acsChanged}) and never notify it back.
 * - A parameter stays changed until an Inform carrying it is delivered.
 *
 * @example
 * ```ts
 * import { NotificationTracker } from "./notifications.ts";
 * // const tracker = new NotificationTracker(context);
 * // await tracker.reset(); … const { active } = await tracker.check();
 * ```
 */
export class NotificationTracker {
  readonly #context: RpcContext;
  #baseline = new Map<string, string>();
  readonly #changed = new Set<string>();

  /** A tracker over a device's data model and attributes. */
  constructor(context: RpcContext) {
    this.#context = context;
  }

  /** Notified parameters changed since last reported. */
  get changed(): readonly string[] {
    return [...this.#changed];
  }

  /** Parameters whose changes are reported, with their notification (1 or 2). */
  async notified(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const view = this.#context.model.view();
    const { model, attributes } = this.#context;
    for (const definition of model.index.parameters.values()) {
      if (definition.path.includes("{i}")) continue;
      const n = attributes.get(definition.path, definition).notification;
      if ((n === 1 || n === 2) && await view.find(definition.path)) {
        out.set(definition.path, n);
      }
    }
    for (const path of attributes.paths()) {
      const node = await view.find(path);
      if (!node?.parameter) continue;
      const n = attributes.get(path, node.parameter).notification;
      if (n === 1 || n === 2) out.set(path, n);
      else out.delete(path);
    }
    return out;
  }

  /** Starts over: baselines of every notified parameter, nothing changed (a boot). */
  async reset(): Promise<void> {
    const notified = await this.notified();
    this.#baseline = new Map(
      await this.#context.model.view().values([...notified.keys()]),
    );
    this.#changed.clear();
  }

  /**
   * Follows the attributes after they changed: parameters newly notified get
   * their baseline now; ones no longer notified are forgotten.
   */
  async track(): Promise<void> {
    const notified = await this.notified();
    for (const path of [...this.#baseline.keys()]) {
      if (!notified.has(path)) {
        this.#baseline.delete(path);
        this.#changed.delete(path);
      }
    }
    const fresh = [...notified.keys()].filter((p) => !this.#baseline.has(p));
    if (fresh.length === 0) return;
    for (
      const [path, value] of await this.#context.model.view().values(fresh)
    ) {
      this.#baseline.set(path, value);
    }
  }

  /** The ACS set these parameters: their new values are the baseline. */
  async acsChanged(paths: readonly string[]): Promise<void> {
    const tracked = paths.filter((p) => this.#baseline.has(p));
    if (tracked.length === 0) return;
    for (
      const [path, value] of await this.#context.model.view().values(tracked)
    ) {
      this.#baseline.set(path, value);
      this.#changed.delete(path);
    }
  }

  /** A value the agent itself set (ConnectionRequestURL): it becomes the baseline. */
  settle(path: string, value: string): void {
    if (this.#baseline.has(path)) this.#baseline.set(path, value);
  }

  /**
   * Compares notified parameters (all, or only `paths`) with their baseline;
   * a parameter that differs is changed until delivered.
   */
  async check(paths?: readonly string[]): Promise<ChangeCheck> {
    const notified = await this.notified();
    const targets = paths
      ? paths.filter((p) => notified.has(p))
      : [...notified.keys()];
    if (targets.length === 0) return { changed: [], active: false };
    const values = await this.#context.model.view().values(targets);
    const changed: string[] = [];
    let active = false;
    for (const [path, value] of values) {
      const before = this.#baseline.get(path);
      this.#baseline.set(path, value);
      if (before === undefined || before === value) continue;
      this.#changed.add(path);
      changed.push(path);
      if (notified.get(path) === 2) active = true;
    }
    return { changed, active };
  }

  /**
   * The device reported these parameters changed. Outside a session nothing
   * but the device changes values, so a report counts as a change even if
   * the value is back to the baseline by the time it is read (A → B → A
   * between two polls is still reported, with the current value).
   */
  async reported(paths: readonly string[]): Promise<ChangeCheck> {
    const notified = await this.notified();
    const targets = paths.filter((p) => notified.has(p));
    if (targets.length === 0) return { changed: [], active: false };
    const values = await this.#context.model.view().values(targets);
    let active = false;
    for (const [path, value] of values) {
      this.#baseline.set(path, value);
      this.#changed.add(path);
      if (notified.get(path) === 2) active = true;
    }
    return { changed: targets, active };
  }

  /** These changes reached the ACS (their Inform got its InformResponse). */
  delivered(paths: readonly string[]): void {
    for (const path of paths) this.#changed.delete(path);
  }
}
