/**
 * The fast path for long `<string>` lists must mean exactly what the
 * general parser reads: each case decodes the same message with the run
 * lifted and with the lift ruled out (a comment before the run sends the
 * whole document through the general parser), and compares.
 */
import assert from "node:assert/strict";
import { CwmpFault, decodeAcsMessage } from "../../mod.ts";
import { liftStringRun } from "../../src/cwmp/_string_runs.ts";
import { parseXml } from "../../src/cwmp/_xml.ts";

const NS = `xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" ` +
  `xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" ` +
  `xmlns:cwmp="urn:dslforum-org:cwmp-1-2"`;

/** A GetParameterValues whose ParameterNames content is `items` as written. */
function gpv(items: string, head = `<?xml version="1.0" encoding="UTF-8"?>\n`) {
  return `${head}<soap-env:Envelope ${NS}><soap-env:Header>` +
    `<cwmp:ID soap-env:mustUnderstand="1">r1</cwmp:ID></soap-env:Header>` +
    `<soap-env:Body><cwmp:GetParameterValues>` +
    `<ParameterNames soap-enc:arrayType="xsd:string[0]">${items}</ParameterNames>` +
    `</cwmp:GetParameterValues></soap-env:Body></soap-env:Envelope>`;
}

/** The same document, sent through the general parser only. */
const general = (xml: string) =>
  xml.replace("<soap-env:Envelope", "<!-- general --><soap-env:Envelope");

function names(xml: string): string[] {
  const { body } = decodeAcsMessage(xml);
  if (body.kind !== "request" || body.method !== "GetParameterValues") {
    throw new Error(`decoded ${body.kind}`);
  }
  return [...body.args.parameterNames];
}

const many = (n: number, name = (i: number) => `Device.Item.${i + 1}.Name`) =>
  Array.from({ length: n }, (_, i) => name(i));
const strings = (list: string[], between = "") =>
  list.map((n) => `<string>${n}</string>`).join(between);

Deno.test("a long list of plain <string> items is lifted and decodes to exactly what the general parser reads", () => {
  const list = many(
    500,
    (i) => `Device.X_Vendor.Item.${i}.Label > "quoted" 'é' ✓`,
  );
  for (const between of ["", "\n", " \t\n  "]) {
    const xml = gpv(strings(list, between));
    assert.ok(liftStringRun(xml), "the fast path applies");
    assert.deepStrictEqual(names(xml), list);
    assert.deepStrictEqual(names(general(xml)), list);
  }
});

Deno.test("an item the fast path does not take ends the run; the rest is read the general way, in order", () => {
  const list = many(100);
  const items = strings(list.slice(0, 40)) +
    `<string>Device.A&amp;B.</string>` +
    `<string xmlns:x="urn:x">Device.Attr.</string>` +
    `<string>Device.CDATA.<![CDATA[Part]]></string>` +
    `<string>Device.Ref&#46;</string>` +
    strings(list.slice(40));
  const expected = [
    ...list.slice(0, 40),
    "Device.A&B.",
    "Device.Attr.",
    "Device.CDATA.Part",
    "Device.Ref.",
    ...list.slice(40),
  ];
  assert.deepStrictEqual(names(gpv(items)), expected);
  assert.deepStrictEqual(names(general(gpv(items))), expected);
});

Deno.test("short lists, CR line ends and ]]> stay with the general parser", () => {
  assert.equal(liftStringRun(gpv(strings(many(31)))), undefined);
  assert.ok(liftStringRun(gpv(strings(many(32)))));
  // XML turns CR LF into LF inside text: only the general parser does that.
  const crlf = gpv(strings(many(40).map((n) => `${n}\r\n`)));
  assert.deepStrictEqual(
    names(crlf),
    many(40).map((n) => `${n}\n`),
  );
  // "]]>" may not appear in text: the general parser refuses it.
  const bad = gpv(strings([...many(40), "Device.]]>."]));
  assert.throws(() => decodeAcsMessage(bad), CwmpFault);
});

Deno.test("a list inside a comment, a CDATA section or a processing instruction is not taken for elements", () => {
  const list = strings(many(50));
  for (
    const wrapped of [
      `<!--${list}-->`,
      `<![CDATA[${list}]]>`,
      `<?note ${list}?>`,
    ]
  ) {
    const xml = gpv(`<string>Device.Only.</string>${wrapped}`);
    assert.equal(liftStringRun(xml), undefined);
    assert.deepStrictEqual(names(xml), ["Device.Only."]);
  }
});

Deno.test("a lifted list keeps the namespace the general parser gives its items", () => {
  const xml = `<r xmlns="urn:default"><a>${strings(many(40))}</a></r>`;
  const fast = parseXml(xml);
  const slow = parseXml(`<!-- -->${xml}`);
  const items = (root: typeof fast) => root.children[0].children;
  assert.equal(items(fast).length, 40);
  assert.deepStrictEqual(
    items(fast).map((e) => [e.name, e.ns, e.text]),
    items(slow).map((e) => [e.name, e.ns, e.text]),
  );
  assert.equal(items(fast)[0].ns, "urn:default");
});

Deno.test("malformed documents around a lifted list are still refused", () => {
  const list = strings(many(40));
  for (
    const xml of [
      // The list is the whole document: XML needs one root element.
      list,
      // Something after the root.
      `<r/>${list}`,
      // An element left open.
      `<r><a>${list}</r>`,
      // Mismatched end tag after the list.
      `<r><a>${list}</b></r>`,
    ]
  ) {
    assert.throws(
      () => parseXml(xml),
      (error: unknown) =>
        error instanceof CwmpFault && error.reason === "malformed_xml",
      xml.slice(0, 40),
    );
  }
});

Deno.test("a document that already contains the marker's name is parsed whole the general way", () => {
  const lifted = liftStringRun(gpv(strings(many(40))));
  assert.ok(lifted);
  const xml = gpv(`<${lifted.marker}/>${strings(many(40))}`);
  assert.equal(liftStringRun(xml), undefined);
});
