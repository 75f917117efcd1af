/**
 * `deno task agent decode` as a user runs it: a real subprocess with the
 * task's permissions.
 */
import assert from "node:assert/strict";
import { runAgent } from "../_helpers/cli.ts";
import { encodeCpeMessage } from "../../mod.ts";

const FIXTURES = new URL("../fixtures/acs/", import.meta.url).pathname;

const agent = runAgent;

Deno.test("decode FILE prints method, header and arguments as JSON and exits 0", async () => {
  const { code, stdout } = await agent([
    "decode",
    `${FIXTURES}set_parameter_values_genieacs.xml`,
  ]);
  assert.equal(code, 0);
  const json = JSON.parse(stdout);
  assert.equal(json.method, "SetParameterValues");
  assert.equal(json.kind, "request");
  assert.equal(json.namespace, "cwmp-1-0");
  assert.equal(json.header.id, "1694012345678");
  assert.equal(json.arguments.parameterKey, "set-42");
  assert.equal(json.arguments.parameterList[1].value, "Café & <Bar>");
});

Deno.test("decode - reads standard input", async () => {
  const xml = await Deno.readTextFile(`${FIXTURES}fault_8005_retry.xml`);
  const { code, stdout } = await agent(["decode", "-"], xml);
  assert.equal(code, 0);
  assert.deepStrictEqual(JSON.parse(stdout).fault, {
    code: 8005,
    string: "Retry request",
    parameterFaults: [],
  });
});

Deno.test("a rejected message prints the fault code and reason as JSON and exits 2", async () => {
  const { code, stdout } = await agent(
    ["decode", "-"],
    `<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`,
  );
  assert.equal(code, 2);
  const json = JSON.parse(stdout);
  assert.equal(json.fault, 9003);
  assert.equal(json.reason, "doctype");
  assert.equal(json.httpStatus, 400);

  const unknown = await agent(
    ["decode", "-"],
    `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-2"><s:Header><c:ID s:mustUnderstand="1">q</c:ID></s:Header><s:Body><c:Frobnicate/></s:Body></s:Envelope>`,
  );
  assert.equal(unknown.code, 2);
  assert.deepStrictEqual(
    {
      fault: JSON.parse(unknown.stdout).fault,
      id: JSON.parse(unknown.stdout).id,
    },
    { fault: 9000, id: "q" },
  );
});

Deno.test("--max-bytes caps standard input without reading it all", async () => {
  const { code, stdout } = await agent(
    ["decode", "--max-bytes", "100", "-"],
    "<a>" + "x".repeat(5000) + "</a>",
  );
  assert.equal(code, 2);
  assert.equal(JSON.parse(stdout).reason, "too_large");
});

Deno.test("--from cpe decodes what a CPE sends", async () => {
  const inform = encodeCpeMessage({
    namespace: "1-2",
    header: { id: "1" },
    body: {
      kind: "request",
      method: "Inform",
      args: {
        deviceId: {
          manufacturer: "ACME",
          oui: "00D09E",
          productClass: "GW",
          serialNumber: "S1",
        },
        event: [{ eventCode: "1 BOOT", commandKey: "" }],
        maxEnvelopes: 1,
        currentTime: "2026-01-01T00:00:00Z",
        retryCount: 0,
        parameterList: [],
      },
    },
  });
  const { code, stdout } = await agent(
    ["decode", "--from", "cpe", "-"],
    inform,
  );
  assert.equal(code, 0, stdout);
  const json = JSON.parse(stdout);
  assert.equal(json.method, "Inform");
  assert.equal(json.arguments.deviceId.oui, "00D09E");
  assert.deepStrictEqual(json.arguments.event, [{
    eventCode: "1 BOOT",
    commandKey: "",
  }]);
});

Deno.test("usage errors exit 1 with a message on stderr", async () => {
  for (
    const args of [
      ["decode"],
      ["decode", "a", "b"],
      ["decode", "--from", "x", "-"],
      ["decode", "/no/such/file"],
      ["nope"],
      [],
    ]
  ) {
    const { code, stderr } = await agent(args);
    assert.equal(code, 1, `agent ${args.join(" ")}`);
    assert.ok(stderr.length > 0);
  }
  const help = await agent(["decode", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: agent decode/);
});
