/**
 * Reads Broadband Forum CWMP data-model XML (the `cwmp-datamodel` schema):
 * the model's objects and parameters with their syntax — base type, sizes,
 * ranges, enumerations, patterns, lists, defaults, units — access, status,
 * version, unique keys, NumberOfEntries links, and profiles. Named data types
 * are resolved, including those of imported files such as tr-106-types.xml.
 *
 * @module
 */
import type { ActiveNotify } from "../datamodel/definitions.ts";
import type { BaseType, ParameterType, Range } from "../datamodel/types.ts";
import { parseXml, type XmlElement } from "../cwmp/_xml.ts";
import { XSI_TYPES } from "../cwmp/value_types.ts";

/** A definition's status in the data model. */
export type Status = "current" | "deprecated" | "obsoleted" | "deleted";

/** An object of a data model. */
export interface ModelObject {
  /** Path pattern, e.g. `Device.IP.Interface.{i}.`. */
  readonly path: string;
  /** `readWrite` on a table: the ACS may add and delete instances. */
  readonly writable: boolean;
  /** Multi-instance (path ends in `{i}.`). */
  readonly multiInstance: boolean;
  /** Most instances; undefined for unbounded. */
  readonly maxEntries?: number;
  /** The NumberOfEntries parameter's pattern. */
  readonly numberOfEntries?: string;
  /** Unique keys (parameter names). */
  readonly uniqueKeys: readonly (readonly string[])[];
  /** Status. */
  readonly status: Status;
  /** Version it appeared in. */
  readonly version?: string;
}

/** A parameter of a data model. */
export interface ModelParameter {
  /** Path pattern, e.g. `Device.IP.Interface.{i}.Enable`. */
  readonly path: string;
  /** Type and facets. */
  readonly type: ParameterType;
  /** The ACS may set it. */
  readonly writable: boolean;
  /** Secret: reads return "". */
  readonly hidden: boolean;
  /** Sent in every Inform. */
  readonly forcedInform: boolean;
  /** Active-notification flag. */
  readonly activeNotify: ActiveNotify;
  /** The object default, when the model gives one. */
  readonly default?: string;
  /** Units, for documentation. */
  readonly units?: string;
  /** Status. */
  readonly status: Status;
  /** Version it appeared in. */
  readonly version?: string;
  /** An `Alias` parameter (instance alias). */
  readonly description?: string;
}

/** A profile: the objects and parameters it requires. */
export interface ModelProfile {
  /** Name with version, e.g. `Baseline:3`. */
  readonly name: string;
  /** Profiles it extends or is based on. */
  readonly extends: readonly string[];
  /** Object patterns it lists. */
  readonly objects: readonly string[];
  /** Parameter patterns it lists. */
  readonly parameters: readonly string[];
}

/** A parsed data model. */
export interface DataModelDocument {
  /** The model name, e.g. `Device:2.19`. */
  readonly name: string;
  /** A service model (VoiceService, STBService, FAPService…) mounted under a root. */
  readonly isService: boolean;
  /** The file it came from. */
  readonly file: string;
  /** Objects in document order. */
  readonly objects: readonly ModelObject[];
  /** Parameters in document order. */
  readonly parameters: readonly ModelParameter[];
  /** Profiles by name. */
  readonly profiles: ReadonlyMap<string, ModelProfile>;
}

/** The base types: the value types of CWMP. */
const BASE_TYPES: ReadonlySet<string> = new Set(Object.keys(XSI_TYPES));

interface DataTypeDef {
  /** The named data type it derives from (`base` attribute). */
  readonly base?: string;
  /** Its inline base-type element (`<string>…</string>`), if any. */
  readonly element?: XmlElement;
  /** The `<dataType>` element itself: derived types put facets directly in it. */
  readonly self: XmlElement;
}

/** Reads the text of a file, relative to the document that imports it. */
export type FileReader = (path: string) => Promise<string>;

function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

function attr(element: XmlElement, name: string): string | undefined {
  return element.attributes.find((a) => a.name === name && a.ns === null)
    ?.value;
}

function status(element: XmlElement): Status {
  const s = attr(element, "status") ?? "current";
  return s === "deprecated" || s === "obsoleted" || s === "deleted"
    ? s
    : "current";
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i);
}

