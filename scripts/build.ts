/**
 * Builds the agent for a device.
 *
 *   deno task bundle [--profile strict|standard|lab [--ca FILE]... ...]
 *       dist/cwmp-agent.js (one JavaScript file, built offline) and
 *       dist/cwmp-agent (a launcher that runs it under the permissions the
 *       configuration needs).
 *   deno task compile --target x86_64-unknown-linux-gnu|aarch64-unknown-linux-gnu
 *       --profile strict|standard|lab [--ca FILE]... [--pin PIN]...
 *       [--min-tls-version 1.2|1.3] [--client-cert-required] --config FILE
 *       dist/cwmp-agent-<target>: one binary with the TLS profile, the
 *       permissions and the configuration path embedded.
 *
 * The profile flags are those of `deno task profile`. The profile is written
 * to dist/build/ and put in place by an import map, so a build never changes
 * the source tree's own profile (lab, for the demo and the tests). `deno compile`
 *       downloads its runtime unless DENORT_BIN names a local denort binary
 *       for the target; never point DENORT_BIN at the full `deno` binary (the
 *       result would be a REPL with every permission).
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { resolveConfig } from "../src/config/agent_config.ts";
import { BUILD_PROFILE } from "../src/tls/build_profile.ts";
import {
  type TlsProfileName,
  TRUST_WIDENING_VARIABLES,
} from "../src/tls/profile.ts";
import { CHILD_ENV_PASSED } from "../src/sandbox/child_env.ts";
import {
  computePermissions,
  CPE_V8_FLAGS,
  permissionFlags,
} from "../src/sandbox/permissions.ts";

/** The targets Deno can compile for that CPEs run. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
] as const;

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const MAIN = `${ROOT}src/cli/main.ts`;

/** What `deno compile` is run with. */
export interface CompilePlan {
  /** The arguments after `deno`. */
  readonly args: readonly string[];
  /** The output binary. */
  readonly output: string;
}

/**
 * The `deno compile` command line for a target and configuration: the
 * import map that puts the chosen TLS profile in place, the computed
 * permissions (no prompts), the V8 flags for a memory-tight CPE, and
 * `run --config FILE --sandboxed` as the binary's built-in arguments. No
 * `--include` is needed: the profile module carries its CAs, and the default
 * snapshot is imported as a module.
 */
export function compilePlan(
  target: string,
  configFile: string,
  config: unknown,
  importMap: string,
): CompilePlan {
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw new Error(
      `--target must be one of ${TARGETS.join(", ")}, got ${target}`,
    );
  }
  const resolved = resolveConfig(config, {});
  const output = `${ROOT}dist/cwmp-agent-${target}`;
  return {
    output,
    args: [
      "compile",
      "--target",
      target,
      "--output",
      output,
      "--import-map",
      importMap,
      ...permissionFlags(computePermissions(resolved, configFile)),
      CPE_V8_FLAGS,
      MAIN,
      "run",
      "--config",
      configFile,
      "--sandboxed",
    ],
  };
}

/** The profile flags `compile` and `bundle` take, as `deno task profile` does. */
const PROFILE_OPTIONS = {
  profile: { type: "string" },
  ca: { type: "string", multiple: true },
  pin: { type: "string", multiple: true },
  "min-tls-version": { type: "string" },
  "client-cert-required": { type: "boolean" },
} as const;

/** The parsed profile flags. */
export interface ProfileFlags {
  /** strict, standard or lab. */
  readonly profile: string;
  /** CA files to embed. */
  readonly ca?: readonly string[];
  /** Pins. */
  readonly pin?: readonly string[];
  /** "1.2" or "1.3". */
  readonly "min-tls-version"?: string;
  /** Require a client certificate. */
  readonly "client-cert-required"?: boolean;
}

/**
 * Writes the TLS profile for a build into `buildDir` (not into the source
 * tree, which keeps its own profile) and an import map that puts it in place
 * of `src/tls/build_profile.ts`; returns the import map's path, or the exit
 * code of `deno task profile` when it refused the flags.
 */
export async function prepareProfile(
  flags: ProfileFlags,
  buildDir: string,
): Promise<string | number> {
  const module = `${buildDir}/build_profile.ts`;
  const code = await run([
    "run",
    "--allow-read",
    `--allow-write=${buildDir}`,
    `${ROOT}scripts/make_profile.ts`,
    flags.profile,
    ...(flags.ca ?? []).flatMap((ca) => ["--ca", ca]),
    ...(flags.pin ?? []).flatMap((pin) => ["--pin", pin]),
    ...(flags["min-tls-version"]
      ? ["--min-tls-version", flags["min-tls-version"]]
      : []),
    ...(flags["client-cert-required"] ? ["--client-cert-required"] : []),
    "--out",
    module,
  ]);
  if (code !== 0) return code;
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    imports?: Record<string, string>;
  };
  const importMap = `${buildDir}/import_map.json`;
  await Deno.writeTextFile(
    importMap,
    JSON.stringify(
      {
        imports: {
          ...config.imports,
          [toFileUrl(`${ROOT}src/tls/build_profile.ts`)]: toFileUrl(module),
        },
      },
      null,
      2,
    ) + "\n",
  );
  return importMap;
}

