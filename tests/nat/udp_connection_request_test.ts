/** UDP Connection Requests as GenieACS sends them: parsed, signed, replayed, forged. */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  MAX_UDP_REQUEST_BYTES,
  parseUdpConnectionRequest,
  udpRequestSignature,
  UdpRequestVerifier,
} from "../../src/nat/udp_connection_request.ts";

/** A datagram in the shape GenieACS 1.2 writes, signed with an independent HMAC. */
function datagram(
  fields: { ts: number; id: number; un: string; cn: string },
  password: string,
  sig = createHmac("sha1", password)
    .update(`${fields.ts}${fields.id}${fields.un}${fields.cn}`).digest("hex"),
): Uint8Array {
  const host = "198.51.100.20:7547";
  const uri =
    `http://${host}?ts=${fields.ts}&id=${fields.id}&un=${fields.un}&cn=${fields.cn}&sig=${sig}`;
  return new TextEncoder().encode(
    `GET ${uri} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
  );
}

const CREDENTIALS = { username: "acs+ops", password: "s3cret" };

function request(bytes: Uint8Array) {
  const parsed = parseUdpConnectionRequest(bytes);
  if (!("request" in parsed)) throw new Error(`not parsed: ${parsed.detail}`);
  return parsed.request;
}

Deno.test("a GenieACS-shaped request parses, and its signature is the HMAC-SHA1 an independent implementation computes", async () => {
  const fields = {
    ts: 1764748800,
    id: 3735928559,
    un: "acs+ops",
    cn: "9f86d081884c7d65",
  };
  const parsed = request(datagram(fields, CREDENTIALS.password));
  // "+" in the username stays "+": the ACS does not encode it.
  assert.deepStrictEqual(
    { ts: parsed.ts, id: parsed.id, un: parsed.un, cn: parsed.cn },
    fields,
  );
  assert.equal(
    await udpRequestSignature(
      CREDENTIALS.password,
      fields.ts,
      fields.id,
      fields.un,
      fields.cn,
    ),
    parsed.sig,
  );
  // Percent-encoded values are decoded before the signature is checked.
  const encoded = new TextEncoder().encode(
    `GET http://h:1/?ts=1&id=2&un=a%20b&cn=c&sig=${
      "a".repeat(40)
    } HTTP/1.1\r\n\r\n`,
  );
  assert.equal(request(encoded).un, "a b");
});

Deno.test("malformed datagrams are refused naming what is wrong, without throwing", () => {
  const text = (s: string) => new TextEncoder().encode(s);
  const sig = "0".repeat(40);
  const cases: [Uint8Array, RegExp][] = [
    [text(""), /request line/],
    [crypto.getRandomValues(new Uint8Array(300)), /request line|method|query/],
    [
      text(`POST http://h?ts=1&id=1&un=a&cn=b&sig=${sig} HTTP/1.1\r\n\r\n`),
      /method POST/,
    ],
    [text("GET http://h/ HTTP/1.1\r\n\r\n"), /no query/],
    [text(`GET http://h?ts=1&id=1&un=a&sig=${sig} HTTP/1.1\r\n\r\n`), /no cn/],
    [
      text(`GET http://h?ts=x&id=1&un=a&cn=b&sig=${sig} HTTP/1.1\r\n\r\n`),
      /ts is not/,
    ],
    [
      text(
        `GET http://h?ts=1&id=4294967296&un=a&cn=b&sig=${sig} HTTP/1.1\r\n\r\n`,
      ),
      /id is not/,
    ],
    [
      text("GET http://h?ts=1&id=1&un=a&cn=b&sig=abc HTTP/1.1\r\n\r\n"),
      /40 hex/,
    ],
    [
      text(
        `GET http://h?ts=1&id=1&un=${
          "u".repeat(300)
        }&cn=b&sig=${sig} HTTP/1.1\r\n\r\n`,
      ),
      /too long/,
    ],
    [new Uint8Array(MAX_UDP_REQUEST_BYTES + 1).fill(65), /bytes/],
  ];
  for (const [bytes, why] of cases) {
    const parsed = parseUdpConnectionRequest(bytes);
    assert.ok(!("request" in parsed), `accepted: ${why}`);
    assert.equal(parsed.reason, "malformed");
    assert.match(parsed.detail, why);
  }
});

