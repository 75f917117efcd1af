/**
 * `deno task gen`: data-model XML (or a parameter table) → a parameter-
 * definition module, adapter stubs and a summary.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { relative, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import { readDataModel } from "./bbf_xml.ts";
import { definitionsModule, generateStubs, summary } from "./generate.ts";
import { type Selection, selectModel } from "./select.ts";
import { readParameterTable } from "./table.ts";

/** Help text of `deno task gen`. */
export const GEN_USAGE =
  `Usage: deno task gen (--xml FILE | --table FILE) --out DIR [options]

Generates, from a Broadband Forum data-model XML document (TR-181, TR-098,
TR-104, TR-135, TR-196; imported data types are resolved) or from a parameter
table cut from a TR document:

  DIR/definitions.ts   the parameter table the agent's engine loads
  DIR/stubs/*.ts       one file per object: a getter and setter per parameter,
                       instances/add/delete per multi-instance object; vendor
                       code inside the VENDOR regions survives regeneration
and prints a summary, including the regions that are new or gone.

  --profile NAME    keep what this profile requires (repeatable), e.g. Baseline:3
  --prefix PATH     keep paths under this object (repeatable), e.g. Device.DeviceInfo.
  --version V       keep definitions introduced in version V or earlier
  --status S        current | default (all but deleted and obsoleted) | all
  --mount PREFIX    where service models are mounted (default Device.Services.)
  --import SPEC     module the generated code imports types from
                    (default: this repository's mod.ts, relative to DIR)
  --no-stubs        write definitions.ts only
`;

const MOD_TS = fileURLToPath(new URL("../../mod.ts", import.meta.url));

/**
 * Runs the generator with command-line arguments; returns the exit code.
 *
 * @example
 * ```ts
 * import { genCommand } from "./cli.ts";
 * // await genCommand(["--xml", "tr-181-2-19-1-cwmp-full.xml", "--out", "gen/"]);
 * ```
 */
export async function genCommand(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        xml: { type: "string" },
        table: { type: "string" },
        out: { type: "string" },
        profile: { type: "string", multiple: true },
        prefix: { type: "string", multiple: true },
        version: { type: "string" },
        status: { type: "string" },
        mount: { type: "string" },
        import: { type: "string" },
        "no-stubs": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`gen: ${(error as Error).message}\n\n${GEN_USAGE}`);
    return 1;
  }
  if (values.help) {
    console.log(GEN_USAGE);
    return 0;
  }
  if ((!values.xml === !values.table) || !values.out) {
    console.error(
      `gen: give exactly one of --xml and --table, and --out\n\n${GEN_USAGE}`,
    );
    return 1;
  }
  if (values.status && !["current", "default", "all"].includes(values.status)) {
    console.error(`gen: --status must be current, default or all`);
    return 1;
  }
  const out = resolvePath(values.out);
  try {
    const model = values.xml
      ? await readDataModel(values.xml)
      : await readParameterTable(values.table!);
    const selection: Selection = {
      status: values.status as Selection["status"],
      ...(values.profile ? { profiles: values.profile } : {}),
      ...(values.prefix ? { prefixes: values.prefix } : {}),
      ...(values.version ? { version: values.version } : {}),
      ...(values.mount ? { mount: values.mount } : {}),
    };
    const selected = selectModel(model, selection);
    const importFrom = values.import ?? relativeImport(out, MOD_TS);
    await Deno.mkdir(out, { recursive: true });
    await Deno.writeTextFile(
      `${out}/definitions.ts`,
      definitionsModule(selected, importFrom),
    );
    let report = { files: [], added: [], removed: [] } as ReturnType<
      typeof generateStubs
    >;
    if (!values["no-stubs"]) {
      const stubDir = `${out}/stubs`;
      await Deno.mkdir(stubDir, { recursive: true });
      const existing = new Map<string, string>();
      for await (const entry of Deno.readDir(stubDir)) {
        if (entry.isFile && entry.name.endsWith(".ts")) {
          existing.set(
            entry.name,
            await Deno.readTextFile(`${stubDir}/${entry.name}`),
          );
        }
      }
      report = generateStubs(
        selected,
        existing,
        values.import ?? relativeImport(stubDir, MOD_TS),
      );
      for (const file of report.files) {
        await Deno.writeTextFile(`${stubDir}/${file.path}`, file.text);
      }
      // A stub file whose object is gone was saved as .removed.txt; the .ts goes.
      for (
        const file of report.files.filter((f) =>
          f.path.endsWith(".removed.txt")
        )
      ) {
        await Deno.remove(
          `${stubDir}/${file.path.replace(/\.removed\.txt$/, ".ts")}`,
        ).catch(() => {});
      }
    }
    console.log(summary(selected, report));
    return 0;
  } catch (error) {
    console.error(`gen: ${(error as Error).message}`);
    return 1;
  }
}

function relativeImport(fromDir: string, target: string): string {
  const path = relative(fromDir, target);
  return path.startsWith(".") ? path : `./${path}`;
}

if (import.meta.main) Deno.exit(await genCommand(Deno.args));
