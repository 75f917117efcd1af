/**
 * Property tests: for every message type in both directions, random values
 * (strings full of XML specials and non-ASCII) survive encode → decode.
 */
import assert from "node:assert/strict";
import {
  ACS_METHODS,
  type AcsBody,
  CPE_METHODS,
  type CpeBody,
  type CwmpNamespaceName,
  decodeAcsMessage,
  decodeCpeMessage,
  encodeAcsMessage,
  encodeCpeMessage,
  type MethodSpec,
  namespaceIncludes,
  type SoapHeader,
} from "../../mod.ts";
import { arbitraryFields, type Flavour } from "../_helpers/arbitrary.ts";
import { nastyString, Random, testSeed } from "../_helpers/random.ts";

const RUNS = 25;
const NAMESPACES: CwmpNamespaceName[] = ["1-0", "1-1", "1-2"];

type Case = {
  label: string;
  body: "request" | "response";
  method: string;
  spec: MethodSpec;
};

function cases(
  requests: Record<string, MethodSpec>,
  responses: Record<string, MethodSpec>,
): Case[] {
  return [
    ...Object.entries(requests).map(([method, spec]) => ({
      label: method,
      body: "request" as const,
      method,
      spec,
    })),
    ...Object.entries(responses).map(([method, spec]) => ({
      label: `${method}Response`,
      body: "response" as const,
      method,
      spec,
    })),
  ];
}

function randomHeader(
  random: Random,
  namespace: CwmpNamespaceName,
  from: "acs" | "cpe",
): SoapHeader {
  const header: Record<string, unknown> = {};
  if (random.chance(0.8)) header.id = nastyString(random, 40);
  if (from === "acs" && random.chance()) header.holdRequests = random.chance();
  if (namespace === "1-2" && from === "cpe" && random.chance()) {
    header.sessionTimeout = random.int(0, 4294967295);
    header.supportedCwmpVersions = "1.0,1.1,1.2,1.3,1.4";
  }
  if (namespace === "1-2" && from === "acs" && random.chance()) {
    header.useCwmpVersion = "1.4";
  }
  return header as SoapHeader;
}

function roundTrip(from: "acs" | "cpe", flavour: Flavour) {
  const seed = testSeed();
  const random = new Random(seed);
  const table = from === "acs"
    ? cases(CPE_METHODS, ACS_METHODS)
    : cases(ACS_METHODS, CPE_METHODS);
  let checked = 0;
  for (const c of table) {
    for (let run = 0; run < RUNS; run++) {
      const namespaces = NAMESPACES.filter((ns) =>
        namespaceIncludes(ns, c.spec.since)
      );
      const namespace = random.pick(namespaces);
      const fields = c.body === "request" ? c.spec.request : c.spec.response;
      const body = {
        kind: c.body,
        method: c.method,
        args: arbitraryFields(random, fields, flavour),
      };
      const header = randomHeader(random, namespace, from);
      const xml = from === "acs"
        ? encodeAcsMessage({ namespace, header, body: body as AcsBody })
        : encodeCpeMessage({ namespace, header, body: body as CpeBody });
      const decoded = from === "acs"
        ? decodeAcsMessage(xml)
        : decodeCpeMessage(xml);
      assert.deepStrictEqual(
        {
          namespace: decoded.namespace,
          header: decoded.header,
          body: decoded.body,
        },
        { namespace, header, body },
        `seed ${seed}: ${c.label} did not survive encode → decode\n${xml}`,
      );
      assert.match(
        xml,
        /^[\t\n\x20-\x7e]*$/,
        `seed ${seed}: ${c.label} put non-ASCII bytes on the wire`,
      );
      checked++;
    }
  }
  return checked;
}

Deno.test("every ACS→CPE message type round-trips with random hostile strings", () => {
  assert.equal(roundTrip("acs", "nasty"), 28 * RUNS);
});

Deno.test("every CPE→ACS message type round-trips with random hostile strings", () => {
  assert.equal(roundTrip("cpe", "nasty"), 28 * RUNS);
});

Deno.test("every message type round-trips with schema-valid values", () => {
  assert.equal(
    roundTrip("acs", "valid") + roundTrip("cpe", "valid"),
    56 * RUNS,
  );
});

Deno.test("faults with SetParameterValuesFault entries round-trip in both directions", () => {
  const seed = testSeed();
  const random = new Random(seed);
  for (let run = 0; run < RUNS; run++) {
    const body = {
      kind: "fault" as const,
      faultCode: random.pick([9003, 9005, 9850]),
      faultString: nastyString(random, 100),
      parameterFaults: Array.from({ length: random.int(0, 4) }, () => ({
        parameterName: nastyString(random, 256),
        faultCode: random.pick([9005, 9006, 9007, 9008]),
        faultString: nastyString(random, 100) || "x",
      })),
    };
    const namespace = random.pick(NAMESPACES);
    const fromCpe = decodeCpeMessage(
      encodeCpeMessage({ namespace, header: { id: "9" }, body }),
    );
    assert.deepStrictEqual(fromCpe.body, body, `seed ${seed}`);
    const acsBody = {
      ...body,
      faultCode: 8000 + (body.faultCode % 10),
      parameterFaults: [],
    };
    assert.deepStrictEqual(
      decodeAcsMessage(encodeAcsMessage({ namespace, body: acsBody })).body,
      acsBody,
      `seed ${seed}`,
    );
  }
});

Deno.test("characters XML 1.0 cannot carry become U+FFFD, everything else survives", () => {
  const value = "a\u0000b\u0008c\u000bd\u001fe\ud800f\ufffeg\r\n\t😀";
  const xml = encodeCpeMessage({
    namespace: "1-2",
    body: {
      kind: "response",
      method: "GetParameterValues",
      args: { parameterList: [{ name: "Device.X", value, type: "string" }] },
    },
  });
  const decoded = decodeCpeMessage(xml);
  if (
    decoded.body.kind !== "response" ||
    decoded.body.method !== "GetParameterValues"
  ) {
    throw new Error(`decoded as ${decoded.body.kind}`);
  }
  assert.equal(
    decoded.body.args.parameterList[0].value,
    "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffdg\r\n\t😀",
  );
});

Deno.test("an empty message encodes to an empty body and decodes back to empty", () => {
  assert.equal(
    encodeCpeMessage({ namespace: "1-2", body: { kind: "empty" } }),
    "",
  );
  assert.deepStrictEqual(decodeAcsMessage("").body, { kind: "empty" });
  assert.deepStrictEqual(decodeAcsMessage(" \r\n ").body, { kind: "empty" });
});
