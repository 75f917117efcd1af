/** TLS profiles: what each accepts, and strict's refusal of a widened environment. */
import assert from "node:assert/strict";
import {
  environmentProblems,
  environmentWarnings,
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
});

Deno.test("standard refuses the same variables and a root store other than Deno's; lab warns about each", () => {
  for (const name of TRUST_WIDENING_VARIABLES) {
    const problems = environmentProblems(standard, { [name]: "x" });
    assert.deepStrictEqual(problems, [
      `${name} is set: the standard TLS profile refuses to start with it`,
    ]);
    assert.deepStrictEqual(environmentProblems(lab, { [name]: "x" }), []);
    assert.deepStrictEqual(environmentWarnings(lab, { [name]: "x" }), [
      `${name} is set: the lab TLS profile lets it change whom the agent trusts`,
    ]);
  }
  assert.deepStrictEqual(environmentProblems(standard, {}), []);
  assert.deepStrictEqual(
    environmentProblems(standard, { DENO_TLS_CA_STORE: "mozilla" }),
    [],
  );
  assert.deepStrictEqual(
    environmentProblems(standard, { DENO_TLS_CA_STORE: "" }),
    [],
    "an empty store only narrows",
  );
  assert.match(
    environmentProblems(standard, { DENO_TLS_CA_STORE: "mozilla,system" })[0],
    /DENO_TLS_CA_STORE is "mozilla,system"/,
  );
  assert.deepStrictEqual(environmentWarnings(standard, { DENO_CERT: "x" }), []);
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
    { caCerts: [], pins: [], minTlsVersion: "TLSv1.2" },
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
    {
      caCerts: [ROOT],
      pins: [],
      minTlsVersion: "TLSv1.2",
      cert: "c",
      key: "k",
    },
  );
  assert.deepStrictEqual(
    tlsSettings(standard, { acsUrl: "https://acs/", caFile: "EXTRA" }).caCerts,
    [ROOT, "EXTRA"],
  );
  assert.equal(redirectAllowed(standard, new URL("http://other/")), false);
  // Pins and TLS 1.3-only cannot be enforced on Deno's root store: with no named CA they are refused.
  const pinnedLab: TlsProfile = {
    ...lab,
    pins: ["sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="],
  };
  assert.throws(
    () => tlsSettings(pinnedLab, { acsUrl: "https://acs/" }),
    (e) => e instanceof TlsProfileError && /named CA/.test(e.message),
  );
  assert.equal(
    tlsSettings(pinnedLab, { acsUrl: "https://acs/", caFile: ROOT }).pins
      .length,
    1,
  );
  assert.throws(
    () =>
      tlsSettings({ ...standard, minTlsVersion: "1.3", caCerts: [] }, {
        acsUrl: "https://acs/",
      }),
    /TLS 1\.3/,
  );
  assert.throws(
    () =>
      tlsSettings({ ...strict, pins: ["nonsense"] }, { cert: "c", key: "k" }),
    (e) => e instanceof TlsProfileError && /pin nonsense/.test(e.message),
  );
  assert.equal(redirectAllowed(lab, new URL("http://other/")), true);
});

/** `agent run` arguments: a state directory, the ACS, no fixed listener port, JSON log. */
function agentArgs(dir: string, acsUrl: string, extra: string[]): string[] {
  return [
    "--state-dir",
    dir,
    "--acs-url",
    acsUrl,
    "--cr-port",
    "0",
    "--log-format",
    "json",
    ...extra,
  ];
}

