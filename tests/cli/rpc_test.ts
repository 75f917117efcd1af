/** `deno task agent rpc` as a user runs it: a subprocess with the task's permissions. */
import assert from "node:assert/strict";
import { runAgent } from "../_helpers/cli.ts";
import { decodeCpeMessage } from "../../mod.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

const rpc = (args: string[], stdin?: string) =>
  runAgent(["rpc", ...args], stdin);

const envelope = (ns: string, body: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:${ns}"><s:Header><c:ID s:mustUnderstand="1">t1</c:ID></s:Header><s:Body>${body}</s:Body></s:Envelope>`;

Deno.test("agent rpc on the default snapshot: changes persist in the state directory across runs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const set = await rpc(
      ["--device", "sim", "--state-dir", dir, "-"],
      envelope(
        "cwmp-1-2",
        `<c:SetParameterValues><ParameterList><ParameterValueStruct><Name>Device.WiFi.SSID.1.SSID</Name><Value>Guest &amp; Co</Value></ParameterValueStruct></ParameterList><ParameterKey>cli</ParameterKey></c:SetParameterValues>`,
      ),
    );
    assert.equal(set.code, 0, set.stderr);
    const setReply = decodeCpeMessage(set.stdout);
    assert.equal(setReply.header.id, "t1");
    assert.deepStrictEqual(setReply.body, {
      kind: "response",
      method: "SetParameterValues",
      args: { status: 0 },
    });

    const get = await rpc(
      ["--device", "sim", "--state-dir", dir, "-"],
      envelope(
        "cwmp-1-0",
        `<c:GetParameterValues><ParameterNames><string>Device.WiFi.SSID.1.SSID</string><string>Device.ManagementServer.ParameterKey</string></ParameterNames></c:GetParameterValues>`,
      ),
    );
    const reply = decodeCpeMessage(get.stdout);
    assert.equal(reply.namespace, "1-0", "answers in the request's namespace");
    assert.deepStrictEqual(reply.body.kind === "response" && reply.body.args, {
      parameterList: [
        {
          name: "Device.WiFi.SSID.1.SSID",
          value: "Guest & Co",
          type: "string",
        },
        {
          name: "Device.ManagementServer.ParameterKey",
          value: "cli",
          type: "string",
        },
      ],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agent rpc on a CSV snapshot answers GetParameterNames and prints faults with exit 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const gpn = await rpc(
      ["--device", `sim:${FIXTURES}devices/igd.csv`, "--state-dir", dir, "-"],
      envelope(
        "cwmp-1-1",
        `<c:GetParameterNames><ParameterPath>InternetGatewayDevice.LANDevice.1.</ParameterPath><NextLevel>1</NextLevel></c:GetParameterNames>`,
      ),
    );
    assert.equal(gpn.code, 0, gpn.stderr);
    const body = decodeCpeMessage(gpn.stdout).body;
    if (body.kind !== "response" || body.method !== "GetParameterNames") {
      throw new Error(gpn.stdout);
    }
    // Order is free in GetParameterNames; compare as a set.
    const sorted = [...body.args.parameterList].sort((a, b) =>
      a.name.localeCompare(b.name)
    );
    assert.deepStrictEqual({ parameterList: sorted }, {
      parameterList: [
        {
          name: "InternetGatewayDevice.LANDevice.1.LANHostConfigManagement.",
          writable: false,
        },
        {
          name: "InternetGatewayDevice.LANDevice.1.WLANConfiguration.",
          writable: true,
        },
        {
          name:
            "InternetGatewayDevice.LANDevice.1.WLANConfigurationNumberOfEntries",
          writable: false,
        },
      ],
    });
    const bad = await rpc(
      ["--device", `sim:${FIXTURES}devices/igd.csv`, "--state-dir", dir, "-"],
      envelope(
        "cwmp-1-1",
        `<c:GetParameterValues><ParameterNames><string>InternetGatewayDevice.Nope</string></ParameterNames></c:GetParameterValues>`,
      ),
    );
    assert.equal(bad.code, 0);
    const fault = decodeCpeMessage(bad.stdout).body;
    assert.equal(fault.kind === "fault" && fault.faultCode, 9005);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agent rpc reports deferred work and refuses bad setups with exit 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const reboot = await rpc([
      "--device",
      "sim",
      "--state-dir",
      dir,
      `${FIXTURES}acs/reboot_no_header.xml`,
    ]);
    assert.equal(reboot.code, 0);
    assert.match(reboot.stderr, /would run: reboot/);
    assert.equal(decodeCpeMessage(reboot.stdout).body.kind, "response");
    for (
      const args of [["--state-dir", dir], ["--device", "sim"], [
        "--device",
        "toaster",
        "--state-dir",
        dir,
      ], ["--device", "sim:/no/such.json", "--state-dir", dir]]
    ) {
      const r = await rpc(args, "");
      assert.equal(r.code, 1, args.join(" "));
      assert.ok(r.stderr.length > 0);
    }
    const notRequest = await rpc([
      "--device",
      "sim",
      "--state-dir",
      dir,
      `${FIXTURES}acs/inform_response_genieacs.xml`,
    ]);
    assert.equal(notRequest.code, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
