/**
 * One request's view of the data model: paths resolved against the live
 * instances, each instance list read once.
 *
 * @module
 */
import { CwmpFault } from "../cwmp/faults.ts";
import type { ModelNode, ParameterDefinition } from "./definitions.ts";
import type { DataModel, ParameterInfo } from "./model.ts";
import {
  INSTANCE_PLACEHOLDER,
  isInstanceSegment,
  MAX_PATH_LENGTH,
  parsePath,
} from "./path.ts";

/** One request's view of the model; caches instance lists. */
export class ModelView {
  /** The model this view reads. */
  readonly model: DataModel;
  readonly #instances = new Map<string, Promise<readonly number[]>>();
  readonly #instanceSets = new Map<string, Promise<ReadonlySet<number>>>();
  // The sets already read, for look-ups that need not wait: a request naming
  // ten thousand parameters resolves each with map look-ups only.
  readonly #readSets = new Map<string, ReadonlySet<number>>();
  // The object the last look-up passed through last: the names of one
  // request come in tree order, mostly siblings, so most look-ups resume
  // there and read only their last segment.
  #lastObjectPath = "";
  #lastObject: ModelNode | undefined;

  /** A view of `model`. */
  constructor(model: DataModel) {
    this.model = model;
  }

  /** Instance numbers of a concrete table path, read once per view. */
  instances(table: string): Promise<readonly number[]> {
    let list = this.#instances.get(table);
    if (!list) {
      list = this.model.adapter.instances(table);
      this.#instances.set(table, list);
    }
    return list;
  }

  /** Forgets cached instance lists (after AddObject or DeleteObject). */
  invalidate(): void {
    this.#instances.clear();
    this.#instanceSets.clear();
    this.#readSets.clear();
    this.#lastObject = undefined;
  }

  /** Whether instance `n` of a concrete table exists; a set look-up, read once per view. */
  hasInstance(table: string, n: number): Promise<boolean> {
    let set = this.#instanceSets.get(table);
    if (!set) {
      set = this.instances(table).then((list) => {
        const read = new Set(list);
        this.#readSets.set(table, read);
        return read;
      });
      this.#instanceSets.set(table, set);
    }
    return set.then((s) => s.has(n));
  }

  /**
   * The node of a concrete path that exists now (its instances exist), or
   * undefined.
   */
  async find(path: string): Promise<ModelNode | undefined> {
    const known = this.#findNow(path);
    if (known !== null) return known;
    const node = this.model.index.lookup(path);
    if (!node) return undefined;
    const segments = (path.endsWith(".") ? path.slice(0, -1) : path).split(".");
    let prefix = "";
    let current: ModelNode | undefined;
    let children = this.model.index.roots;
    for (const segment of segments) {
      const table: ModelNode | undefined = current?.kind === "table"
        ? current
        : undefined;
      current = children.get(table ? INSTANCE_PLACEHOLDER : segment);
      if (!current) return undefined;
      if (table && !(await this.hasInstance(prefix, Number(segment)))) {
        return undefined;
      }
      prefix += segment + ".";
      children = current.children;
    }
    return node;
  }

  /**
   * What {@linkcode find} answers, found without waiting: `null` when that
   * needs an instance list this view has not read yet. One pass over the
   * path, a map look-up per segment and a set look-up per instance number.
   */
  #findNow(path: string): ModelNode | undefined | null {
    const partial = path.endsWith(".");
    const end = partial ? path.length - 1 : path.length;
    let children = this.model.index.roots;
    let node: ModelNode | undefined;
    let start = 0;
    const last = this.#lastObject;
    if (
      last !== undefined && path.length > this.#lastObjectPath.length &&
      path.startsWith(this.#lastObjectPath)
    ) {
      node = last;
      children = last.children;
      start = this.#lastObjectPath.length;
    }
    const resumedAt = start;
    let parent: ModelNode | undefined;
    let parentEnd = 0;
    while (start <= end) {
      let dot = path.indexOf(".", start);
      if (dot < 0 || dot > end) dot = end;
      const segment = path.slice(start, dot);
      parent = node;
      parentEnd = start;
      if (node !== undefined && node.kind === "table") {
        if (!isInstanceSegment(segment)) return undefined;
        const set = this.#readSets.get(path.slice(0, start));
        if (set === undefined) return null;
        if (!set.has(Number(segment))) return undefined;
        node = node.children.get(INSTANCE_PLACEHOLDER);
      } else {
        node = children.get(segment);
      }
      if (node === undefined) return undefined;
      children = node.children;
      start = dot + 1;
    }
    if (parent !== undefined && parentEnd > resumedAt) {
      this.#lastObjectPath = path.slice(0, parentEnd);
      this.#lastObject = parent;
    }
    return node !== undefined && partial !== (node.kind === "parameter")
      ? node
      : undefined;
  }

