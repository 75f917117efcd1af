/**
 * Hostile and broken input: each case ends in a typed CwmpFault with the
 * right code and reason, quickly, without crashing the process.
 */
import assert from "node:assert/strict";
import {
  CwmpFault,
  decodeAcsMessage,
  decodeCpeMessage,
  type DecodeFailure,
} from "../../mod.ts";

const ENVELOPE_START =
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
  `xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">h1</cwmp:ID></soapenv:Header><soapenv:Body>`;
const ENVELOPE_END = `</soapenv:Body></soapenv:Envelope>`;
const envelope = (body: string) => ENVELOPE_START + body + ENVELOPE_END;

/** Decodes and returns the fault, failing the test on success or on any other error. */
function rejection(input: Uint8Array | string, maxMs = 2000): CwmpFault {
  const start = performance.now();
  try {
    decodeAcsMessage(input);
  } catch (error) {
    const elapsed = performance.now() - start;
    assert.ok(error instanceof CwmpFault, `expected a CwmpFault, got ${error}`);
    assert.ok(elapsed < maxMs, `rejection took ${elapsed.toFixed(0)} ms`);
    return error;
  }
  assert.fail("input was accepted");
}

function assertRejected(
  input: Uint8Array | string,
  code: number,
  reason: DecodeFailure,
) {
  const fault = rejection(input);
  assert.equal(fault.code, code, fault.message);
  assert.equal(fault.reason, reason, fault.message);
  return fault;
}

Deno.test("billion laughs is rejected as a DOCTYPE before any entity expands", () => {
  const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>` + envelope(`<cwmp:Reboot><CommandKey>&lol9;</CommandKey></cwmp:Reboot>`);
  const fault = assertRejected(lol, 9003, "doctype");
  assert.equal(fault.httpStatus, 400);
});

Deno.test("an external entity is rejected and nothing is read from disk", () => {
  const xxe =
    `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
    envelope(`<cwmp:Reboot><CommandKey>&x;</CommandKey></cwmp:Reboot>`);
  assertRejected(xxe, 9003, "doctype");
});

Deno.test("an entity reference without a DTD is malformed XML", () => {
  assertRejected(
    envelope(`<cwmp:Reboot><CommandKey>&x;</CommandKey></cwmp:Reboot>`),
    9003,
    "malformed_xml",
  );
});

Deno.test("a 10 MB body is rejected by size before parsing", () => {
  const padding = "<!-- " + "x".repeat(10 * 1024 * 1024) + " -->";
  const text =
    envelope(`<cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot>`) + padding;
  const fault = assertRejected(text, 9004, "too_large");
  assert.equal(fault.httpStatus, 413);
  assertRejected(new TextEncoder().encode(text), 9004, "too_large");
});

Deno.test("the size cap is configurable and exact", () => {
  const text = envelope(
    `<cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot>`,
  );
  const bytes = new TextEncoder().encode(text);
  decodeAcsMessage(bytes, { limits: { maxBytes: bytes.length } });
  assert.throws(
    () => decodeAcsMessage(bytes, { limits: { maxBytes: bytes.length - 1 } }),
    (e) => e instanceof CwmpFault && e.reason === "too_large",
  );
  const multiByte = text.replace(">k<", ">é<");
  const length = new TextEncoder().encode(multiByte).length;
  decodeAcsMessage(multiByte, { limits: { maxBytes: length } });
  assert.throws(
    () => decodeAcsMessage(multiByte, { limits: { maxBytes: length - 1 } }),
    CwmpFault,
  );
  assert.throws(
    () => decodeAcsMessage(text, { limits: { maxBytes: 0 } }),
    RangeError,
  );
});

Deno.test("100k-deep nesting is rejected by depth before parsing", () => {
  const deep = envelope("<a>".repeat(100_000) + "</a>".repeat(100_000));
  const fault = assertRejected(deep, 9004, "too_deep");
  assert.equal(fault.httpStatus, 400);
  // Self-closing elements and attributes with '>' do not count as nesting.
  const flat = envelope(
    `<cwmp:Reboot x="a>b"><CommandKey/>${"<e/>".repeat(1000)}</cwmp:Reboot>`,
  );
  decodeAcsMessage(flat);
});