Deno.test("the verifier accepts a signed request once: retransmissions, older timestamps and forgeries are refused", async () => {
  const verifier = new UdpRequestVerifier();
  const first = request(
    datagram({ ts: 1000, id: 1, un: "acs+ops", cn: "aa" }, "s3cret"),
  );
  assert.equal(await verifier.verify(first, CREDENTIALS), undefined);
  // GenieACS sends each datagram three times with the same id.
  assert.equal(
    (await verifier.verify(first, CREDENTIALS))?.reason,
    "retransmission",
  );
  // Another request in the same second (another operator) is new.
  const sameSecond = request(
    datagram({ ts: 1000, id: 2, un: "acs+ops", cn: "bb" }, "s3cret"),
  );
  assert.equal(await verifier.verify(sameSecond, CREDENTIALS), undefined);
  const older = request(
    datagram({ ts: 999, id: 3, un: "acs+ops", cn: "cc" }, "s3cret"),
  );
  const refusal = await verifier.verify(older, CREDENTIALS);
  assert.equal(refusal?.reason, "replayed");
  assert.match(refusal!.detail, /older than the last accepted 1000/);

  // A forgery with a far-future ts is refused and does not move the marks.
  const forged = request(
    datagram({ ts: 4000000000, id: 9, un: "acs+ops", cn: "dd" }, "wrong"),
  );
  assert.deepStrictEqual(await verifier.verify(forged, CREDENTIALS), {
    reason: "bad-credentials",
    detail: "signature",
  });
  const wrongUser = request(
    datagram({ ts: 1001, id: 4, un: "intruder", cn: "ee" }, "s3cret"),
  );
  assert.equal(
    (await verifier.verify(wrongUser, CREDENTIALS))?.detail,
    "username",
  );
  const next = request(
    datagram({ ts: 1001, id: 5, un: "acs+ops", cn: "ff" }, "s3cret"),
  );
  assert.equal(await verifier.verify(next, CREDENTIALS), undefined);
  // An upper-case signature is the same signature.
  const upper = request(
    datagram({ ts: 1002, id: 6, un: "acs+ops", cn: "gg" }, "s3cret"),
  );
  assert.equal(
    await verifier.verify(
      { ...upper, sig: upper.sig.toUpperCase() },
      CREDENTIALS,
    ),
    undefined,
  );
});

Deno.test("with no connection-request credentials configured every request is refused", async () => {
  const verifier = new UdpRequestVerifier();
  const unsigned = request(datagram({ ts: 5, id: 1, un: "", cn: "x" }, ""));
  assert.equal(
    (await verifier.verify(unsigned, { username: "", password: "" }))?.reason,
    "no-credentials",
  );
});

Deno.test("the ids remembered for one timestamp stay bounded", async () => {
  const verifier = new UdpRequestVerifier();
  for (let id = 0; id < 200; id++) {
    const r = request(
      datagram({ ts: 77, id, un: "acs+ops", cn: "c" }, "s3cret"),
    );
    assert.equal(await verifier.verify(r, CREDENTIALS), undefined);
  }
  // The most recent ids are still known as retransmissions.
  const recent = request(
    datagram({ ts: 77, id: 199, un: "acs+ops", cn: "c" }, "s3cret"),
  );
  assert.equal(
    (await verifier.verify(recent, CREDENTIALS))?.reason,
    "retransmission",
  );
});

Deno.test("an empty password is a key like any other: HMAC allows it, so the request is checked, not thrown on", async () => {
  const verifier = new UdpRequestVerifier();
  const signed = request(datagram({ ts: 9, id: 1, un: "acs", cn: "c" }, ""));
  assert.equal(
    await verifier.verify(signed, { username: "acs", password: "" }),
    undefined,
  );
  const forged = request(datagram({ ts: 10, id: 2, un: "acs", cn: "c" }, "x"));
  assert.equal(
    (await verifier.verify(forged, { username: "acs", password: "" }))?.reason,
    "bad-credentials",
  );
});
