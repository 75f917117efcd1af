/**
 * `deno task profile PROFILE [--ca FILE…] [--pin PIN…] [--min-tls-version 1.2|1.3]
 * [--client-cert-required]` writes src/tls/build_profile.ts, the TLS profile
 * compiled into the agent.
 *
 * strict requires at least one --ca and implies --client-cert-required. A pin
 * is `sha256/BASE64` (public key) or a SHA-256 certificate fingerprint in hex.
 */
import { parseArgs } from "node:util";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parsePin, PinError } from "../src/tls/pins.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    ca: { type: "string", multiple: true },
    pin: { type: "string", multiple: true },
    "min-tls-version": { type: "string", default: "1.2" },
    "client-cert-required": { type: "boolean" },
    // Where to write; the build uses the default. Tests write elsewhere.
    out: { type: "string" },
  },
});
const name = positionals[0];
if (name !== "strict" && name !== "standard" && name !== "lab") {
  console.error(
    "Usage: deno task profile strict|standard|lab [--ca FILE]... [--pin PIN]... [--min-tls-version 1.2|1.3] [--client-cert-required]",
  );
  Deno.exit(1);
}
const caCerts = [];
for (const file of values.ca ?? []) {
  const text = await Deno.readTextFile(file);
  if (!text.includes("-----BEGIN CERTIFICATE-----")) {
    console.error(`profile: ${file} holds no PEM certificate`);
    Deno.exit(1);
  }
  caCerts.push(text.trim() + "\n");
}
if (name === "strict" && caCerts.length === 0) {
  console.error(
    "profile: strict needs at least one --ca: it trusts nothing else",
  );
  Deno.exit(1);
}
const minTlsVersion = values["min-tls-version"];
if (minTlsVersion !== "1.2" && minTlsVersion !== "1.3") {
  console.error(
    `profile: --min-tls-version is 1.2 or 1.3, not ${minTlsVersion}`,
  );
  Deno.exit(1);
}
const pins = values.pin ?? [];
for (const pin of pins) {
  try {
    parsePin(pin);
  } catch (error) {
    if (!(error instanceof PinError)) throw error;
    console.error(`profile: ${error.message}`);
    Deno.exit(1);
  }
}
const clientCertRequired = name === "strict" ||
  values["client-cert-required"] === true;
// Written in the layout `deno fmt` keeps, so a fresh profile passes `deno task check`.
const cas = caCerts.length === 0
  ? "[]"
  : `[\n${caCerts.map((c) => `    ${JSON.stringify(c)},\n`).join("")}  ]`;
const target = values.out !== undefined
  ? resolve(values.out)
  : fileURLToPath(new URL("../src/tls/build_profile.ts", import.meta.url));
// A profile written elsewhere (a build directory) still names the type it implements.
let profileTypes = relative(
  dirname(target),
  fileURLToPath(new URL("../src/tls/profile.ts", import.meta.url)),
);
if (!profileTypes.startsWith(".")) profileTypes = `./${profileTypes}`;
const module =
  `// Written by \`deno task profile\`. The TLS profile compiled into the agent.
import type { TlsProfile } from ${JSON.stringify(profileTypes)};

/** The build's TLS profile. */
export const BUILD_PROFILE: TlsProfile = {
  "name": ${JSON.stringify(name)},
  "caCerts": ${cas},
  "clientCertRequired": ${clientCertRequired},
  "pins": ${
    pins.length === 0
      ? "[]"
      : `[\n${
        pins.map((p) => `    ${JSON.stringify(p.trim())},\n`).join("")
      }  ]`
  },
  "minTlsVersion": ${JSON.stringify(minTlsVersion)},
};
`;
try {
  await Deno.stat(dirname(target));
} catch {
  await Deno.mkdir(dirname(target), { recursive: true });
}
await Deno.writeTextFile(target, module);
console.log(
  `TLS profile ${name} written to ${
    values.out ?? "src/tls/build_profile.ts"
  } (${caCerts.length} embedded CA(s), ${pins.length} pin(s), TLS ${minTlsVersion}+${
    clientCertRequired ? ", client certificate required" : ""
  })`,
);