Deno.test("truncated XML is malformed at every cut point", () => {
  const full = envelope(
    `<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>1</NextLevel></cwmp:GetParameterNames>`,
  );
  for (let cut = 1; cut < full.length - 1; cut += 7) {
    const fault = rejection(full.slice(0, cut));
    assert.ok(
      ["malformed_xml", "not_envelope"].includes(fault.reason ?? ""),
      `cut at ${cut}: ${fault.reason} ${fault.message}`,
    );
  }
});

Deno.test("a wrong CWMP namespace is rejected with its namespace named", () => {
  const wrong = envelope(
    `<x:Reboot xmlns:x="urn:dslforum-org:cwmp-9-9"><CommandKey>k</CommandKey></x:Reboot>`,
  );
  const fault = assertRejected(wrong, 9003, "wrong_namespace");
  assert.match(fault.message, /cwmp-9-9/);
  assert.equal(fault.requestId, "h1");
  const soap12 =
    `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`;
  assertRejected(soap12, 9003, "wrong_namespace");
  assertRejected(
    envelope(`<Reboot><CommandKey>k</CommandKey></Reboot>`),
    9003,
    "wrong_namespace",
  );
});

Deno.test("invalid UTF-8 is rejected", () => {
  const text = envelope(
    `<cwmp:Reboot><CommandKey>XX</CommandKey></cwmp:Reboot>`,
  );
  const bytes = new TextEncoder().encode(text);
  const at = text.indexOf("XX");
  for (const bad of [[0xc3, 0x28], [0xff, 0xfe], [0xed, 0xa0]]) {
    const copy = bytes.slice();
    copy.set(bad, at);
    const fault = assertRejected(copy, 9003, "invalid_utf8");
    assert.equal(fault.httpStatus, 400);
  }
});

Deno.test("something that is not a SOAP envelope is rejected", () => {
  assertRejected("<html><body>Bad gateway</body></html>", 9003, "not_envelope");
  assertRejected("just text", 9003, "malformed_xml");
  assertRejected(
    `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>`,
    9003,
    "not_envelope",
  );
});

Deno.test("an unknown method gets 9000 and keeps the request id for the fault", () => {
  const fault = assertRejected(
    envelope(`<cwmp:X_ACME_Frobnicate/>`),
    9000,
    "unknown_method",
  );
  assert.equal(fault.requestId, "h1");
  assert.equal(fault.method, "X_ACME_Frobnicate");
  assert.equal(fault.httpStatus, 200);
  // Inform is a method the ACS implements, not the CPE.
  assertRejected(envelope(`<cwmp:Inform/>`), 9000, "unknown_method");
});

Deno.test("missing and malformed arguments get 9003 naming the element", () => {
  const cases: [string, RegExp][] = [
    [`<cwmp:Reboot/>`, /CommandKey: required element is missing/],
    [
      `<cwmp:ScheduleInform><DelaySeconds>-1</DelaySeconds><CommandKey/></cwmp:ScheduleInform>`,
      /DelaySeconds: outside 0\.\.4294967295/,
    ],
    [
      `<cwmp:ScheduleInform><DelaySeconds>soon</DelaySeconds><CommandKey/></cwmp:ScheduleInform>`,
      /DelaySeconds: not an integer/,
    ],
    [
      `<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>yes</NextLevel></cwmp:GetParameterNames>`,
      /NextLevel: not a boolean/,
    ],
    [
      `<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><Value>1</Value></ParameterValueStruct></ParameterList><ParameterKey/></cwmp:SetParameterValues>`,
      /ParameterList\[0\]\.Name: required element is missing/,
    ],
    [
      `<cwmp:GetParameterValues><ParameterNames/></cwmp:GetParameterValues>`,
      /ParameterNames: at least 1 entries required/,
    ],
    [
      `<cwmp:ChangeDUState><Operations><URL>http://x</URL></Operations></cwmp:ChangeDUState>`,
      /Operations\[0\]\.type: xsi:type must be one of/,
    ],
    [
      `<cwmp:ChangeDUState></cwmp:ChangeDUState>`,
      /at least 1 Operations element\(s\) required/,
    ],
  ];
  for (const [body, message] of cases) {
    const fault = assertRejected(envelope(body), 9003, "invalid_arguments");
    assert.match(fault.message, message);
    assert.equal(fault.requestId, "h1");
  }
});