/** Runs `agent run` in process under a profile and environment; returns the exit code and log. */
async function runUnder(
  profile: TlsProfile,
  env: Record<string, string>,
  acsUrl: string,
  extraArgs: string[] = [],
) {
  const dir = await Deno.makeTempDir();
  const err: string[] = [];
  try {
    const code = await runCommand(
      agentArgs(dir, acsUrl, extraArgs),
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

Deno.test("agent run under strict refuses to start with each trust-widening variable set, and names it", async () => {
  for (const name of TRUST_WIDENING_VARIABLES) {
    const { code, log } = await runUnder(strict, {
      DENO_TLS_CA_STORE: "",
      [name]: "/tmp/x",
    }, "https://127.0.0.1:9/acs");
    assert.equal(code, 1, name);
    assert.match(log, new RegExp(`"problem":"${name} is set`), name);
    assert.doesNotMatch(log, /agent started/);
  }
  // Where no child is started (already sandboxed, or not allowed to run Deno), nobody empties the store for it.
  const { code, log } = await runUnder(
    strict,
    {
      DENO_TLS_CA_STORE: "mozilla",
    },
    "https://127.0.0.1:9/acs",
    ["--sandboxed"],
  );
  assert.equal(code, 1);
  assert.match(log, /DENO_TLS_CA_STORE must be set to an empty string/);
  // Allowed to start a sandboxed child, the agent gives it the empty store instead of refusing.
  const relaunched = await runUnder(strict, {}, "https://127.0.0.1:9/acs");
  assert.doesNotMatch(relaunched.log, /DENO_TLS_CA_STORE/);
});

Deno.test("agent run under standard refuses an http ACS URL at start", async () => {
  const { code, log } = await runUnder(standard, {}, "http://127.0.0.1:9/acs");
  assert.equal(code, 1);
  assert.match(log, /https URLs only/);
});

/**
 * Runs `agent run` in this process (`--sandboxed`: no re-launch, so the test's profile
 * holds) against an https ACS until its first session ends; returns the parsed log.
 */
async function firstSessionUnder(profile: TlsProfile, acsUrl: string) {
  const dir = await Deno.makeTempDir();
  const lines: Record<string, unknown>[] = [];
  const { promise: sessionLogged, resolve } = Promise.withResolvers<void>();
  try {
    const code = await runCommand(
      agentArgs(dir, acsUrl, [
        "--cert-file",
        `${CERTS}cpe-client.chain.pem`,
        "--key-file",
        `${CERTS}cpe-client.key`,
        "--sandboxed",
      ]),
      {
        readFile: (p) => Deno.readFile(p),
        stdin: new Blob([]).stream(),
        stdout: () => {},
        stderr: (text) => {
          for (const line of text.split("\n").filter(Boolean)) {
            const entry = JSON.parse(line);
            lines.push(entry);
            if (entry.msg === "session") resolve();
          }
        },
      },
      sessionLogged,
      profile,
      { DENO_TLS_CA_STORE: "" },
    );
    const queue = JSON.parse(
      await Deno.readTextFile(`${dir}/event-queue.json`),
    );
    return { code, lines, queue };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const CERTS = new URL("../../certs/", import.meta.url).pathname;

Deno.test("agent run under a pinned strict profile: the pinned ACS gets its session; an unpinned valid one is refused, logged, retried", async () => {
  const { FixtureAcs } = await import("../../src/acs/fixture.ts");
  const { spkiPin } = await import("../../src/tls/pin_match.ts");
  const { X509Certificate } = await import("node:crypto");
  const keyPin = (file: string) =>
    spkiPin(
      new Uint8Array(
        new X509Certificate(Deno.readTextFileSync(`${CERTS}${file}`)).raw,
      ),
    );
  const acs = new FixtureAcs({
    tls: {
      cert: Deno.readTextFileSync(`${CERTS}acs-server.chain.pem`),
      key: Deno.readTextFileSync(`${CERTS}acs-server.key`),
    },
  });
  await acs.start();
  try {
    const pinned = await firstSessionUnder(
      { ...strict, pins: [keyPin("acs-server.crt")], minTlsVersion: "1.3" },
      acs.url,
    );
    assert.equal(pinned.code, 0);
    const ok = pinned.lines.find((l) => l.msg === "session");
    assert.equal(ok?.outcome, "success", JSON.stringify(ok));
    assert.equal(acs.sessions.length, 1);

    const unpinned = await firstSessionUnder(
      { ...strict, pins: [keyPin("unknown-ca.crt")] },
      acs.url,
    );
    assert.equal(unpinned.code, 0, "the agent ran on and stopped cleanly");
    const refused = unpinned.lines.find((l) => l.msg === "session");
    assert.equal(refused?.outcome, "failure");
    assert.match(
      String(refused?.reason),
      /failed: the certificate chain matches none of the profile's pins/,
    );
    assert.equal(acs.sessions.length, 1, "no request reached the ACS");
    assert.equal(unpinned.queue.retryCount, 1);
    assert.ok(
      Date.parse(unpinned.queue.nextSession) > Date.now(),
      "a retry is scheduled",
    );
    assert.ok(
      unpinned.queue.events.some((e: { eventCode: string }) =>
        e.eventCode === "0 BOOTSTRAP"
      ),
      "BOOTSTRAP is kept for the retry",
    );
  } finally {
    await acs.stop();
  }
});

Deno.test("agent run under strict: each certificate of the bad matrix is refused, logged with its reason, and a retry scheduled", async () => {
  const { FixtureAcs } = await import("../../src/acs/fixture.ts");
  const BAD: [string, string, RegExp][] = [
    ["unknown-issuer.crt", "unknown-issuer.key", /UnknownIssuer/i],
    ["wrong-host.chain.pem", "wrong-host.key", /not valid for name/i],
    ["expired.chain.pem", "expired.key", /expired/i],
    ["not-yet-valid.chain.pem", "not-yet-valid.key", /not valid yet/i],
    [
      "no-server-auth.chain.pem",
      "no-server-auth.key",
      /server authentication/i,
    ],
  ];
  for (const [cert, key, reason] of BAD) {
    const acs = new FixtureAcs({
      tls: {
        cert: Deno.readTextFileSync(`${CERTS}${cert}`),
        key: Deno.readTextFileSync(`${CERTS}${key}`),
      },
    });
    await acs.start();
    try {
      const run = await firstSessionUnder(strict, acs.url);
      const refused = run.lines.find((l) => l.msg === "session");
      assert.equal(refused?.outcome, "failure", cert);
      assert.match(
        String(refused?.reason),
        /^TLS with 127\.0\.0\.1:\d+ failed: /,
        cert,
      );
      assert.match(String(refused?.reason), reason, cert);
      assert.equal(acs.sessions.length, 0, `${cert}: nothing reached the ACS`);
      assert.equal(run.queue.retryCount, 1, cert);
      assert.ok(Date.parse(run.queue.nextSession) > Date.now(), cert);
    } finally {
      await acs.stop();
    }
  }
});
