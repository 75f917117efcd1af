/**
 * Parameter and object definitions — the parameter table a device adapter
 * provides — and the index the engine looks paths up in.
 *
 * @module
 */
import { INSTANCE_PLACEHOLDER, isInstanceSegment } from "./path.ts";
import type { ParameterType } from "./types.ts";

/**
 * The data model's `activeNotify` flag: `forceEnabled` parameters always
 * notify actively; `forceDefaultEnabled` ones start active; for `canDeny` the
 * agent refuses active notification (9009).
 */
export type ActiveNotify =
  | "normal"
  | "forceEnabled"
  | "forceDefaultEnabled"
  | "canDeny";

/** One parameter of the data model, by path pattern. */
export interface ParameterDefinition {
  /** Path pattern with `{i}` for instance numbers, e.g. `Device.IP.Interface.{i}.Enable`. */
  readonly path: string;
  /** The value type and its facets. */
  readonly type: ParameterType;
  /** Whether SetParameterValues may change it. */
  readonly writable: boolean;
  /** Write-only secret (a password): reads return "". */
  readonly hidden?: boolean;
  /** Sent in every Inform (TR-069 Forced Inform parameter). */
  readonly forcedInform?: boolean;
  /** Active-notification flag; `normal` when absent. */
  readonly activeNotify?: ActiveNotify;
  /** Value of the parameter in a newly created instance. */
  readonly default?: string;
}

/** One object of the data model, by path pattern. */
export interface ObjectDefinition {
  /** Path pattern ending in "."; a multi-instance object ends in `{i}.`. */
  readonly path: string;
  /** For multi-instance objects: whether AddObject and DeleteObject may change it. */
  readonly writable?: boolean;
  /**
   * For multi-instance objects: whether DeleteObject may remove instances,
   * when that differs from `writable` (a device dump can mark the table and
   * its instances differently).
   */
  readonly deletable?: boolean;
  /** For multi-instance objects: the most instances allowed (AddObject faults 9004 past it). */
  readonly maxEntries?: number;
  /** For multi-instance objects: the pattern of its NumberOfEntries parameter. */
  readonly numberOfEntries?: string;
}

/** A device's parameter table. */
export interface DataModelDefinitions {
  /**
   * The data model and version the table implements (`Device:2.19`), when
   * known: `Device.RootDataModelVersion` follows it.
   */
  readonly model?: string;
  /** Every parameter. */
  readonly parameters: readonly ParameterDefinition[];
  /**
   * Objects that need more than a default: every multi-instance object (so
   * the engine knows it is a table) and any object with settings. Objects
   * implied by parameter paths need not be listed.
   */
  readonly objects: readonly ObjectDefinition[];
}

/** What a node of the index is. */
export type NodeKind = "object" | "table" | "instance" | "parameter";

/** A node of the data-model index: one pattern segment. */
export interface ModelNode {
  /** The node's segment (`{i}` for instances). */
  readonly name: string;
  /** The node's full pattern (objects end in "."). */
  readonly pattern: string;
  /** What the node is. */
  readonly kind: NodeKind;
  /** Children by segment, in definition order. */
  readonly children: Map<string, ModelNode>;
  /** The parameter's definition (parameters only). */
  readonly parameter?: ParameterDefinition;
  /** The object's definition (tables carry the `{i}.` object's settings). */
  object?: ObjectDefinition;
}

/**
 * The parameter table as a tree of patterns, for fast path look-ups.
 *
 * @example
 * ```ts
 * import { ModelIndex } from "./definitions.ts";
 * const index = new ModelIndex({
 *   parameters: [{ path: "Device.IP.Interface.{i}.Enable", type: { base: "boolean" }, writable: true }],
 *   objects: [{ path: "Device.IP.Interface.{i}.", writable: true }],
 * });
 * console.log(index.lookup("Device.IP.Interface.4.Enable")?.kind); // "parameter"
 * console.log(index.lookup("Device.IP.Interface.")?.kind); // "table"
 * ```
 */
