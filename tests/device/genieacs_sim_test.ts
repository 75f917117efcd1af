/**
 * genieacs-sim data models load as they are: files in exactly the shape of
 * the simulator's own data_model_*.csv (a real device dump, messy) and of
 * GenieACS's device export that its forks load.
 */
import assert from "node:assert/strict";
import {
  createRpcContext,
  handleRequest,
  loadSnapshot,
  MemoryStateStore,
  parseSnapshot,
  type RpcContext,
  SimulatedDevice,
} from "../../mod.ts";
import { buildInform } from "../../src/session/inform.ts";

const IGD = new URL("../fixtures/sim/genieacs_sim_igd.csv", import.meta.url)
  .pathname;
const EXPORT =
  new URL("../fixtures/sim/genieacs_export_device2.csv", import.meta.url)
    .pathname;

async function open(file: string, warnings: string[] = []) {
  const device = await SimulatedDevice.load(file, {
    store: new MemoryStateStore(),
    snapshot: { onWarning: (w) => warnings.push(w) },
  });
  return await createRpcContext(device);
}

type Body =
  | { kind: "response"; args: Record<string, unknown> }
  | { kind: "fault"; faultCode: number };

async function rpc(
  context: RpcContext,
  method: string,
  args: unknown,
): Promise<Body> {
  const { body } = await handleRequest(
    { kind: "request", method, args } as never,
    context,
  );
  return body as unknown as Body;
}

const ROOT = "InternetGatewayDevice.";
const POOL =
  `${ROOT}LANDevice.1.LANHostConfigManagement.DHCPConditionalServingPool.`;

Deno.test("a genieacs-sim data model loads: objects without trailing dots, DeviceID rows as the identity, warnings for what no device could send", async () => {
  const warnings: string[] = [];
  const context = await open(IGD, warnings);
  const roots = new Set(
    context.model.index.parameters.values().map((d) => d.path.split(".")[0]),
  );
  assert.deepStrictEqual([...roots], ["InternetGatewayDevice"]);
  assert.deepStrictEqual(await context.device.identity(), {
    manufacturer: "Nordlicht Networks, GmbH",
    oui: "A0B1C2",
    productClass: "NL-4410",
    serialNumber: "NL44100000917",
  });
  const inform = await buildInform(context, {
    events: [{ eventCode: "1 BOOT", commandKey: "" }],
    retryCount: 0,
    now: new Date(),
  });
  assert.equal(inform.deviceId.serialNumber, "NL44100000917");
  assert.equal(inform.deviceId.oui, "A0B1C2");
  for (
    const pattern of [
      /line 1\d\d: the value of .*WANPPPConnection\.1\.DNSServers holds unquoted commas/,
      /"InternetGatewayDevice\..*WANPPPConnection\.1\.Enable true" is not a path/,
      /X_A0B1C2_VLAN\.: marked writable but holds parameters, not instances; loaded as a plain object/,
      /WANPPPConnection\.1\.Name: "PPPoE-Internet" is not a boolean; .* is loaded as a string/,
      /DeviceInfo\.SerialNumber is "0" but DeviceID\.SerialNumber says "NL44100000917"/,
    ]
  ) {
    assert.ok(
      warnings.some((w) => pattern.test(w)),
      `${pattern}\n${warnings.join("\n")}`,
    );
  }
  const values = await context.model.view().values([
    `${ROOT}WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.DNSServers`,
    `${ROOT}LANDevice.1.WLANConfiguration.1.SSID`,
    `${ROOT}DeviceSummary`,
    `${ROOT}WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.MACAddressOverride`,
    `${ROOT}Time.CurrentLocalTime`,
    `${ROOT}DeviceInfo.SerialNumber`,
  ]);
  assert.deepStrictEqual([...values.values()], [
    "198.51.100.1,198.51.100.2",
    'The "Lighthouse", 2.4 GHz',
    "InternetGatewayDevice:1.4[](Baseline:2, EthernetLAN:1, WiFiLAN:2, Time:1)",
    "false",
    "2019-03-02T08:41:07.000Z",
    "NL44100000917",
  ]);
});