/**
 * Reads a data-model document and the data types of the files it imports,
 * and returns its (last) model.
 *
 * @example
 * ```ts
 * import { readDataModel } from "./bbf_xml.ts";
 * // const model = await readDataModel("../shared/bbf/models/tr-181-2-19-1-cwmp-full.xml");
 * // console.log(model.name); // "Device:2.19"
 * ```
 */
export async function readDataModel(
  file: string,
  read: FileReader = Deno.readTextFile,
): Promise<DataModelDocument> {
  const root = parseXml(await read(file));
  if (root.name !== "document") {
    throw new SyntaxError(
      `${file}: not a data-model document (root <${root.name}>)`,
    );
  }
  const types = new Map<string, DataTypeDef>();
  for (const imported of children(root, "import")) {
    const importedFile = attr(imported, "file");
    if (!importedFile || children(imported, "dataType").length === 0) continue;
    const importedRoot = parseXml(
      await read(`${dirname(file)}/${importedFile}`),
    );
    collectDataTypes(importedRoot, types);
  }
  collectDataTypes(root, types);
  const models = children(root, "model");
  const model = models[models.length - 1];
  if (!model) throw new SyntaxError(`${file}: no <model>`);
  return readModel(model, types, file);
}

function collectDataTypes(
  root: XmlElement,
  types: Map<string, DataTypeDef>,
): void {
  for (const dataType of children(root, "dataType")) {
    const name = attr(dataType, "name");
    if (!name) continue;
    const element = dataType.children.find((c) =>
      BASE_TYPES.has(c.name) || c.name === "dataType"
    );
    types.set(name, {
      base: attr(dataType, "base"),
      element,
      self: dataType,
    });
  }
}

function readModel(
  model: XmlElement,
  types: Map<string, DataTypeDef>,
  file: string,
): DataModelDocument {
  const objects: ModelObject[] = [];
  const parameters: ModelParameter[] = [];
  const profiles = new Map<string, ModelProfile>();
  for (const element of model.children) {
    if (element.name === "object") {
      const path = attr(element, "name")!;
      const max = attr(element, "maxEntries");
      const multiInstance = path.endsWith("{i}.");
      const numEntries = attr(element, "numEntriesParameter");
      const parent = path.slice(0, path.slice(0, -1).lastIndexOf(".") + 1);
      const parentOfTable = multiInstance
        ? parent.slice(0, parent.slice(0, -1).lastIndexOf(".") + 1)
        : parent;
      objects.push({
        path,
        writable: attr(element, "access") === "readWrite",
        multiInstance,
        ...(max && max !== "unbounded" && multiInstance
          ? { maxEntries: Number(max) }
          : {}),
        ...(numEntries ? { numberOfEntries: parentOfTable + numEntries } : {}),
        uniqueKeys: children(element, "uniqueKey").map((k) =>
          children(k, "parameter").map((p) => attr(p, "ref")!)
        ),
        status: status(element),
        ...(attr(element, "version")
          ? { version: attr(element, "version") }
          : {}),
      });
      for (const p of children(element, "parameter")) {
        parameters.push(readParameter(p, path, types, file));
      }
    } else if (element.name === "profile") {
      const name = attr(element, "name")!;
      const objectsOf = children(element, "object");
      profiles.set(name, {
        name,
        extends: [attr(element, "extends"), attr(element, "base")].filter((
          x,
        ): x is string => !!x)
          .flatMap((x) => x.split(/\s+/)),
        objects: objectsOf.map((o) => attr(o, "ref")!),
        parameters: objectsOf.flatMap((o) =>
          children(o, "parameter").map((p) => attr(o, "ref")! + attr(p, "ref")!)
        ),
      });
    }
  }
  return {
    name: attr(model, "name") ?? "",
    isService: attr(model, "isService") === "true",
    file,
    objects,
    parameters,
    profiles,
  };
}

