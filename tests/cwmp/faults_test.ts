import assert from "node:assert/strict";
import {
  CwmpFault,
  DECODE_FAILURES,
  decodeCpeMessage,
  encodeCpeMessage,
  faultBody,
  FAULTS,
  faultText,
  soapFaultType,
} from "../../mod.ts";

Deno.test("the fault table holds every CPE code 9000–9032 and ACS code 8000–8006", () => {
  const codes = Object.keys(FAULTS).map(Number);
  const wanted = [
    ...Array.from({ length: 33 }, (_, i) => 9000 + i),
    ...Array.from({ length: 7 }, (_, i) => 8000 + i),
  ];
  assert.deepStrictEqual(codes.sort(), wanted.sort());
  for (const code of codes) assert.ok(faultText(code).length > 0);
});

Deno.test("argument faults are Client faults, the rest Server faults", () => {
  for (const code of [9003, 9005, 9006, 9007, 9008, 8003]) {
    assert.equal(soapFaultType(code), "Client");
  }
  for (const code of [9000, 9001, 9002, 9004, 9009, 9010, 8000, 8005, 9850]) {
    assert.equal(soapFaultType(code), "Server");
  }
});

Deno.test("CwmpFault carries its code, text and parameter faults", () => {
  const fault = new CwmpFault(9003, undefined, {
    parameterFaults: [{
      parameterName: "Device.A",
      faultCode: 9007,
      faultString: "out of range",
    }],
  });
  assert.ok(fault instanceof Error);
  assert.equal(fault.name, "CwmpFault");
  assert.equal(fault.code, 9003);
  assert.equal(fault.message, "Invalid arguments");
  assert.equal(fault.faultType, "Client");
  assert.equal(fault.httpStatus, 200);
  assert.equal(fault.parameterFaults.length, 1);
  assert.equal(new CwmpFault(9899).message, "Vendor fault 9899");
});

Deno.test("every decode failure maps to a fault code and an HTTP status", () => {
  for (
    const [reason, { code, httpStatus }] of Object.entries(DECODE_FAILURES)
  ) {
    const fault = CwmpFault.decode(reason as keyof typeof DECODE_FAILURES, "x");
    assert.equal(fault.code, code);
    assert.equal(fault.httpStatus, httpStatus);
    assert.ok(code in FAULTS);
  }
});

Deno.test("a SetParameterValues fault is encoded with one entry per failing parameter", () => {
  const fault = new CwmpFault(9003, "Invalid arguments", {
    parameterFaults: [
      { parameterName: "Device.A", faultCode: 9007, faultString: "" },
      { parameterName: "Device.B", faultCode: 9008, faultString: "read-only" },
    ],
  });
  const xml = encodeCpeMessage({
    namespace: "1-2",
    header: { id: "r" },
    body: faultBody(fault),
  });
  assert.match(
    xml,
    /<faultcode>Client<\/faultcode><faultstring>CWMP fault<\/faultstring>/,
  );
  assert.equal(xml.match(/<SetParameterValuesFault>/g)?.length, 2);
  const decoded = decodeCpeMessage(xml);
  assert.deepStrictEqual(decoded.body, {
    kind: "fault",
    faultCode: 9003,
    faultString: "Invalid arguments",
    parameterFaults: [
      {
        parameterName: "Device.A",
        faultCode: 9007,
        faultString: "Invalid parameter value",
      },
      { parameterName: "Device.B", faultCode: 9008, faultString: "read-only" },
    ],
  });
  assert.equal(decoded.header.id, "r");
});
