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

Deno.test("agent rpc --device sim:FILE on a genieacs-sim data model answers every RPC of the rpc section", async () => {
  const dir = await Deno.makeTempDir();
  const device = `sim:${FIXTURES}sim/genieacs_sim_igd.csv`;
  const root = "InternetGatewayDevice.";
  const pool =
    `${root}LANDevice.1.LANHostConfigManagement.DHCPConditionalServingPool.`;
  const ssid = `${root}LANDevice.1.WLANConfiguration.1.SSID`;
  const requests: [string, string][] = [
    ["GetRPCMethods", `<c:GetRPCMethods/>`],
    [
      "GetParameterNames",
      `<c:GetParameterNames><ParameterPath></ParameterPath><NextLevel>false</NextLevel></c:GetParameterNames>`,
    ],
    [
      "GetParameterValues",
      `<c:GetParameterValues><ParameterNames><string>${ssid}</string><string>${root}DeviceInfo.SerialNumber</string></ParameterNames></c:GetParameterValues>`,
    ],
    [
      "SetParameterValues",
      `<c:SetParameterValues><ParameterList><ParameterValueStruct><Name>${ssid}</Name><Value xsi:type="xsd:string" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">Attic</Value></ParameterValueStruct></ParameterList><ParameterKey>k1</ParameterKey></c:SetParameterValues>`,
    ],
    [
      "SetParameterAttributes",
      `<c:SetParameterAttributes><ParameterList><SetParameterAttributesStruct><Name>${ssid}</Name><NotificationChange>false</NotificationChange><Notification></Notification><AccessListChange>true</AccessListChange><AccessList><string>Subscriber</string></AccessList></SetParameterAttributesStruct></ParameterList></c:SetParameterAttributes>`,
    ],
    [
      "GetParameterAttributes",
      `<c:GetParameterAttributes><ParameterNames><string>${ssid}</string></ParameterNames></c:GetParameterAttributes>`,
    ],
    [
      "AddObject",
      `<c:AddObject><ObjectName>${pool}</ObjectName><ParameterKey>k2</ParameterKey></c:AddObject>`,
    ],
    [
      "DeleteObject",
      `<c:DeleteObject><ObjectName>${pool}1.</ObjectName><ParameterKey>k3</ParameterKey></c:DeleteObject>`,
    ],
    [
      "ScheduleInform",
      `<c:ScheduleInform><DelaySeconds>60</DelaySeconds><CommandKey>s</CommandKey></c:ScheduleInform>`,
    ],
    ["Reboot", `<c:Reboot><CommandKey>r</CommandKey></c:Reboot>`],
    ["FactoryReset", `<c:FactoryReset/>`],
  ];
  try {
    const answers = new Map<string, unknown>();
    for (const [method, body] of requests) {
      const run = await rpc(
        ["--device", device, "--state-dir", dir, "-"],
        envelope("cwmp-1-0", body),
      );
      assert.equal(run.code, 0, run.stderr);
      const reply = decodeCpeMessage(run.stdout);
      assert.ok(
        reply.body.kind === "response" && reply.body.method === method,
        `${method}: ${run.stdout}\n${run.stderr}`,
      );
      answers.set(method, reply.body.args);
    }
    const values = answers.get("GetParameterValues") as {
      parameterList: { value: string }[];
    };
    assert.deepStrictEqual(values.parameterList.map((p) => p.value), [
      'The "Lighthouse", 2.4 GHz',
      "NL44100000917",
    ]);
    const attributes = answers.get("GetParameterAttributes") as {
      parameterList: { notification: number; accessList: string[] }[];
    };
    assert.deepStrictEqual(attributes.parameterList[0].accessList, [
      "Subscriber",
    ]);
    assert.deepStrictEqual(answers.get("AddObject"), {
      instanceNumber: 3,
      status: 0,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
