/**
 * Choosing what to generate from a data model: by status, profile, object
 * prefix and version, and mounting service models under a root.
 *
 * @module
 */
import type {
  DataModelDocument,
  ModelObject,
  ModelParameter,
  Status,
} from "./bbf_xml.ts";

/** What to keep. */
export interface Selection {
  /**
   * `current`: current definitions only; `default`: everything but deleted
   * and obsoleted ones (deprecated ones are still in use); `all`: everything.
   */
  readonly status?: "current" | "default" | "all";
  /** Keep only what these profiles (e.g. `Baseline:3`) and the profiles they extend require. */
  readonly profiles?: readonly string[];
  /** Keep only paths under these object prefixes (e.g. `Device.DeviceInfo.`). */
  readonly prefixes?: readonly string[];
  /** Keep only definitions introduced in this version or earlier (e.g. `2.12`). */
  readonly version?: string;
  /** Prefix for service models' paths, e.g. `Device.Services.` (default) for VoiceService.{i}. */
  readonly mount?: string;
}

/** A selected model: objects and parameters with paths already mounted. */
export interface SelectedModel {
  /** The source model. */
  readonly model: DataModelDocument;
  /** Selected objects. */
  readonly objects: readonly ModelObject[];
  /** Selected parameters. */
  readonly parameters: readonly ModelParameter[];
}

function statusAllowed(status: Status, mode: Selection["status"]): boolean {
  if (mode === "all") return true;
  if (mode === "current") return status === "current";
  return status !== "deleted" && status !== "obsoleted";
}

function versionParts(v: string): number[] {
  return v.split(".").map(Number);
}

function versionAtMost(v: string | undefined, max: string): boolean {
  if (v === undefined) return true;
  const a = versionParts(v);
  const b = versionParts(max);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return true;
}

/**
 * Applies a selection.
 *
 * @throws {Error} naming an unknown profile.
 *
 * @example
 * ```ts
 * import { selectModel } from "./select.ts";
 * // const selected = selectModel(model, { profiles: ["Baseline:3"] });
 * ```
 */
export function selectModel(
  model: DataModelDocument,
  selection: Selection = {},
): SelectedModel {
  const mode = selection.status ?? "default";
  let wantedObjects: Set<string> | undefined;
  let wantedParameters: Set<string> | undefined;
  if (selection.profiles?.length) {
    wantedObjects = new Set();
    wantedParameters = new Set();
    const seen = new Set<string>();
    const add = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const profile = model.profiles.get(name);
      if (!profile) {
        throw new Error(
          `Unknown profile ${name}; the model has ${
            [...model.profiles.keys()].slice(0, 10).join(", ")
          }…`,
        );
      }
      for (const o of profile.objects) wantedObjects!.add(o);
      for (const p of profile.parameters) wantedParameters!.add(p);
      for (const e of profile.extends) add(e);
    };
    for (const p of selection.profiles) add(p);
  }
  const objectVersions = new Map(model.objects.map((o) => [o.path, o.version]));
  const keepPath = (path: string) =>
    !selection.prefixes?.length ||
    selection.prefixes.some((p) => path.startsWith(p));
  const inProfileObject = (path: string) =>
    !wantedObjects || wantedObjects.has(path) ||
    [...wantedObjects].some((o) => o.startsWith(path));
  const objects = model.objects.filter((o) =>
    statusAllowed(o.status, mode) && keepPath(o.path) &&
    inProfileObject(o.path) &&
    (!selection.version || versionAtMost(o.version, selection.version))
  );
  const keptObjects = new Set(objects.map((o) => o.path));
  const parameters = model.parameters.filter((p) => {
    const object = p.path.slice(0, p.path.lastIndexOf(".") + 1);
    return statusAllowed(p.status, mode) && keepPath(p.path) &&
      (mode === "current" || keptObjects.has(object)) &&
      (!wantedParameters || wantedParameters.has(p.path)) &&
      (!selection.version ||
        versionAtMost(
          p.version ?? objectVersions.get(object),
          selection.version,
        ));
  });
  const mount = model.isService ? selection.mount ?? "Device.Services." : "";
  return {
    model,
    objects: objects.map((o) =>
      mount
        ? {
          ...o,
          path: mount + o.path,
          ...(o.numberOfEntries
            ? { numberOfEntries: mount + o.numberOfEntries }
            : {}),
        }
        : o
    ),
    parameters: parameters.map((p) =>
      mount ? { ...p, path: mount + p.path } : p
    ),
  };
}