function toFileUrl(path: string): string {
  return new URL(`file://${path}`).href;
}

/**
 * The bundle's launcher: it asks the bundle which permissions the
 * configuration needs, then runs it under exactly those, in an environment
 * holding only what Deno needs to find its cache (see
 * `src/sandbox/child_env.ts`): a standard build leaves the TLS variables
 * behind and names them, a strict one passes them so that the agent
 * refuses to start naming them, and empties Deno's root store.
 */
export function launcherScript(profile: TlsProfileName): string {
  const pass = (names: readonly string[]) =>
    names.map((name) => `\${${name}+"${name}=$${name}"}`).join(" ");
  const tls = [...TRUST_WIDENING_VARIABLES, "DENO_TLS_CA_STORE"];
  const env = [
    "env -i",
    pass(CHILD_ENV_PASSED),
    ...(profile === "standard" ? [] : [
      pass(
        profile === "strict" ? TRUST_WIDENING_VARIABLES : tls,
      ),
    ]),
    ...(profile === "strict" ? ["DENO_TLS_CA_STORE="] : []),
  ].join(" ");
  return `#!/bin/sh
# cwmp-agent launcher: runs the bundled agent under the permissions its configuration needs.
# Usage: cwmp-agent [agent run flags], e.g. cwmp-agent --config /etc/cwmp-agent.json
set -eu
here=$(cd "$(dirname "$0")" && pwd)
deno=$(command -v "\${DENO:-deno}")
${
    profile === "standard"
      ? `for name in ${tls.join(" ")}; do
  eval "isset=\\\${$name+x}"
  if [ -n "$isset" ]; then
    echo "cwmp-agent: $name is not passed to the agent: the standard TLS profile does not let the environment change whom it trusts" >&2
  fi
done
`
      : profile === "strict"
      ? "# The strict TLS profile trusts its embedded CAs only: no root store.\n"
      : ""
  }flags=$(${env} "$deno" run --no-prompt --allow-read "$here/cwmp-agent.js" permissions "$@")
exec ${env} "$deno" run ${CPE_V8_FLAGS} $flags "$here/cwmp-agent.js" run "$@" --sandboxed
`;
}

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<number> {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return code;
}

async function bundle(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: PROFILE_OPTIONS });
  // Without --profile the bundle carries the source tree's profile.
  let profile: TlsProfileName = BUILD_PROFILE.name;
  let importMap: string[] = [];
  if (values.profile !== undefined) {
    const prepared = await prepareProfile(
      { ...values, profile: values.profile },
      `${ROOT}dist/build/bundle`,
    );
    if (typeof prepared === "number") return prepared;
    profile = values.profile as TlsProfileName;
    importMap = ["--import-map", prepared];
  }
  await Deno.mkdir(`${ROOT}dist`, { recursive: true });
  const code = await run([
    "bundle",
    "--platform",
    "deno",
    "--quiet",
    ...importMap,
    "-o",
    `${ROOT}dist/cwmp-agent.js`,
    MAIN,
  ]);
  if (code !== 0) return code;
  await Deno.writeTextFile(`${ROOT}dist/cwmp-agent`, launcherScript(profile));
  await Deno.chmod(`${ROOT}dist/cwmp-agent`, 0o755);
  console.log(
    `wrote dist/cwmp-agent.js and dist/cwmp-agent (TLS profile ${profile})`,
  );
  return 0;
}

async function compile(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      target: { type: "string" },
      config: { type: "string" },
      ...PROFILE_OPTIONS,
    },
  });
  if (!values.target || !values.profile || !values.config) {
    console.error(
      "Usage: deno task compile --target TARGET --profile strict|standard|lab [--ca FILE]... [--pin PIN]... [--min-tls-version 1.2|1.3] [--client-cert-required] --config FILE",
    );
    return 1;
  }
  const denort = Deno.env.get("DENORT_BIN");
  if (!denort) {
    console.error(
      "compile: deno compile needs the Deno runtime (denort) for the target and would download it, which this\n" +
        "machine cannot. Provide one: download denort-<target>.zip of Deno 2.9.6 on a connected machine, copy the\n" +
        "`denort` binary here, and run with DENORT_BIN=/path/to/denort. Never use the full `deno` binary.\n" +
        "`deno task bundle` builds a single JS file and launcher offline instead.",
    );
    return 1;
  }
  const configFile = fileURLToPath(
    new URL(values.config, `file://${Deno.cwd()}/`),
  );
  const importMap = await prepareProfile(
    { ...values, profile: values.profile },
    `${ROOT}dist/build/${values.target}`,
  );
  if (typeof importMap === "number") return importMap;
  const plan = compilePlan(
    values.target,
    configFile,
    JSON.parse(await Deno.readTextFile(configFile)),
    importMap,
  );
  await Deno.mkdir(`${ROOT}dist`, { recursive: true });
  const code = await run([...plan.args], { DENORT_BIN: denort });
  if (code === 0) console.log(`wrote ${plan.output}`);
  return code;
}

if (import.meta.main) {
  const [command, ...rest] = Deno.args;
  Deno.exit(
    command === "bundle"
      ? await bundle(rest)
      : command === "compile"
      ? await compile(rest)
      : 1,
  );
}
