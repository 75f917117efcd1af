/**
 * Golden fixtures: real-world ACS envelopes (GenieACS-style, unusual
 * prefixes, default namespaces, missing arrayType and xsi:type, comments,
 * CDATA) decode to exactly the typed values written beside them.
 */
import assert from "node:assert/strict";
import { ACS_METHODS, CPE_METHODS, decodeAcsMessage } from "../../mod.ts";

const FIXTURES = new URL("../fixtures/acs/", import.meta.url);

const fixtures: string[] = [];
for (const entry of Deno.readDirSync(FIXTURES)) {
  if (entry.name.endsWith(".xml")) fixtures.push(entry.name.slice(0, -4));
}
fixtures.sort();

for (const name of fixtures) {
  Deno.test(`fixture ${name} decodes to its golden value`, async () => {
    const xml = await Deno.readFile(new URL(`${name}.xml`, FIXTURES));
    const expected = JSON.parse(
      await Deno.readTextFile(new URL(`${name}.json`, FIXTURES)),
    );
    const decoded = decodeAcsMessage(xml);
    assert.deepStrictEqual(
      {
        namespace: decoded.namespace ?? null,
        header: decoded.header,
        body: decoded.body,
      },
      expected,
    );
  });
}

Deno.test("the fixtures cover every ACS→CPE message type", async () => {
  const seen = new Set<string>();
  for (const name of fixtures) {
    const body =
      decodeAcsMessage(await Deno.readFile(new URL(`${name}.xml`, FIXTURES)))
        .body;
    seen.add(
      body.kind === "request" || body.kind === "response"
        ? `${body.kind} ${body.method}`
        : body.kind,
    );
  }
  const wanted = [
    ...Object.keys(CPE_METHODS).map((m) => `request ${m}`),
    ...Object.keys(ACS_METHODS).map((m) => `response ${m}`),
    "fault",
    "empty",
  ];
  assert.deepStrictEqual(wanted.filter((w) => !seen.has(w)), []);
});

Deno.test("SetParameterValues keeps the order of its parameters and the xsi:type of each", () => {
  const names = Array.from(
    { length: 50 },
    (_, i) => `Device.X.${(i * 37) % 50}`,
  );
  const xml =
    `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-2"
    xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><e:Body><c:SetParameterValues><ParameterList>${
      names.map((n, i) =>
        `<ParameterValueStruct><Name>${n}</Name><Value i:type="xsd:${
          i % 2 ? "int" : "string"
        }">${i}</Value></ParameterValueStruct>`
      )
        .join("")
    }</ParameterList><ParameterKey>k</ParameterKey></c:SetParameterValues></e:Body></e:Envelope>`;
  const { body } = decodeAcsMessage(xml);
  if (body.kind !== "request" || body.method !== "SetParameterValues") {
    throw new Error(body.kind);
  }
  assert.deepStrictEqual(body.args.parameterList.map((p) => p.name), names);
  assert.deepStrictEqual(
    body.args.parameterList.slice(0, 3).map((p) => p.type),
    ["string", "int", "string"],
  );
});
