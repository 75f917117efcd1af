/** Pins: both spellings, their errors, and the digests checked against openssl's. */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { parsePin, PinError } from "../../src/tls/pins.ts";
import { chainMatchesPins, spkiPin } from "../../src/tls/pin_match.ts";

const CERTS = new URL("../../certs/", import.meta.url);
const der = (name: string) =>
  new Uint8Array(
    new X509Certificate(Deno.readTextFileSync(new URL(name, CERTS))).raw,
  );
const LEAF = der("acs-server.crt");
const INTERMEDIATE = der("intermediate-ca.crt");
const UNKNOWN = der("unknown-ca.crt");

function opensslAvailable(): string | undefined {
  try {
    new Deno.Command("openssl", { args: ["version"], stdout: "null" })
      .outputSync();
    return undefined;
  } catch {
    return "openssl is not installed (Debian: apt-get install openssl)";
  }
}

async function openssl(
  args: string[],
  input?: Uint8Array,
): Promise<Uint8Array> {
  const child = new Deno.Command("openssl", {
    args,
    stdin: input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input) {
    const writer = child.stdin.getWriter();
    await writer.write(input);
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return stdout;
}

Deno.test("parsePin reads a public-key pin and a certificate fingerprint, with or without colons", () => {
  const spki = parsePin("sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  assert.equal(spki.kind, "spki");
  assert.equal(spki.sha256.length, 32);
  const hex =
    "5E:C4:36:30:99:C4:73:19:07:F6:93:1E:98:A7:FD:9A:A1:0B:66:CB:E4:29:B9:FC:65:78:1C:5A:CC:0B:B9:DD";
  const certificate = parsePin(hex);
  assert.equal(certificate.kind, "certificate");
  assert.deepStrictEqual(
    certificate.sha256,
    parsePin(hex.replaceAll(":", "").toLowerCase()).sha256,
  );
});

Deno.test("parsePin names the pin it cannot read and why", () => {
  for (
    const [pin, why] of [
      ["sha256/abc", /32 bytes, this is 2/],
      ["sha256/!!!", /not base64/],
      ["md5/abc", /expected sha256\/BASE64/],
      ["ABCD", /64 hex digits/],
    ] as const
  ) {
    assert.throws(
      () => parsePin(pin),
      (e) =>
        e instanceof PinError && e.message.includes(pin) && why.test(e.message),
      pin,
    );
  }
});

Deno.test(
  "the public-key pin is the SHA-256 of the SubjectPublicKeyInfo, as openssl computes it",
  (() => {
    const reason = opensslAvailable();
    if (reason && !Deno.env.get("CI")) {
      console.warn(`openssl cross-check skipped: ${reason}`);
    }
    return { ignore: reason !== undefined && !Deno.env.get("CI") };
  })(),
  async () => {
    for (const certificate of [LEAF, INTERMEDIATE]) {
      const pem = await openssl(
        ["x509", "-inform", "DER", "-pubkey", "-noout"],
        certificate,
      );
      const spki = await openssl(
        ["pkey", "-pubin", "-outform", "DER"],
        pem,
      );
      const digest = await openssl(["dgst", "-sha256", "-binary"], spki);
      assert.equal(
        spkiPin(certificate),
        `sha256/${btoa(String.fromCharCode(...digest))}`,
      );
      const fingerprint = new TextDecoder().decode(
        await openssl(
          ["x509", "-inform", "DER", "-noout", "-fingerprint", "-sha256"],
          certificate,
        ),
      ).trim().split("=")[1];
      assert.ok(chainMatchesPins([certificate], [parsePin(fingerprint)]));
    }
  },
);

Deno.test("a chain matches when any of its certificates matches any pin; no pins match everything", () => {
  const leafKey = parsePin(spkiPin(LEAF));
  const intermediateKey = parsePin(spkiPin(INTERMEDIATE));
  const unknownKey = parsePin(spkiPin(UNKNOWN));
  assert.ok(chainMatchesPins([LEAF, INTERMEDIATE], [leafKey]));
  assert.ok(
    chainMatchesPins([LEAF, INTERMEDIATE], [unknownKey, intermediateKey]),
  );
  assert.ok(!chainMatchesPins([LEAF, INTERMEDIATE], [unknownKey]));
  assert.ok(!chainMatchesPins([LEAF], [intermediateKey]));
  assert.ok(chainMatchesPins([LEAF], []));
  assert.ok(!chainMatchesPins([new Uint8Array([1, 2, 3])], [leafKey]));
  // A certificate pin is not a key pin: the same digest bytes under the other kind do not match.
  assert.ok(
    !chainMatchesPins([LEAF], [{
      kind: "certificate",
      sha256: leafKey.sha256,
    }]),
  );
});