Deno.test("genieacs-sim's model answers a whole-tree GetParameterNames and a GetParameterValues of every name it listed", async () => {
  const context = await open(IGD);
  const names = await rpc(context, "GetParameterNames", {
    parameterPath: "",
    nextLevel: false,
  });
  assert.equal(names.kind, "response");
  const list =
    (names as unknown as { args: { parameterList: { name: string }[] } }).args
      .parameterList;
  const parameters = list.map((p) => p.name).filter((n) => !n.endsWith("."));
  assert.ok(parameters.length > 100, `${parameters.length} parameters`);
  assert.ok(
    list.some((p) => p.name === `${ROOT}Layer2Bridging.X_A0B1C2_VLAN.`),
  );
  assert.ok(!list.some((p) => p.name.startsWith("DeviceID")));
  // The device's own vendor parameter under ManagementServer stays.
  assert.ok(parameters.includes(`${ROOT}ManagementServer.X_A0B1C2_CertCheck`));
  const values = await rpc(context, "GetParameterValues", {
    parameterNames: parameters,
  });
  assert.equal(values.kind, "response", JSON.stringify(values));
  const got = (values as unknown as { args: { parameterList: unknown[] } }).args
    .parameterList;
  assert.equal(got.length, parameters.length);
});

Deno.test("writable rows decide AddObject (table row) and DeleteObject (instance rows)", async () => {
  const context = await open(IGD);
  const writable = async (path: string) => {
    const body = await rpc(context, "GetParameterNames", {
      parameterPath: path,
      nextLevel: false,
    });
    const list = (body as unknown as {
      args: { parameterList: { name: string; writable: boolean }[] };
    }).args.parameterList;
    return list.find((p) => p.name === path)?.writable;
  };
  // Writable table, writable instances: both.
  assert.equal(await writable(POOL), true);
  assert.equal(await writable(`${POOL}2.`), true);
  const added = await rpc(context, "AddObject", {
    objectName: POOL,
    parameterKey: "a",
  });
  assert.equal(added.kind, "response", JSON.stringify(added));
  const removed = await rpc(context, "DeleteObject", {
    objectName: `${POOL}1.`,
    parameterKey: "d",
  });
  assert.equal(removed.kind, "response", JSON.stringify(removed));
  // Writable table, read-only instances: AddObject only.
  const eth = `${ROOT}LANDevice.1.LANEthernetInterfaceConfig.`;
  assert.equal(await writable(eth), true);
  assert.equal(await writable(`${eth}1.`), false);
  assert.equal(
    (await rpc(context, "AddObject", { objectName: eth, parameterKey: "" }))
      .kind,
    "response",
  );
  const refused = await rpc(context, "DeleteObject", {
    objectName: `${eth}1.`,
    parameterKey: "",
  });
  assert.ok(refused.kind === "fault" && refused.faultCode === 9005);
  // Read-only table and instances: neither.
  const psk = `${ROOT}LANDevice.1.WLANConfiguration.1.PreSharedKey.`;
  const add = await rpc(context, "AddObject", {
    objectName: psk,
    parameterKey: "",
  });
  assert.ok(add.kind === "fault" && add.faultCode === 9005);
  const del = await rpc(context, "DeleteObject", {
    objectName: `${psk}1.`,
    parameterKey: "",
  });
  assert.ok(del.kind === "fault" && del.faultCode === 9005);
  // An empty writable table takes AddObject.
  const empty = await rpc(context, "AddObject", {
    objectName: `${ROOT}LANDevice.1.LANHostConfigManagement.DHCPStaticAddress.`,
    parameterKey: "",
  });
  assert.equal(empty.kind, "response");
  // A writable object holding parameters is a plain object, not a table.
  const vlan = await rpc(context, "AddObject", {
    objectName: `${ROOT}Layer2Bridging.X_A0B1C2_VLAN.`,
    parameterKey: "",
  });
  assert.ok(vlan.kind === "fault" && vlan.faultCode === 9005);
  // …whose own table below works.
  const policy = await rpc(context, "AddObject", {
    objectName: `${ROOT}Layer2Bridging.X_A0B1C2_VLAN.PortPolicy.`,
    parameterKey: "",
  });
  assert.ok(policy.kind === "response" && policy.args.instanceNumber === 3);
});

Deno.test("GenieACS's device export (timestamp, notification and access-list columns) loads by column name", async () => {
  const warnings: string[] = [];
  const context = await open(EXPORT, warnings);
  assert.deepStrictEqual(warnings, []);
  assert.equal((await context.device.identity()).serialNumber, "KX900A00431");
  const values = await context.model.view().values([
    "Device.IP.Interface.1.LowerLayers",
    "Device.ManagementServer.PeriodicInformInterval",
  ]);
  assert.equal(
    values.get("Device.IP.Interface.1.LowerLayers"),
    "Device.Bridging.Bridge.1.Port.1.,Device.Bridging.Bridge.1.Port.2.",
  );
  assert.deepStrictEqual(
    await context.model.view().instances("Device.IP.Interface."),
    [1, 2],
  );
});

