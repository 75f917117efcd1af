import assert from "node:assert/strict";
import { loadSnapshot, parseSnapshot, SimulatedDevice } from "../../mod.ts";
import { DEFAULT } from "../_helpers/device.ts";

Deno.test("the default TR-181 snapshot has several hundred parameters across the expected objects", () => {
  const { definitions, values, instances } = loadSnapshot(DEFAULT);
  assert.ok(values.size >= 400, `${values.size} parameters`);
  for (
    const object of [
      "DeviceInfo",
      "Time",
      "Ethernet",
      "IP",
      "WiFi",
      "Hosts",
      "DHCPv4",
      "DNS",
      "NAT",
      "Routing",
      "Users",
    ]
  ) {
    assert.ok(
      [...values.keys()].some((p) => p.startsWith(`Device.${object}.`)),
      object,
    );
  }
  assert.deepStrictEqual(instances.get("Device.IP.Interface."), [1, 2]);
  assert.ok(
    definitions.objects.some((o) =>
      o.path === "Device.IP.Interface.{i}." && o.writable && o.maxEntries === 8
    ),
  );
});

Deno.test("CSV snapshots: header, quoted fields with commas and quotes, object rows", () => {
  const snapshot = parseSnapshot(
    'Parameter,Object,Writable,Value,Value type\r\nDevice.,true,false,,\r\nDevice.X.,true,true,,\r\nDevice.X.1.Name,false,true,"a, ""b""",xsd:string\r\nDevice.Up,false,false,5,xsd:unsignedInt\r\n',
    "d.csv",
  );
  assert.deepStrictEqual(snapshot["Device.X.1.Name"], {
    value: 'a, "b"',
    type: "xsd:string",
    writable: true,
  });
  const loaded = loadSnapshot(snapshot);
  assert.deepStrictEqual(loaded.instances.get("Device.X."), [1]);
  assert.equal(loaded.values.get("Device.Up"), "5");
});

Deno.test("bad snapshots are refused with the path or line named", () => {
  assert.throws(() => parseSnapshot("Name,Value\nx,y\n", "d.csv"), /header/);
  // A device dump's unusable row is skipped with a warning naming its line.
  const warnings: string[] = [];
  const skipped = parseSnapshot(
    "Parameter,Object,Writable,Value,Value type\nDevice.A,maybe,false,,\nDevice.B,false,false,1,xsd:int\n",
    "d.csv",
    { onWarning: (w) => warnings.push(w) },
  );
  assert.deepStrictEqual(Object.keys(skipped), ["Device.B"]);
  assert.match(
    warnings[0],
    /line 2: Object and Writable must be true or false/,
  );
  assert.throws(
    () =>
      parseSnapshot('{"Device.A": {"value": 1, "colour": "red"}}', "d.json"),
    /Device\.A/,
  );
  assert.throws(() => parseSnapshot("{", "d.json"), /not valid JSON/);
  assert.throws(
    () => loadSnapshot({ "Device.A": { value: "x", type: "xsd:unsignedInt" } }),
    /Device\.A: "x" is not an integer/,
  );
  assert.throws(
    () => loadSnapshot({ "Device..A": { value: "x" } }),
    /empty segment/,
  );
  assert.throws(
    () => loadSnapshot({ "Device.A": { value: "x", type: "float" } }),
    /unknown type float/,
  );
  assert.throws(
    () => loadSnapshot({ "Device.A.": { object: false } }),
    /objects end in/,
  );
});

Deno.test("the simulated device persists changes and restores them on load", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/device.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        "Device.X.Name": { value: "a", writable: true },
        "Device.T.": { object: true, writable: true },
      }),
    );
    const { FileStateStore } = await import("../../mod.ts");
    const first = await SimulatedDevice.load(file, {
      store: new FileStateStore(`${dir}/state`),
    });
    await first.setValues([{ path: "Device.X.Name", value: "b" }]);
    await first.addInstance("Device.T.", 4);
    const second = await SimulatedDevice.load(file, {
      store: new FileStateStore(`${dir}/state`),
    });
    assert.equal(
      (await second.getValues(["Device.X.Name"])).get("Device.X.Name"),
      "b",
    );
    assert.deepStrictEqual(await second.instances("Device.T."), [4]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
