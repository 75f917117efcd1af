import assert from "node:assert/strict";
import {
  type CpeBody,
  encodeAcsMessage,
  encodeCpeMessage,
  encodeCpeMessageBytes,
  escapeXml,
  normalizeXsiType,
  type OutgoingMessage,
} from "../../mod.ts";

Deno.test("escapeXml escapes specials and everything outside printable ASCII", () => {
  assert.equal(escapeXml("plain text 123"), "plain text 123");
  assert.equal(escapeXml(`<a href="x">&'`), `&lt;a href="x"&gt;&amp;'`);
  assert.equal(escapeXml("é中😀"), "&#xE9;&#x4E2D;&#x1F600;");
  assert.equal(escapeXml("a\rb\tc\nd"), "a&#xD;b\tc\nd");
  assert.equal(
    escapeXml("\u0000\u001b\ud800\uffff"),
    "&#xFFFD;&#xFFFD;&#xFFFD;&#xFFFD;",
  );
});

Deno.test("every parameter value carries its xsi:type and arrays their true count", () => {
  const types = [
    "string",
    "int",
    "unsignedInt",
    "long",
    "unsignedLong",
    "boolean",
    "dateTime",
    "base64",
    "hexBinary",
    "decimal",
  ];
  const xml = encodeCpeMessage({
    namespace: "1-2",
    body: {
      kind: "response",
      method: "GetParameterValues",
      args: {
        parameterList: types.map((type, i) => ({
          name: `Device.P${i}`,
          value: "1",
          type,
        })),
      },
    },
  });
  assert.match(xml, /soap-enc:arrayType="cwmp:ParameterValueStruct\[10\]"/);
  for (const type of types) {
    assert.ok(xml.includes(`<Value xsi:type="xsd:${type}">1</Value>`), type);
  }
  assert.throws(
    () =>
      encodeCpeMessage({
        namespace: "1-2",
        body: {
          kind: "response",
          method: "GetParameterValues",
          args: { parameterList: [{ name: "X", value: "1", type: "float" }] },
        },
      }),
    TypeError,
  );
});

Deno.test("cwmp:ID is echoed with mustUnderstand=1 in the negotiated namespace", () => {
  for (const ns of ["1-0", "1-1", "1-2"] as const) {
    const xml = encodeCpeMessage({
      namespace: ns,
      header: { id: "a<b" },
      body: { kind: "response", method: "Reboot", args: {} },
    });
    assert.ok(xml.includes(`xmlns:cwmp="urn:dslforum-org:cwmp-${ns}"`));
    assert.ok(
      xml.includes(`<cwmp:ID soap-env:mustUnderstand="1">a&lt;b</cwmp:ID>`),
    );
  }
});

Deno.test("methods and headers that do not exist in a namespace are refused", () => {
  assert.throws(
    () =>
      encodeCpeMessage({
        namespace: "1-0",
        body: { kind: "response", method: "ChangeDUState", args: {} },
      }),
    /ChangeDUState does not exist in cwmp-1-0/,
  );
  assert.throws(
    () =>
      encodeCpeMessage({
        namespace: "1-1",
        header: { sessionTimeout: 30 },
        body: { kind: "response", method: "Reboot", args: {} },
      }),
    /SessionTimeout does not exist in cwmp-1-1/,
  );
  assert.throws(
    () =>
      encodeCpeMessage({
        namespace: "1-2",
        header: { holdRequests: true },
        body: { kind: "response", method: "Reboot", args: {} },
      }),
    /never sends HoldRequests/,
  );
  assert.throws(
    () =>
      encodeCpeMessage({
        namespace: "1-2",
        // A body the type system forbids, as untyped JavaScript could pass.
        body: {
          kind: "request",
          method: "Reboot",
          args: {},
        } as unknown as CpeBody,
      }),
    /CPE does not send a Reboot request/,
  );
});

Deno.test("values outside their type are caller bugs reported by field name", () => {
  assert.throws(
    () =>
      encodeCpeMessage({
        namespace: "1-2",
        body: {
          kind: "response",
          method: "AddObject",
          args: { instanceNumber: 0, status: 0 },
        },
      }),
    /InstanceNumber must be an integer in 1\.\.4294967295/,
  );
  assert.throws(
    () =>
      encodeAcsMessage({
        namespace: "1-2",
        body: {
          kind: "request",
          method: "Reboot",
          args: { commandKey: "x".repeat(33) },
        },
      }),
    /CommandKey is longer than 32/,
  );
});

Deno.test("xsi:type names are normalised on input", () => {
  assert.equal(normalizeXsiType("xsd:string"), "string");
  assert.equal(normalizeXsiType(" xs:int "), "int");
  assert.equal(normalizeXsiType("base64Binary"), "base64");
  assert.equal(normalizeXsiType("cwmp:weird"), "weird");
});

Deno.test("encodeCpeMessageBytes is exactly the UTF-8 of encodeCpeMessage, across chunk boundaries and surrogate pairs", () => {
  const value = (i: number) =>
    i % 7 === 0 ? `😀${"é".repeat(i % 13)}<&>\u{10FFFF}` : `value ${i}`;
  const messages: OutgoingMessage<CpeBody>[] = [
    { namespace: "1-2", header: { id: "1" }, body: { kind: "empty" } },
    {
      namespace: "1-0",
      header: { id: "2" },
      body: { kind: "response", method: "Reboot", args: {} },
    },
    {
      namespace: "1-2",
      header: { id: "3" },
      body: {
        kind: "fault",
        faultCode: 9003,
        faultString: "Invalid arguments ✓",
        parameterFaults: [],
      },
    },
    ...[10, 3000, 20_000].map((n): OutgoingMessage<CpeBody> => ({
      namespace: "1-2",
      header: { id: `gpv-${n}` },
      body: {
        kind: "response",
        method: "GetParameterValues",
        args: {
          parameterList: Array.from({ length: n }, (_, i) => ({
            name: `Device.X_Test.Item.${i + 1}.Label`,
            value: value(i),
            type: "string",
          })),
        },
      },
    })),
  ];
  for (const message of messages) {
    const text = encodeCpeMessage(message);
    const bytes = encodeCpeMessageBytes(message);
    assert.deepStrictEqual(
      bytes,
      new TextEncoder().encode(text),
      message.header?.id,
    );
    assert.equal(new TextDecoder().decode(bytes), text);
  }
  assert.throws(
    () =>
      encodeCpeMessageBytes({
        namespace: "1-2",
        header: { id: "x", holdRequests: true },
        body: { kind: "empty" },
      }),
    TypeError,
  );
});
