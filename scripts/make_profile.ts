/**
 * `deno task profile PROFILE [--ca FILE…] [--client-cert-required]` writes
 * src/tls/build_profile.ts, the TLS profile compiled into the agent.
 *
 * strict requires at least one --ca and implies --client-cert-required.
 */
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    ca: { type: "string", multiple: true },
    "client-cert-required": { type: "boolean" },
  },
});
const name = positionals[0];
if (name !== "strict" && name !== "standard" && name !== "lab") {
  console.error(
    "Usage: deno task profile strict|standard|lab [--ca FILE]... [--client-cert-required]",
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
const clientCertRequired = name === "strict" ||
  values["client-cert-required"] === true;
// Written in the layout `deno fmt` keeps, so a fresh profile passes `deno task check`.
const cas = caCerts.length === 0
  ? "[]"
  : `[\n${caCerts.map((c) => `    ${JSON.stringify(c)},\n`).join("")}  ]`;
const module =
  `// Written by \`deno task profile\`. The TLS profile compiled into the agent.
import type { TlsProfile } from "./profile.ts";

/** The build's TLS profile. */
export const BUILD_PROFILE: TlsProfile = {
  "name": ${JSON.stringify(name)},
  "caCerts": ${cas},
  "clientCertRequired": ${clientCertRequired},
};
`;
const target = new URL("../src/tls/build_profile.ts", import.meta.url);
await Deno.writeTextFile(target, module);
console.log(
  `TLS profile ${name} written to src/tls/build_profile.ts (${caCerts.length} embedded CA(s)${
    clientCertRequired ? ", client certificate required" : ""
  })`,
);