export class ModelIndex {
  /** The root objects (normally one: `Device.` or `InternetGatewayDevice.`). */
  readonly roots: Map<string, ModelNode> = new Map();
  /** Every parameter definition by pattern. */
  readonly parameters: ReadonlyMap<string, ParameterDefinition>;

  /** Builds the index; throws a TypeError naming a malformed definition. */
  constructor(definitions: DataModelDefinitions) {
    const parameters = new Map<string, ParameterDefinition>();
    for (const object of definitions.objects) {
      if (!object.path.endsWith(".")) {
        throw new TypeError(`Object path must end in ".": ${object.path}`);
      }
      const segments = object.path.slice(0, -1).split(".");
      const node = this.#ensure(segments, object.path);
      if (node.kind === "instance") this.#parent(segments).object = object;
      else node.object = object;
    }
    for (const parameter of definitions.parameters) {
      if (parameter.path.endsWith(".")) {
        throw new TypeError(`Parameter path ends in ".": ${parameter.path}`);
      }
      if (parameters.has(parameter.path)) {
        throw new TypeError(`Parameter defined twice: ${parameter.path}`);
      }
      parameters.set(parameter.path, parameter);
      const segments = parameter.path.split(".");
      const parent = segments.length > 1
        ? this.#ensure(segments.slice(0, -1), parameter.path)
        : undefined;
      if (!parent) {
        throw new TypeError(`Parameter outside any object: ${parameter.path}`);
      }
      const name = segments[segments.length - 1];
      if (name === INSTANCE_PLACEHOLDER || parent.kind === "table") {
        throw new TypeError(
          `Parameter directly under a table: ${parameter.path}`,
        );
      }
      parent.children.set(name, {
        name,
        pattern: parameter.path,
        kind: "parameter",
        children: new Map(),
        parameter,
      });
    }
    this.parameters = parameters;
  }

  #ensure(segments: readonly string[], what: string): ModelNode {
    let children = this.roots;
    let node: ModelNode | undefined;
    let pattern = "";
    for (let i = 0; i < segments.length; i++) {
      const name = segments[i];
      pattern += name + ".";
      let next = children.get(name);
      if (!next) {
        const isInstance = name === INSTANCE_PLACEHOLDER;
        if (isInstance && node?.kind !== "table" && node !== undefined) {
          // The parent was created as a plain object before we knew it is a table.
          (node as { kind: NodeKind }).kind = "table";
        }
        if (isInstance && node === undefined) {
          throw new TypeError(`Pattern starts with {i}: ${what}`);
        }
        const isTable = segments[i + 1] === INSTANCE_PLACEHOLDER;
        next = {
          name,
          pattern,
          kind: isInstance ? "instance" : isTable ? "table" : "object",
          children: new Map(),
        };
        children.set(name, next);
      } else if (next.kind === "parameter") {
        throw new TypeError(
          `${pattern} is both a parameter and an object (${what})`,
        );
      } else if (
        segments[i + 1] === INSTANCE_PLACEHOLDER && next.kind === "object"
      ) {
        if (next.children.size > 0) {
          throw new TypeError(
            `${pattern} is both an object and a table (${what})`,
          );
        }
        (next as { kind: NodeKind }).kind = "table";
      }
      node = next;
      children = next.children;
    }
    return node!;
  }

  #parent(segments: readonly string[]): ModelNode {
    return this.#ensure(segments.slice(0, -1), segments.join("."));
  }

  /**
   * The node for a concrete path or pattern (objects with or without the
   * trailing "."), or undefined when the model has no such path. Instance
   * numbers match `{i}` under tables only.
   */
  lookup(path: string): ModelNode | undefined {
    if (path === "") return undefined;
    const segments = (path.endsWith(".") ? path.slice(0, -1) : path).split(".");
    let children = this.roots;
    let node: ModelNode | undefined;
    for (const segment of segments) {
      const key = node?.kind === "table" &&
          (isInstanceSegment(segment) || segment === INSTANCE_PLACEHOLDER)
        ? INSTANCE_PLACEHOLDER
        : segment;
      node = children.get(key);
      if (!node) return undefined;
      children = node.children;
    }
    if (node && path.endsWith(".") === (node.kind === "parameter")) {
      return undefined;
    }
    return node;
  }
}
