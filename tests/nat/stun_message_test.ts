/** STUN Binding messages: the TR-111 attributes, integrity, addresses, hostile bytes. */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  BINDING_ERROR_RESPONSE,
  BINDING_REQUEST,
  decodeStunMessage,
  encodeBindingRequest,
  encodeBindingResponse,
  newTransactionId,
  STUN_ATTRIBUTE,
  TR111_BINDING_VALUE,
} from "../../src/nat/stun_message.ts";

const hex = (s: string) =>
  new Uint8Array(
    s.replace(/\s+/g, "").match(/../g)!.map((b) => parseInt(b, 16)),
  );

Deno.test("a Binding Request carries CONNECTION-REQUEST-BINDING and BINDING-CHANGE as TR-111 spells them", async () => {
  const id = newTransactionId();
  const bytes = await encodeBindingRequest({
    transactionId: id,
    connectionRequestBinding: true,
    bindingChange: true,
  });
  const view = new DataView(bytes.buffer);
  assert.equal(view.getUint16(0), BINDING_REQUEST);
  assert.equal(view.getUint16(2), bytes.length - 20);
  assert.equal(view.getUint32(4), 0x2112a442, "the magic cookie opens the id");
  assert.equal(view.getUint16(20), 0xc001);
  assert.equal(view.getUint16(22), 20);
  assert.equal(
    new TextDecoder().decode(bytes.subarray(24, 44)),
    "dslforum.org/TR-111 ",
  );
  assert.equal(TR111_BINDING_VALUE.length, 20);
  assert.equal(view.getUint16(44), 0xc002);
  assert.equal(view.getUint16(46), 0);
  assert.equal(bytes.length, 48);
  const decoded = decodeStunMessage(bytes)!;
  assert.deepStrictEqual(decoded.attributes, [0xc001, 0xc002]);
  assert.deepStrictEqual(decoded.transactionId, id);
});

Deno.test("MESSAGE-INTEGRITY is RFC 3489's: the length counts it, the HMAC-SHA1 runs over the message before it padded to 64 bytes", async () => {
  const bytes = await encodeBindingRequest({
    transactionId: newTransactionId(),
    connectionRequestBinding: true,
    credentials: { username: "cpe-00D09E", password: "stun-pw" },
  });
  const decoded = decodeStunMessage(bytes)!;
  assert.deepStrictEqual(decoded.attributes, [0x0006, 0xc001, 0x0008]);
  assert.equal(
    decoded.username,
    "cpe-00D09E",
    "padded with spaces on the wire, read without",
  );
  const at = decoded.integrityAt!;
  assert.equal(at + 24, bytes.length, "the last attribute");
  assert.equal(new DataView(bytes.buffer).getUint16(2), bytes.length - 20);
  const input = new Uint8Array(Math.ceil(at / 64) * 64);
  input.set(bytes.subarray(0, at));
  const expected = createHmac("sha1", "stun-pw").update(input).digest();
  assert.deepStrictEqual(
    bytes.subarray(at + 4, at + 24),
    new Uint8Array(expected),
  );
});

Deno.test("XOR-MAPPED-ADDRESS decodes as RFC 5769's sample response gives it, and wins over MAPPED-ADDRESS", () => {
  // RFC 5769 §2.2: 192.0.2.1 port 32853 under this transaction id.
  const header = hex("0101 0018 2112a442 b7e7a701bc34d686fa87dfae");
  const xorMapped = hex("0020 0008 0001 a147 e112a643");
  const mapped = hex("0001 0008 0001 0050 0a000001");
  const bytes = new Uint8Array([...header, ...mapped, ...xorMapped]);
  const decoded = decodeStunMessage(bytes)!;
  assert.deepStrictEqual(decoded.mapped, {
    family: "IPv4",
    address: "192.0.2.1",
    port: 32853,
  });
  // A classic server's answer: MAPPED-ADDRESS only.
  const classic = new Uint8Array([
    ...hex("0101 000c"),
    ...header.subarray(4),
    ...mapped,
  ]);
  assert.deepStrictEqual(decodeStunMessage(classic)!.mapped, {
    family: "IPv4",
    address: "10.0.0.1",
    port: 80,
  });
});

Deno.test("responses round-trip: IPv4 and IPv6 mappings, and a 401 error with its reason", () => {
  const id = newTransactionId();
  for (
    const mapped of [
      { family: "IPv4" as const, address: "203.0.113.9", port: 61000 },
      { family: "IPv6" as const, address: "2001:db8:0:0:0:0:0:7", port: 7547 },
    ]
  ) {
    const decoded = decodeStunMessage(encodeBindingResponse(id, { mapped }))!;
    assert.deepStrictEqual(decoded.mapped, {
      ...mapped,
      address: mapped.family === "IPv6"
        ? "2001:db8:0:0:0:0:0:7"
        : mapped.address,
    });
    assert.deepStrictEqual(decoded.attributes, [0x0001, 0x0020]);
  }
  const error = decodeStunMessage(
    encodeBindingResponse(id, { error: { code: 401, reason: "Unauthorized" } }),
  )!;
  assert.equal(error.type, BINDING_ERROR_RESPONSE);
  assert.deepStrictEqual(error.error, { code: 401, reason: "Unauthorized" });
  assert.ok(
    decodeStunMessage(encodeBindingResponse(id, {}))!.attributes.length === 0,
  );
  assert.equal(STUN_ATTRIBUTE.ERROR_CODE, 0x0009);
});

Deno.test("garbage, truncated messages and lying lengths decode to nothing, never throw", () => {
  const good = encodeBindingResponse(newTransactionId(), {
    mapped: { family: "IPv4", address: "192.0.2.3", port: 1 },
  });
  assert.ok(decodeStunMessage(good));
  assert.equal(
    decodeStunMessage(
      new TextEncoder().encode("GET http://h?ts=1 HTTP/1.1\r\n\r\n"),
    ),
    undefined,
  );
  assert.equal(decodeStunMessage(good.subarray(0, 19)), undefined);
  assert.equal(decodeStunMessage(good.subarray(0, good.length - 4)), undefined);
  const lying = good.slice();
  new DataView(lying.buffer).setUint16(22, 400); // the first attribute's length
  assert.equal(decodeStunMessage(lying), undefined);
  const odd = good.slice();
  new DataView(odd.buffer).setUint16(2, 13);
  assert.equal(decodeStunMessage(odd), undefined);
  assert.equal(decodeStunMessage(new Uint8Array(4000)), undefined);
  for (let i = 0; i < 2000; i++) {
    const noise = crypto.getRandomValues(new Uint8Array(20 + (i % 80)));
    noise[0] &= 0x3f;
    decodeStunMessage(noise);
  }
});
