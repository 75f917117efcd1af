/** The Digest verifier's nonces: checked by their MAC, not remembered. */
import assert from "node:assert/strict";
import { DigestVerifier } from "../../src/transport/digest_server.ts";
import {
  digestAuthorization,
  parseDigestChallenge,
} from "../../src/transport/digest.ts";

const credentials = { username: "acs", password: "cr-secret" };
const request = { method: "GET", uri: "/cr" };

function authorize(challenge: string, nc = 1, nonce?: string): string {
  const parsed = parseDigestChallenge(challenge)!;
  return digestAuthorization({
    challenge: nonce ? { ...parsed, nonce } : parsed,
    ...credentials,
    ...request,
    cnonce: "0a4f113b",
    nc,
  });
}

Deno.test("a nonce stays good however many challenges follow it", () => {
  const verifier = new DigestVerifier({ realm: "cr", maxNonces: 4 });
  const first = verifier.challenge();
  for (let i = 0; i < 100_000; i++) verifier.challenge();
  assert.deepStrictEqual(
    verifier.verify(authorize(first), request, credentials),
    { ok: true, username: "acs" },
  );
});

Deno.test("a nonce with a forged time, or from another verifier, is unknown", () => {
  const verifier = new DigestVerifier({ realm: "cr" });
  const nonce = parseDigestChallenge(verifier.challenge())!.nonce;
  const [body, mac] = nonce.split(".");
  const [, counter] = body.split("-");
  const forged = `${(Date.now() + 3_600_000).toString(36)}-${counter}.${mac}`;
  const check = verifier.verify(
    authorize(verifier.challenge(), 1, forged),
    request,
    credentials,
  );
  assert.deepStrictEqual(check, {
    ok: false,
    stale: true,
    reason: "unknown nonce",
  });
  const other = new DigestVerifier({ realm: "cr" });
  assert.equal(
    other.verify(authorize(verifier.challenge()), request, credentials).ok,
    false,
  );
});

Deno.test("nonces expire, counts may not go back, and forgetting a count retires older nonces", () => {
  let t = 1_000_000;
  const verifier = new DigestVerifier({
    realm: "cr",
    nonceLifetimeMs: 1000,
    maxNonces: 2,
    now: () => t,
  });
  const a = verifier.challenge();
  assert.equal(verifier.verify(authorize(a, 1), request, credentials).ok, true);
  assert.deepStrictEqual(
    verifier.verify(authorize(a, 1), request, credentials),
    {
      ok: false,
      stale: false,
      reason: "replayed nonce count",
    },
  );
  assert.equal(verifier.verify(authorize(a, 2), request, credentials).ok, true);
  // Two more nonces used: a's count is forgotten, so a may not come back.
  t += 1;
  const b = verifier.challenge();
  t += 1;
  const c = verifier.challenge();
  assert.equal(verifier.verify(authorize(b, 1), request, credentials).ok, true);
  assert.equal(verifier.verify(authorize(c, 1), request, credentials).ok, true);
  const replay = verifier.verify(authorize(a, 3), request, credentials);
  assert.equal(replay.ok, false);
  assert.equal(!replay.ok && replay.stale, true);
  t += 2000;
  const expired = verifier.verify(authorize(c, 2), request, credentials);
  assert.deepStrictEqual(expired, {
    ok: false,
    stale: true,
    reason: "expired nonce",
  });
});