  /**
   * The node of a full parameter path that exists, found with look-ups only,
   * or undefined when that is not enough: the path is absent, partial,
   * malformed, or needs an instance list not read yet
   * ({@linkcode eachParameter} then says which, or reads it).
   */
  parameterNow(path: string): ModelNode | undefined {
    if (path.length > MAX_PATH_LENGTH || path.endsWith(".")) return undefined;
    return this.#findNow(path) ?? undefined;
  }

  /**
   * The parameter definition of a full parameter path that exists now.
   *
   * @throws {CwmpFault} 9005 when the path is malformed, partial or absent.
   */
  async parameter(path: string): Promise<ParameterDefinition> {
    const parsed = parsePath(path);
    if (parsed.partial) {
      throw new CwmpFault(9005, `${JSON.stringify(path)} is not a parameter`);
    }
    const node = await this.find(path);
    if (!node?.parameter) {
      throw new CwmpFault(9005, `No such parameter: ${path}`);
    }
    return node.parameter;
  }

  /**
   * Every parameter at or below `path` ("" for all, a partial path, or one
   * full parameter path), in tree order.
   *
   * @throws {CwmpFault} 9005 when the path is malformed or does not exist.
   */
  async parameters(path: string): Promise<string[]> {
    const out: string[] = [];
    await this.eachParameter(path, (p) => out.push(p));
    return out;
  }

  /**
   * Calls `visit` with every parameter at or below `path` and its node, in
   * tree order, like {@linkcode parameters}; a full parameter path that
   * exists is answered with look-ups only.
   *
   * @throws {CwmpFault} 9005 when the path is malformed or does not exist.
   */
  async eachParameter(
    path: string,
    visit: (path: string, node: ModelNode) => unknown,
  ): Promise<void> {
    const onParameter = (p: string, n: ModelNode) =>
      n.kind === "parameter" && visit(p, n);
    if (path === "") {
      for (const root of this.model.index.roots.values()) {
        await this.#walk(root, "", onParameter);
      }
      return;
    }
    // Only a well-formed path can name a node, so no syntax check first.
    const known = this.parameterNow(path);
    if (known) {
      visit(path, known);
      return;
    }
    const { node, partial } = await this.#existing(path);
    if (!partial) visit(path, node);
    else await this.#walkChildren(node, path, onParameter);
  }