Deno.test("over-long strings get 9003", () => {
  const key = "k".repeat(33);
  const fault = assertRejected(
    envelope(`<cwmp:Reboot><CommandKey>${key}</CommandKey></cwmp:Reboot>`),
    9003,
    "invalid_arguments",
  );
  assert.match(fault.message, /CommandKey: longer than 32 characters/);
  const name = "Device." + "x".repeat(250);
  assertRejected(
    envelope(
      `<cwmp:GetParameterValues><ParameterNames><string>${name}</string></ParameterNames></cwmp:GetParameterValues>`,
    ),
    9003,
    "invalid_arguments",
  );
});

Deno.test("a header the agent must understand but does not is refused", () => {
  const text = ENVELOPE_START.replace(
    "</soapenv:Header>",
    `<x:Billing xmlns:x="urn:acme" soapenv:mustUnderstand="1">1</x:Billing></soapenv:Header>`,
  ) + `<cwmp:Reboot><CommandKey/></cwmp:Reboot>` + ENVELOPE_END;
  assertRejected(text, 9003, "invalid_header");
  // Without mustUnderstand it is ignored.
  decodeAcsMessage(text.replace(' soapenv:mustUnderstand="1">1<', ">1<"));
  assertRejected(
    ENVELOPE_START.replace(
      "</soapenv:Header>",
      `<cwmp:HoldRequests>maybe</cwmp:HoldRequests></soapenv:Header>`,
    ) +
      ENVELOPE_END,
    9003,
    "invalid_header",
  );
});

Deno.test("lists longer than the configured cap are refused as resources exceeded", () => {
  const names = "<string>Device.</string>".repeat(50);
  const text = envelope(
    `<cwmp:GetParameterValues><ParameterNames>${names}</ParameterNames></cwmp:GetParameterValues>`,
  );
  decodeAcsMessage(text, { limits: { maxArrayItems: 50 } });
  assert.throws(
    () => decodeAcsMessage(text, { limits: { maxArrayItems: 49 } }),
    (e) => e instanceof CwmpFault && e.code === 9004,
  );
});

Deno.test("the ACS-side decoder answers with ACS fault codes", () => {
  const cpeEnvelope = (body: string) => envelope(body);
  assert.throws(
    () =>
      decodeCpeMessage(
        cpeEnvelope(`<cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot>`),
      ),
    (e) =>
      e instanceof CwmpFault && e.code === 8000 &&
      e.reason === "unknown_method",
  );
  assert.throws(
    () =>
      decodeCpeMessage(
        cpeEnvelope(
          `<cwmp:TransferComplete><CommandKey>k</CommandKey></cwmp:TransferComplete>`,
        ),
      ),
    (e) =>
      e instanceof CwmpFault && e.code === 8003 &&
      e.reason === "invalid_arguments",
  );
});

Deno.test("a thousand random corruptions never escape as anything but CwmpFault", () => {
  const base = new TextEncoder().encode(envelope(
    `<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/"><ParameterValueStruct><Name>Device.A</Name><Value xsi:type="xsd:int" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">1</Value></ParameterValueStruct></ParameterList><ParameterKey>p</ParameterKey></cwmp:SetParameterValues>`,
  ));
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 1000; i++) {
    const copy = base.slice();
    for (let j = 0; j < 1 + (next() % 4); j++) {
      copy[next() % copy.length] = next() % 256;
    }
    try {
      decodeAcsMessage(copy);
    } catch (error) {
      assert.ok(error instanceof CwmpFault, `corruption ${i} threw ${error}`);
    }
  }
});

