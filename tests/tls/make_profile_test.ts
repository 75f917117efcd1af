/** `deno task profile`: the module it writes, and what it refuses. */
import assert from "node:assert/strict";
import type { TlsProfile } from "../../src/tls/profile.ts";

const REPO = new URL("../../", import.meta.url).pathname;
const CERTS = `${REPO}certs/`;
const KEY_PIN = "sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

async function makeProfile(args: string[], out: string) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `--allow-write=${out}`,
      `${REPO}scripts/make_profile.ts`,
      ...args,
      "--out",
      out,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

Deno.test("profile strict with a CA, pins and TLS 1.3 writes a module holding exactly that, formatted", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/build_profile.ts`;
  try {
    const fingerprint = "AB:".repeat(31) + "AB";
    const r = await makeProfile([
      "strict",
      "--ca",
      `${CERTS}root-ca.crt`,
      "--pin",
      KEY_PIN,
      "--pin",
      fingerprint,
      "--min-tls-version",
      "1.3",
    ], out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /1 embedded CA\(s\), 2 pin\(s\), TLS 1\.3\+, client certificate required/,
    );
    const { BUILD_PROFILE } = await import(out) as {
      BUILD_PROFILE: TlsProfile;
    };
    assert.deepStrictEqual(BUILD_PROFILE, {
      name: "strict",
      caCerts: [Deno.readTextFileSync(`${CERTS}root-ca.crt`).trim() + "\n"],
      clientCertRequired: true,
      pins: [KEY_PIN, fingerprint],
      minTlsVersion: "1.3",
    });
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--check", out],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(fmt.code, 0, new TextDecoder().decode(fmt.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("profile refuses what it cannot build, saying why, and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/build_profile.ts`;
  try {
    for (
      const [args, why] of [
        [["strict"], /strict needs at least one --ca/],
        [
          ["standard", "--pin", "sha256/abc"],
          /pin sha256\/abc: a SHA-256 digest is 32 bytes/,
        ],
        [["standard", "--min-tls-version", "1.1"], /1\.2 or 1\.3, not 1\.1/],
        [
          ["standard", "--ca", `${CERTS}root-ca.key`],
          /holds no PEM certificate/,
        ],
        [["open"], /Usage: deno task profile/],
      ] as const
    ) {
      const r = await makeProfile([...args], out);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.stderr, why);
      await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