  /** The node of an existing non-root path; 9005 when it is malformed or absent. */
  async #existing(
    path: string,
  ): Promise<{ node: ModelNode; partial: boolean }> {
    const { partial } = parsePath(path);
    const node = await this.find(path);
    if (!node) {
      throw new CwmpFault(
        9005,
        `No such ${partial ? "object" : "parameter"}: ${path}`,
      );
    }
    return { node, partial };
  }

  /**
   * GetParameterNames: the names at or below `path`.
   *
   * @throws {CwmpFault} 9005 for a path that does not exist, 9003 for
   * NextLevel true on a parameter.
   */
  async names(path: string, nextLevel: boolean): Promise<ParameterInfo[]> {
    const out: ParameterInfo[] = [];
    const add = (name: string, node: ModelNode) => {
      out.push({ name, writable: this.#writable(node) });
    };
    if (path === "") {
      for (const root of this.model.index.roots.values()) {
        if (nextLevel) add(root.pattern, root);
        else await this.#walk(root, "", add);
      }
      return out;
    }
    const { node, partial } = await this.#existing(path);
    if (!partial) {
      if (nextLevel) {
        throw new CwmpFault(
          9003,
          `NextLevel is true but ${path} is a parameter, not an object`,
        );
      }
      add(path, node);
      return out;
    }
    if (nextLevel) {
      await this.#eachChild(node, path, add);
    } else {
      add(path, node);
      await this.#walkChildren(node, path, add);
    }
    return out;
  }

  #writable(node: ModelNode): boolean {
    switch (node.kind) {
      case "parameter":
        return node.parameter!.writable;
      case "table":
        return node.object?.writable ?? false;
      case "instance": {
        const table = this.model.index.lookup(
          node.pattern.slice(0, -(INSTANCE_PLACEHOLDER.length + 1)),
        );
        return table?.object?.deletable ?? table?.object?.writable ?? false;
      }
      case "object":
        return false;
    }
  }

  /** Calls `visit` for each direct child of an object at concrete `path`. */
  async #eachChild(
    node: ModelNode,
    path: string,
    visit: (path: string, node: ModelNode) => unknown,
  ): Promise<void> {
    if (node.kind === "table") {
      const instance = node.children.get(INSTANCE_PLACEHOLDER)!;
      for (const n of await this.instances(path)) {
        visit(`${path}${n}.`, instance);
      }
      return;
    }
    for (const child of node.children.values()) {
      visit(
        child.kind === "parameter"
          ? path + child.name
          : `${path}${child.name}.`,
        child,
      );
    }
  }

  // Depth first, straight over the schema's children: no list of a node's
  // children is built first (for 50,000 parameters those lists were ~3 MB
  // of garbage per walk).
  async #walkChildren(
    node: ModelNode,
    path: string,
    visit: (path: string, node: ModelNode) => unknown,
  ): Promise<void> {
    if (node.kind === "table") {
      const instance = node.children.get(INSTANCE_PLACEHOLDER)!;
      for (const n of await this.instances(path)) {
        const instancePath = `${path}${n}.`;
        visit(instancePath, instance);
        await this.#walkChildren(instance, instancePath, visit);
      }
      return;
    }
    for (const child of node.children.values()) {
      if (child.kind === "parameter") {
        visit(path + child.name, child);
        continue;
      }
      const childPath = `${path}${child.name}.`;
      visit(childPath, child);
      await this.#walkChildren(child, childPath, visit);
    }
  }

  async #walk(
    node: ModelNode,
    prefix: string,
    visit: (path: string, node: ModelNode) => unknown,
  ): Promise<void> {
    const path = node.kind === "parameter"
      ? prefix + node.name
      : `${prefix}${node.name}.`;
    visit(path, node);
    if (node.kind !== "parameter") await this.#walkChildren(node, path, visit);
  }

  /**
   * Values of full parameter paths that exist: hidden parameters read as "",
   * NumberOfEntries parameters are counted from the live instances.
   */
  async values(paths: readonly string[]): Promise<Map<string, string>> {
    const nodes = paths.map((path) => {
      const node = this.model.index.lookup(path);
      if (!node?.parameter) {
        throw new CwmpFault(9005, `No such parameter: ${path}`);
      }
      return node;
    });
    const values = await this.valuesOf(paths, nodes);
    const out = new Map<string, string>();
    for (let i = 0; i < paths.length; i++) out.set(paths[i], values[i]);
    return out;
  }

  /**
   * The values of `paths`, whose parameter nodes are `nodes` (as
   * {@linkcode eachParameter} found them), in the same order.
   */
  async valuesOf(
    paths: readonly string[],
    nodes: readonly ModelNode[],
  ): Promise<string[]> {
    const out = new Array<string>(paths.length);
    const fromDevice: string[] = [];
    const slots: number[] = [];
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i];
      const definition = nodes[i].parameter;
      if (!definition) throw new CwmpFault(9005, `No such parameter: ${path}`);
      if (definition.hidden) {
        out[i] = "";
        continue;
      }
      const table = this.model.countedTable(definition.path);
      if (table) {
        out[i] = String(
          (await this.instances(concreteTable(path, table))).length,
        );
        continue;
      }
      fromDevice.push(path);
      slots.push(i);
    }
    if (fromDevice.length > 0) {
      const values = await this.model.adapter.getValues(fromDevice);
      for (let j = 0; j < fromDevice.length; j++) {
        const value = values.get(fromDevice[j]);
        if (value === undefined) {
          throw new CwmpFault(
            9002,
            `The device returned no value for ${fromDevice[j]}`,
          );
        }
        out[slots[j]] = value;
      }
    }
    return out;
  }
}

/**
 * The concrete table path a NumberOfEntries parameter counts: the table
 * pattern with its `{i}` filled from the parameter's own instance numbers.
 */
function concreteTable(parameterPath: string, tablePattern: string): string {
  const numbers = parameterPath.split(".").filter((s) => /^\d+$/.test(s));
  let i = 0;
  return tablePattern.split(".").map((s) =>
    s === INSTANCE_PLACEHOLDER ? numbers[i++] : s
  ).join(".");
}
