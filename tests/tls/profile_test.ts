/** TLS profiles: what each accepts, and strict's refusal of a widened environment. */
import assert from "node:assert/strict";
import {
  environmentProblems,
  redirectAllowed,
  type TlsProfile,
  TlsProfileError,
  tlsSettings,
  TRUST_WIDENING_VARIABLES,
} from "../../src/tls/profile.ts";
import { runCommand } from "../../src/cli/run.ts";

const ROOT = Deno.readTextFileSync(
  new URL("../../certs/root-ca.crt", import.meta.url),
);
const strict: TlsProfile = {
  name: "strict",
  caCerts: [ROOT],
  clientCertRequired: true,
};
const standard: TlsProfile = {
  name: "standard",
  caCerts: [ROOT],
  clientCertRequired: false,
};
const lab: TlsProfile = { name: "lab", caCerts: [], clientCertRequired: false };

Deno.test("strict refuses every trust-widening or key-logging variable, naming it", () => {
  assert.deepStrictEqual(
    environmentProblems(strict, { DENO_TLS_CA_STORE: "" }),
    [],
  );
  for (const name of TRUST_WIDENING_VARIABLES) {
    const problems = environmentProblems(strict, {
      DENO_TLS_CA_STORE: "",
      [name]: "x",
    });
    assert.equal(problems.length, 1, name);
    assert.match(problems[0], new RegExp(`^${name} is set`));
  }
  assert.match(
    environmentProblems(strict, {})[0],
    /DENO_TLS_CA_STORE must be set to an empty string/,
  );
  assert.deepStrictEqual(
    environmentProblems(standard, { SSLKEYLOGFILE: "/tmp/k" }),
    [],
  );
});

Deno.test("strict and standard reject an http ACS URL at config load; lab accepts it", () => {
  for (const profile of [strict, standard]) {
    assert.throws(
      () =>
        tlsSettings(profile, {
          acsUrl: "http://acs.example.net/",
          cert: "c",
          key: "k",
        }),
      (e) => e instanceof TlsProfileError && /acs-url/.test(e.message),
    );
  }
  assert.deepStrictEqual(
    tlsSettings(lab, { acsUrl: "http://127.0.0.1:7547/" }),
    { caCerts: [] },
  );
});

Deno.test("configuration narrows but never widens: strict takes no extra CA and needs a client certificate", () => {
  assert.throws(
    () =>
      tlsSettings(strict, {
        acsUrl: "https://acs/",
        caFile: ROOT,
        cert: "c",
        key: "k",
      }),
    /ca-file/,
  );
  assert.throws(
    () => tlsSettings(strict, { acsUrl: "https://acs/" }),
    /cert-file/,
  );
  assert.deepStrictEqual(
    tlsSettings(strict, { acsUrl: "https://acs/", cert: "c", key: "k" }),
    { caCerts: [ROOT], cert: "c", key: "k" },
  );
  assert.deepStrictEqual(
    tlsSettings(standard, { acsUrl: "https://acs/", caFile: "EXTRA" }).caCerts,
    [ROOT, "EXTRA"],
  );
  assert.equal(redirectAllowed(standard, new URL("http://other/")), false);
  assert.equal(redirectAllowed(lab, new URL("http://other/")), true);
});

/** Runs `agent run` in process under a profile and environment; returns the exit code and log. */
async function runUnder(
  profile: TlsProfile,
  env: Record<string, string>,
  acsUrl: string,
) {
  const dir = await Deno.makeTempDir();
  const err: string[] = [];
  try {
    const code = await runCommand(
      [
        "--state-dir",
        dir,
        "--acs-url",
        acsUrl,
        "--cr-port",
        "0",
        "--log-format",
        "json",
      ],
      {
        readFile: (p) => Deno.readFile(p),
        stdin: new Blob([]).stream(),
        stdout: () => {},
        stderr: (t) => err.push(t),
      },
      Promise.resolve(),
      profile,
      env,
    );
    return { code, log: err.join("") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("agent run under strict refuses to start when SSLKEYLOGFILE is set, and says why", async () => {
  const { code, log } = await runUnder(strict, {
    DENO_TLS_CA_STORE: "",
    SSLKEYLOGFILE: "/tmp/keys",
  }, "https://127.0.0.1:9/acs");
  assert.equal(code, 1);
  assert.match(log, /SSLKEYLOGFILE is set/);
});

Deno.test("agent run under standard refuses an http ACS URL at start", async () => {
  const { code, log } = await runUnder(standard, {}, "http://127.0.0.1:9/acs");
  assert.equal(code, 1);
  assert.match(log, /https URLs only/);
});
