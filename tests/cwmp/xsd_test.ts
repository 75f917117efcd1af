/**
 * Every message the codec encodes validates against the official BBF
 * schemas, in each namespace where the message exists.
 */
import assert from "node:assert/strict";
import {
  ACS_METHODS,
  type AcsBody,
  CPE_METHODS,
  type CpeBody,
  type CwmpNamespaceName,
  encodeAcsMessage,
  encodeCpeMessage,
  type MethodSpec,
  namespaceIncludes,
  type SoapHeader,
} from "../../mod.ts";
import { arbitraryFields } from "../_helpers/arbitrary.ts";
import { validateEnvelopes, xsdTestOptions } from "../_helpers/bbf.ts";
import { Random, testSeed } from "../_helpers/random.ts";

const NAMESPACES: CwmpNamespaceName[] = ["1-0", "1-1", "1-2"];
const XSD = xsdTestOptions();
const SAMPLES = 3;

function methodsIn(table: Record<string, MethodSpec>, ns: CwmpNamespaceName) {
  return Object.entries(table).filter(([, spec]) =>
    namespaceIncludes(ns, spec.since)
  );
}

function cpeMessages(random: Random): Map<string, string> {
  const messages = new Map<string, string>();
  for (const namespace of NAMESPACES) {
    for (let sample = 0; sample < SAMPLES; sample++) {
      const add = (
        label: string,
        body: CpeBody,
        header: SoapHeader = { id: `id-${sample}` },
      ) =>
        messages.set(
          `cwmp-${namespace} ${label} #${sample}`,
          encodeCpeMessage({ namespace, header, body }),
        );
      for (const [method, spec] of methodsIn(ACS_METHODS, namespace)) {
        const header: SoapHeader = method === "Inform" && namespace === "1-2"
          ? {
            id: "1",
            sessionTimeout: 30,
            supportedCwmpVersions: "1.0,1.1,1.2,1.3,1.4",
          }
          : { id: `id-${sample}` };
        add(
          `${method} request`,
          {
            kind: "request",
            method,
            args: arbitraryFields(random, spec.request, "valid"),
          } as CpeBody,
          header,
        );
      }
      for (const [method, spec] of methodsIn(CPE_METHODS, namespace)) {
        add(
          `${method}Response`,
          {
            kind: "response",
            method,
            args: arbitraryFields(random, spec.response, "valid"),
          } as CpeBody,
        );
      }
      add("Fault 9005", {
        kind: "fault",
        faultCode: 9005,
        faultString: "Invalid parameter name",
        parameterFaults: [],
      });
      add("SetParameterValues fault", {
        kind: "fault",
        faultCode: 9003,
        faultString: "Invalid arguments",
        parameterFaults: [
          {
            parameterName: "Device.ManagementServer.PeriodicInformInterval",
            faultCode: 9007,
            faultString: "Invalid parameter value",
          },
          {
            parameterName: "Device.DeviceInfo.SerialNumber",
            faultCode: 9008,
            faultString: "",
          },
          {
            parameterName: "Device.Vendor.X_00AABB_Mode",
            faultCode: 9850,
            faultString: "vendor <reason> & more",
          },
        ],
      });
    }
  }
  return messages;
}

function acsMessages(random: Random): Map<string, string> {
  const messages = new Map<string, string>();
  for (const namespace of NAMESPACES) {
    for (let sample = 0; sample < SAMPLES; sample++) {
      const add = (
        label: string,
        body: AcsBody,
        header: SoapHeader = { id: `id-${sample}` },
      ) =>
        messages.set(
          `cwmp-${namespace} ${label} #${sample}`,
          encodeAcsMessage({ namespace, header, body }),
        );
      for (const [method, spec] of methodsIn(CPE_METHODS, namespace)) {
        add(
          `${method} request`,
          {
            kind: "request",
            method,
            args: arbitraryFields(random, spec.request, "valid"),
          } as AcsBody,
          {
            id: `id-${sample}`,
            holdRequests: sample % 2 === 0,
          },
        );
      }
      for (const [method, spec] of methodsIn(ACS_METHODS, namespace)) {
        const header: SoapHeader = method === "Inform" && namespace === "1-2"
          ? { id: "1", useCwmpVersion: "1.4" }
          : { id: "1" };
        add(
          `${method}Response`,
          {
            kind: "response",
            method,
            args: arbitraryFields(random, spec.response, "valid"),
          } as AcsBody,
          header,
        );
      }
      add("Fault 8005", {
        kind: "fault",
        faultCode: 8005,
        faultString: "Retry request",
        parameterFaults: [],
      });
    }
  }
  return messages;
}

async function assertAllValid(messages: Map<string, string>, seed: number) {
  const results = await validateEnvelopes(messages);
  const failures = [...results].filter(([, r]) => !r.valid);
  assert.equal(
    failures.length,
    0,
    `seed ${seed}: ${failures.length} of ${results.size} messages fail the XSDs:\n` +
      failures.slice(0, 5).map(([name, r]) =>
        `${name}\n  ${r.errors.join("\n  ")}\n  ${messages.get(name)}`
      ).join("\n"),
  );
}

Deno.test(
  "every CPE→ACS message validates against the XSDs in cwmp-1-0, 1-1 and 1-2",
  XSD,
  async () => {
    const seed = testSeed();
    const messages = cpeMessages(new Random(seed));
    // 8 CPE requests + 20 responses + 2 faults in 1-2; fewer in older namespaces.
    assert.ok(messages.size > 150, `only ${messages.size} messages generated`);
    await assertAllValid(messages, seed);
  },
);

Deno.test(
  "every ACS→CPE message the fixture side encodes validates against the XSDs",
  XSD,
  async () => {
    const seed = testSeed();
    await assertAllValid(acsMessages(new Random(seed)), seed);
  },
);

Deno.test(
  "the validation recipe rejects a broken message (the check can fail)",
  XSD,
  async () => {
    const good = encodeCpeMessage({
      namespace: "1-2",
      header: { id: "1" },
      body: {
        kind: "response",
        method: "AddObject",
        args: { instanceNumber: 3, status: 0 },
      },
    });
    const results = await validateEnvelopes(
      new Map([
        ["good", good],
        [
          "instance 0",
          good.replace("<InstanceNumber>3<", "<InstanceNumber>0<"),
        ],
        [
          "missing mustUnderstand",
          good.replace(' soap-env:mustUnderstand="1"', ""),
        ],
        ["unknown namespace", good.replaceAll("cwmp-1-2", "cwmp-9-9")],
      ]),
    );
    assert.equal(
      results.get("good")?.valid,
      true,
      results.get("good")?.errors.join("\n"),
    );
    for (
      const name of [
        "instance 0",
        "missing mustUnderstand",
        "unknown namespace",
      ]
    ) {
      assert.equal(
        results.get(name)?.valid,
        false,
        `${name} should fail validation`,
      );
    }
  },
);