Deno.test("our JSON snapshots stay exact: a writable object with parameters or a value that does not fit its type is an error", () => {
  assert.throws(
    () =>
      loadSnapshot(parseSnapshot(
        JSON.stringify({
          "Device.X.": { object: true, writable: true },
          "Device.X.Enable": { value: true, type: "boolean" },
        }),
        "d.json",
      )),
    /Device\.X\.: marked writable but holds parameters/,
  );
  assert.throws(
    () =>
      loadSnapshot(parseSnapshot(
        JSON.stringify({
          "Device.Name": { value: "x", type: "boolean" },
        }),
        "d.json",
      )),
    /Snapshot value of Device\.Name/,
  );
});

Deno.test("an InternetGatewayDevice's Inform carries the default WAN connection's ExternalIPAddress, which starts actively notified", async () => {
  const context = await open(IGD);
  const wan = `${ROOT}WANDevice.1.WANConnectionDevice.1.`;
  const informNames = async () =>
    (await buildInform(context, { events: [], retryCount: 0, now: new Date() }))
      .parameterList.map((p) => p.name);
  // Layer3Forwarding.DefaultConnectionService names the PPP connection.
  assert.ok(
    (await informNames()).includes(
      `${wan}WANPPPConnection.1.ExternalIPAddress`,
    ),
  );
  assert.ok(
    !(await informNames()).includes(
      `${wan}WANIPConnection.1.ExternalIPAddress`,
    ),
  );
  // Pointing it at the IP connection moves the Forced Inform parameter.
  await rpc(context, "SetParameterValues", {
    parameterList: [{
      name: `${ROOT}Layer3Forwarding.DefaultConnectionService`,
      value: `${wan}WANIPConnection.1`,
    }],
    parameterKey: "",
  });
  assert.ok(
    (await informNames()).includes(`${wan}WANIPConnection.1.ExternalIPAddress`),
  );
  // Without one, the connected connection is the default.
  await rpc(context, "SetParameterValues", {
    parameterList: [{
      name: `${ROOT}Layer3Forwarding.DefaultConnectionService`,
      value: "",
    }],
    parameterKey: "",
  });
  const names = await informNames();
  assert.ok(
    names.includes(`${wan}WANPPPConnection.1.ExternalIPAddress`),
    names.join(),
  );
  for (
    const name of [
      "DeviceSummary",
      "DeviceInfo.SpecVersion",
      "DeviceInfo.HardwareVersion",
    ]
  ) {
    assert.ok(names.includes(ROOT + name), name);
  }
  const attributes = await rpc(context, "GetParameterAttributes", {
    parameterNames: [`${wan}WANIPConnection.1.ExternalIPAddress`],
  });
  assert.equal(
    (attributes as unknown as {
      args: { parameterList: { notification: number }[] };
    }).args
      .parameterList[0].notification,
    2,
  );
});

Deno.test("RootDataModelVersion follows the data model in use unless configured", async () => {
  const version = async (context: RpcContext) =>
    (await buildInform(context, { events: [], retryCount: 0, now: new Date() }))
      .parameterList.find((p) => p.name === "Device.RootDataModelVersion")
      ?.value;
  // The device's own parameter (a dump of a TR-181 2.14 device).
  assert.equal(await version(await open(EXPORT)), "2.14");
  // The generated table knows its version.
  const { definitions } = await import("../../src/device/models/tr181.ts");
  const generated = await SimulatedDevice.fromDefinitions(definitions, {
    store: new MemoryStateStore(),
    overrides: {
      "Device.DeviceInfo.Manufacturer": "x",
      "Device.DeviceInfo.ManufacturerOUI": "00D09E",
      "Device.DeviceInfo.SerialNumber": "1",
    },
  });
  assert.equal(await version(await createRpcContext(generated)), "2.19");
  // Configured wins.
  assert.equal(
    await version(
      await createRpcContext(generated, { rootDataModelVersion: "2.17" }),
    ),
    "2.17",
  );
  // A table that does not say is not given a guessed version.
  const bare = SimulatedDevice.fromSnapshot({
    "Device.DeviceInfo.SerialNumber": { value: "1" },
  });
  assert.equal(await version(await createRpcContext(bare)), undefined);
});