Deno.test("characters XML 1.0 forbids are refused, raw or as references, before parsing", () => {
  const reboot = (key: string) =>
    envelope(`<cwmp:Reboot><CommandKey>${key}</CommandKey></cwmp:Reboot>`);
  for (
    const [label, input] of [
      ["a raw NUL", reboot("a\u0000b")],
      ["a raw NUL as bytes", new TextEncoder().encode(reboot("a\u0000b"))],
      ["&#0;", reboot("a&#0;b")],
      ["&#x0;", reboot("a&#x0;b")],
      ["a raw U+0001", reboot("\u0001")],
      ["&#x1F;", reboot("&#x1F;")],
      ["&#xFFFE;", reboot("&#xFFFE;")],
      ["&#xD800; (a surrogate)", reboot("&#xD800;")],
      ["&#1114112; (past U+10FFFF)", reboot("&#1114112;")],
      ["a huge reference", reboot("&#x0000000000041;")],
      ["a raw U+FFFF", reboot("\uFFFF")],
      ["a lone surrogate in a string", reboot("\uD800x")],
      [
        "NUL in a tag",
        envelope(`<cwmp:Reboot\u0000><CommandKey/></cwmp:Reboot>`),
      ],
    ] as const
  ) {
    const fault = rejection(input);
    assert.equal(
      fault.reason,
      "invalid_character",
      `${label}: ${fault.message}`,
    );
    assert.equal(fault.code, 9003, label);
  }
  // What XML allows still passes: TAB, LF, CR, references to them, astral characters.
  const ok = decodeAcsMessage(reboot("a\tb&#9;&#xA;&#13;&#x1F600;😀"));
  assert.ok(ok.body.kind === "request" && ok.body.method === "Reboot");
});

Deno.test("two Body elements, two Headers or two methods in one Body are refused", () => {
  const head =
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">`;
  const reboot = `<cwmp:Reboot><CommandKey>a</CommandKey></cwmp:Reboot>`;
  const reset = `<cwmp:FactoryReset/>`;
  for (
    const [label, input, pattern] of [
      [
        "two Bodies",
        `${head}<soapenv:Body>${reboot}</soapenv:Body><soapenv:Body>${reset}</soapenv:Body></soapenv:Envelope>`,
        /2 Body elements/,
      ],
      [
        "two Headers",
        `${head}<soapenv:Header/><soapenv:Header/><soapenv:Body>${reboot}</soapenv:Body></soapenv:Envelope>`,
        /2 Header elements/,
      ],
      [
        "two methods",
        `${head}<soapenv:Body>${reboot}${reset}</soapenv:Body></soapenv:Envelope>`,
        /Reboot, FactoryReset/,
      ],
    ] as const
  ) {
    const fault = rejection(input);
    assert.equal(fault.reason, "invalid_envelope", label);
    assert.equal(fault.code, 9003, label);
    assert.match(fault.message, pattern, label);
  }
});

Deno.test("a message of more elements than the CPE's heap holds is refused before parsing, whatever its size in bytes", () => {
  const names = Array.from({ length: 40_001 }, () => "<string>Device.</string>")
    .join("");
  const text = envelope(
    `<cwmp:GetParameterValues><ParameterNames>${names}</ParameterNames></cwmp:GetParameterValues>`,
  );
  assert.ok(text.length < 1_100_000, "about a megabyte: under the byte cap");
  const fault = assertRejected(text, 9004, "too_large");
  assert.match(fault.message, /More than 40000 elements/);
  // Within the budget it decodes.
  const fewer = envelope(
    `<cwmp:GetParameterValues><ParameterNames>${
      names.slice(0, 24 * 30_000)
    }</ParameterNames></cwmp:GetParameterValues>`,
  );
  assert.equal(decodeAcsMessage(fewer).body.kind, "request");
});
