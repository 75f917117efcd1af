/**
 * The TLS matrix over real sockets: the agent's session against the fixture
 * ACS serving each certificate of the test PKI (certs/).
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { buildInform } from "../../src/session/inform.ts";
import { runSession } from "../../src/session/runner.ts";
import type { AcsClientOptions } from "../../src/transport/acs_client.ts";
import { parsePin } from "../../src/tls/pins.ts";
import { spkiPin } from "../../src/tls/pin_match.ts";
import { X509Certificate } from "node:crypto";
import { simContext } from "../_helpers/device.ts";

const CERTS = new URL("../../certs/", import.meta.url).pathname;
const pem = (name: string) => Deno.readTextFileSync(`${CERTS}${name}`);
const ROOT = pem("root-ca.crt");

async function sessionAgainst(
  serverCert: string,
  serverKey: string,
  caCerts = [ROOT],
  client: Partial<AcsClientOptions> = {},
) {
  const acs = new FixtureAcs({
    tls: { cert: pem(serverCert), key: pem(serverKey) },
  });
  await acs.start();
  try {
    const context = await simContext();
    const inform = await buildInform(context, {
      events: [{ eventCode: "1 BOOT", commandKey: "" }],
      retryCount: 0,
      now: new Date(),
    });
    const result = await runSession({
      url: acs.url,
      context,
      start: { inform },
      client: { caCerts, ...client },
    });
    return { result, requests: acs.sessions.length };
  } finally {
    await acs.stop();
  }
}

Deno.test("the valid chain (root → intermediate → ACS) gives a session", async () => {
  const { result, requests } = await sessionAgainst(
    "acs-server.chain.pem",
    "acs-server.key",
  );
  assert.equal(result.outcome, "success", result.reason);
  assert.equal(requests, 1);
});

const REFUSALS: [string, string, string, RegExp][] = [
  [
    "an unknown CA",
    "unknown-issuer.crt",
    "unknown-issuer.key",
    /UnknownIssuer/i,
  ],
  [
    "a certificate for another host",
    "wrong-host.chain.pem",
    "wrong-host.key",
    /not valid for name|NotValidForName/i,
  ],
  ["an expired certificate", "expired.chain.pem", "expired.key", /expired/i],
  [
    "a certificate not yet valid",
    "not-yet-valid.chain.pem",
    "not-yet-valid.key",
    /not valid yet|not yet valid/i,
  ],
  [
    "a certificate without serverAuth",
    "no-server-auth.chain.pem",
    "no-server-auth.key",
    /usage|purpose/i,
  ],
];

for (const [what, cert, key, reason] of REFUSALS) {
  Deno.test(`${what} is refused before any request is sent, with the reason`, async () => {
    const { result, requests } = await sessionAgainst(cert, key);
    assert.equal(result.outcome, "failure");
    assert.equal(requests, 0, "nothing reached the ACS");
    assert.match(result.reason!, reason);
  });
}

Deno.test("without the test root the valid chain is refused too (no trust beyond what is given)", async () => {
  const { result, requests } = await sessionAgainst(
    "acs-server.chain.pem",
    "acs-server.key",
    [],
  );
  assert.equal(result.outcome, "failure");
  assert.equal(requests, 0);
  assert.match(result.reason!, /UnknownIssuer/i);
});

Deno.test("a self-signed ACS certificate is refused with words an operator can act on; named with --ca-file it is trusted", async () => {
  // Made as `openssl req -x509` makes them by default: CA:TRUE.
  const dir = await Deno.makeTempDir();
  try {
    const made = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        `${dir}/self.key`,
        "-out",
        `${dir}/self.crt`,
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(made.code, 0, new TextDecoder().decode(made.stderr));
    const cert = await Deno.readTextFile(`${dir}/self.crt`);
    const key = await Deno.readTextFile(`${dir}/self.key`);
    for (const caCerts of [[cert], []]) {
      const acs = new FixtureAcs({ tls: { cert, key } });
      await acs.start();
      try {
        const context = await simContext();
        const result = await runSession({
          url: acs.url,
          context,
          start: {
            inform: await buildInform(context, {
              events: [{ eventCode: "1 BOOT", commandKey: "" }],
              retryCount: 0,
              now: new Date(),
            }),
          },
          client: { caCerts },
        });
        if (caCerts.length > 0) {
          // Named, it is trusted as what it is: its own CA.
          assert.equal(result.outcome, "success", result.reason);
          continue;
        }
        assert.equal(result.outcome, "failure");
        assert.equal(acs.sessions.length, 0);
        assert.match(
          result.reason!,
          /CaUsedAsEndEntity: the ACS presents a CA certificate as its own \(typically a self-signed certificate/,
        );
        assert.doesNotMatch(result.reason!, /Other\(OtherError/);
      } finally {
        await acs.stop();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TLS failures never suggest bypassing certificate checks", async () => {
  const { result } = await sessionAgainst("expired.chain.pem", "expired.key");
  assert.doesNotMatch(result.reason!, /unsafely|ignore-certificate/i);
  assert.match(result.reason!, /^TLS with 127\.0\.0\.1:\d+ failed: /);
});

Deno.test("an ACS that requires a client certificate gets a session with it and refuses one without", async () => {
  const acs = new FixtureAcs({
    tls: {
      cert: pem("acs-server.chain.pem"),
      key: pem("acs-server.key"),
      clientCa: [ROOT],
    },
  });
  await acs.start();
  try {
    const context = await simContext();
    const session = async (client: Partial<AcsClientOptions>) =>
      await runSession({
        url: acs.url,
        context,
        start: {
          inform: await buildInform(context, {
            events: [{ eventCode: "1 BOOT", commandKey: "" }],
            retryCount: 0,
            now: new Date(),
          }),
        },
        client: { caCerts: [ROOT], timeoutMs: 5000, ...client },
      });
    const withCert = await session({
      cert: pem("cpe-client.chain.pem"),
      key: pem("cpe-client.key"),
    });
    assert.equal(withCert.outcome, "success", withCert.reason);
    assert.equal(acs.sessions.length, 1);
    const without = await session({});
    assert.equal(without.outcome, "failure");
    assert.equal(acs.sessions.length, 1, "no session without a certificate");
    // A certificate from another CA is refused too.
    const foreign = await session({
      cert: pem("unknown-issuer.crt"),
      key: pem("unknown-issuer.key"),
    });
    assert.equal(foreign.outcome, "failure");
    assert.equal(acs.sessions.length, 1);
  } finally {
    await acs.stop();
  }
});

const derOf = (name: string) =>
  new Uint8Array(new X509Certificate(pem(name)).raw);
const LEAF_KEY_PIN = spkiPin(derOf("acs-server.crt"));
const INTERMEDIATE_FINGERPRINT = new X509Certificate(pem("intermediate-ca.crt"))
  .fingerprint256;
const UNRELATED_KEY_PIN = spkiPin(derOf("unknown-ca.crt"));

Deno.test("a pinned profile accepts the server whose leaf key or intermediate certificate is pinned", async () => {
  for (const pin of [LEAF_KEY_PIN, INTERMEDIATE_FINGERPRINT]) {
    const { result, requests } = await sessionAgainst(
      "acs-server.chain.pem",
      "acs-server.key",
      [ROOT],
      { pins: [parsePin(pin)] },
    );
    assert.equal(result.outcome, "success", `${pin}: ${result.reason}`);
    assert.equal(requests, 1);
  }
});

Deno.test("a pinned profile refuses a valid but unpinned server before any request is sent", async () => {
  const { result, requests } = await sessionAgainst(
    "acs-server.chain.pem",
    "acs-server.key",
    [ROOT],
    { pins: [parsePin(UNRELATED_KEY_PIN)] },
  );
  assert.equal(result.outcome, "failure");
  assert.equal(requests, 0, "nothing reached the ACS");
  assert.match(
    result.reason!,
    /^TLS with 127\.0\.0\.1:\d+ failed: the certificate chain matches none of the profile's pins$/,
  );
});

Deno.test("pins do not replace verification: a pinned but expired certificate is still refused", async () => {
  const { result, requests } = await sessionAgainst(
    "expired.chain.pem",
    "expired.key",
    [ROOT],
    { pins: [parsePin(spkiPin(derOf("expired.crt")))] },
  );
  assert.equal(result.outcome, "failure");
  assert.equal(requests, 0);
  assert.match(result.reason!, /expired/i);
});