function readParameter(
  element: XmlElement,
  objectPath: string,
  types: Map<string, DataTypeDef>,
  file: string,
): ModelParameter {
  const name = attr(element, "name")!;
  const path = objectPath + name;
  const syntax = child(element, "syntax");
  if (!syntax) throw new SyntaxError(`${file}: ${path} has no <syntax>`);
  const type = syntaxType(syntax, types, path);
  const defaultElement = children(syntax, "default").find((d) =>
    attr(d, "type") === "object"
  );
  const units = syntax.children.flatMap((c) => children(c, "units")).map((u) =>
    attr(u, "value")
  ).find(Boolean);
  const activeNotify = attr(element, "activeNotify");
  return {
    path,
    type,
    writable: attr(element, "access") === "readWrite",
    hidden: attr(syntax, "hidden") === "true" ||
      attr(syntax, "secured") === "true",
    forcedInform: attr(element, "forcedInform") === "true",
    activeNotify: activeNotify === "forceEnabled" ||
        activeNotify === "forceDefaultEnabled" || activeNotify === "canDeny"
      ? activeNotify
      : "normal",
    ...(defaultElement && attr(defaultElement, "value") !== undefined
      ? { default: attr(defaultElement, "value") }
      : {}),
    ...(units ? { units } : {}),
    status: status(element),
    ...(attr(element, "version") ? { version: attr(element, "version") } : {}),
  };
}

interface Facets {
  base?: BaseType;
  maxLength?: number;
  minLength?: number;
  enumeration?: string[];
  patterns?: string[];
  ranges?: Range[];
}

function syntaxType(
  syntax: XmlElement,
  types: Map<string, DataTypeDef>,
  path: string,
): ParameterType {
  const element = syntax.children.find((c) =>
    BASE_TYPES.has(c.name) || c.name === "dataType"
  );
  if (!element) throw new SyntaxError(`${path}: no type in <syntax>`);
  const facets = resolve(element, types, path, 0);
  const list = child(syntax, "list");
  const type: { -readonly [K in keyof ParameterType]: ParameterType[K] } = {
    base: facets.base ?? "string",
  };
  if (list) {
    type.list = true;
    const size = child(list, "size");
    const listMax = size && attr(size, "maxLength");
    if (listMax) type.maxLength = Number(listMax);
  } else {
    if (facets.maxLength !== undefined) type.maxLength = facets.maxLength;
    if (facets.minLength !== undefined) type.minLength = facets.minLength;
  }
  if (facets.enumeration?.length) type.enumeration = facets.enumeration;
  if (facets.patterns?.length) type.patterns = facets.patterns;
  if (facets.ranges?.length) type.ranges = facets.ranges;
  return type;
}

/** The facets of a type element, following named data types to their base. */
function resolve(
  element: XmlElement,
  types: Map<string, DataTypeDef>,
  path: string,
  depth: number,
): Facets {
  if (depth > 20) throw new SyntaxError(`${path}: data types nest too deeply`);
  let facets: Facets = {};
  if (element.name === "dataType") {
    const ref = attr(element, "ref") ?? attr(element, "base");
    const def = ref ? types.get(ref) : undefined;
    if (!def) throw new SyntaxError(`${path}: unknown data type ${ref}`);
    if (def.base) {
      facets = resolve(
        {
          ...element,
          attributes: [{ name: "ref", ns: null, value: def.base }],
          children: [],
        },
        types,
        path,
        depth + 1,
      );
    }
    if (def.element) {
      facets = merge(facets, resolve(def.element, types, path, depth + 1));
    }
    facets = merge(facets, ownFacets(def.self));
  } else {
    facets.base = element.name as BaseType;
  }
  return merge(facets, ownFacets(element));
}

function ownFacets(element: XmlElement): Facets {
  const facets: Facets = {};
  for (const size of children(element, "size")) {
    const max = attr(size, "maxLength");
    const min = attr(size, "minLength");
    if (max !== undefined) {
      facets.maxLength = Math.max(facets.maxLength ?? 0, Number(max));
    }
    if (min !== undefined) facets.minLength = Number(min);
  }
  const enumeration = children(element, "enumeration").filter((e) =>
    status(e) !== "deleted"
  ).map((e) => attr(e, "value")!);
  if (enumeration.length) facets.enumeration = enumeration;
  const patterns = children(element, "pattern").map((p) => attr(p, "value")!);
  if (patterns.length) facets.patterns = patterns;
  const ranges = children(element, "range").map((r) => {
    const min = attr(r, "minInclusive");
    const max = attr(r, "maxInclusive");
    return {
      ...(min !== undefined ? { min: Number(min) } : {}),
      ...(max !== undefined ? { max: Number(max) } : {}),
    };
  });
  if (ranges.length) facets.ranges = ranges;
  return facets;
}

function merge(base: Facets, own: Facets): Facets {
  return {
    ...base,
    ...Object.fromEntries(
      Object.entries(own).filter(([, v]) => v !== undefined),
    ),
  };
}
