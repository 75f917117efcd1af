import assert from "node:assert/strict";
import { fault, ok, simContext } from "../_helpers/device.ts";

type Values = {
  parameterList: { name: string; value: string; type: string }[];
};

Deno.test("GetParameterValues expands several partial paths in order, each parameter once, with xsi types", async () => {
  const context = await simContext();
  const { parameterList } = await ok<Values>(context, "GetParameterValues", {
    parameterNames: [
      "Device.DeviceInfo.SerialNumber",
      "Device.Time.",
      "Device.DeviceInfo.SerialNumber",
      "Device.IP.Interface.1.IPv4Address.",
    ],
  });
  const names = parameterList.map((p) => p.name);
  assert.equal(names[0], "Device.DeviceInfo.SerialNumber");
  assert.equal(
    names.filter((n) => n === "Device.DeviceInfo.SerialNumber").length,
    1,
  );
  assert.ok(
    names.indexOf("Device.Time.Enable") <
      names.indexOf("Device.IP.Interface.1.IPv4Address.1.IPAddress"),
  );
  const byName = new Map(parameterList.map((p) => [p.name, p]));
  assert.deepStrictEqual(byName.get("Device.Time.Enable"), {
    name: "Device.Time.Enable",
    value: "true",
    type: "boolean",
  });
  assert.equal(
    byName.get("Device.IP.Interface.1.IPv4Address.1.IPAddress")?.type,
    "string",
  );
});

Deno.test('GetParameterValues of "" returns every parameter', async () => {
  const context = await simContext();
  const { parameterList } = await ok<Values>(context, "GetParameterValues", {
    parameterNames: [""],
  });
  assert.ok(parameterList.length > 400);
  assert.ok(
    parameterList.some((p) =>
      p.name === "Device.ManagementServer.PeriodicInformInterval" &&
      p.type === "unsignedInt"
    ),
  );
});

Deno.test("hidden parameters read as an empty string", async () => {
  const context = await simContext();
  const { parameterList } = await ok<Values>(context, "GetParameterValues", {
    parameterNames: [
      "Device.UserInterface.Password",
      "Device.ManagementServer.ConnectionRequestPassword",
    ],
  });
  assert.deepStrictEqual(parameterList.map((p) => p.value), ["", ""]);
});

Deno.test("NumberOfEntries parameters follow the live instances", async () => {
  const context = await simContext();
  const count = async () =>
    (await ok<Values>(context, "GetParameterValues", {
      parameterNames: ["Device.IP.InterfaceNumberOfEntries"],
    })).parameterList[0].value;
  assert.equal(await count(), "2");
  await ok(context, "AddObject", {
    objectName: "Device.IP.Interface.",
    parameterKey: "",
  });
  assert.equal(await count(), "3");
});

Deno.test("any unknown name faults the whole GetParameterValues with 9005", async () => {
  const context = await simContext();
  for (
    const names of [
      ["Device.DeviceInfo.SerialNumber", "Device.Nope"],
      ["Device.IP.Interface.7."],
      ["Device.DeviceInfo"],
      ["Device.DeviceInfo.SerialNumber."],
    ]
  ) {
    assert.equal(
      (await fault(context, "GetParameterValues", { parameterNames: names }))
        .faultCode,
      9005,
      names.join(),
    );
  }
});

Deno.test("a named parameter is found the same way whether or not its instance lists were read already", async () => {
  const context = await simContext();
  const present = "Device.IP.Interface.1.IPv4Address.1.IPAddress";
  const absent = [
    "Device.IP.Interface.9.IPv4Address.1.IPAddress", // no such instance
    "Device.IP.Interface.1.IPv4Address.9.IPAddress",
    "Device.IP.Interface.{i}.Enable", // a pattern is not a path
    "Device.IP.Interface.01.Enable", // a leading zero is not an instance number
    "Device.IP.Interface.X.Enable",
    "Device.IP.Interface.1.Enable.", // a parameter written as an object
    "Device..DeviceInfo",
    // After Interface.1.Enable, a look-up may resume at "Interface.1." but
    // not for "Interface.12.": the resumed-at path ends in a dot.
    "Device.IP.Interface.12.Enable",
  ];
  for (const name of absent) {
    // Alone (nothing read yet), and after a name that reads the lists.
    for (
      const names of [[name], [present, name], [
        "Device.IP.Interface.1.Enable",
        name,
      ]]
    ) {
      const answer = await fault(context, "GetParameterValues", {
        parameterNames: names,
      });
      assert.equal(answer.faultCode, 9005, names.join());
    }
  }
  const { parameterList } = await ok<Values>(context, "GetParameterValues", {
    parameterNames: [present, "Device.IP.Interface.2.Enable", present],
  });
  assert.deepStrictEqual(parameterList.map((p) => p.name), [
    present,
    "Device.IP.Interface.2.Enable",
  ]);
  // Deleted in this session's model: the next request no longer finds it.
  await ok(context, "DeleteObject", {
    objectName: "Device.IP.Interface.2.",
    parameterKey: "",
  });
  assert.equal(
    (await fault(context, "GetParameterValues", {
      parameterNames: ["Device.IP.Interface.2.Enable"],
    })).faultCode,
    9005,
  );
});

Deno.test("a path longer than 256 characters is refused as invalid, not looked up", async () => {
  const context = await simContext();
  const long = `Device.${"X".repeat(260)}`;
  const answer = await fault(context, "GetParameterValues", {
    parameterNames: [long],
  });
  assert.equal(answer.faultCode, 9005);
  assert.match(answer.faultString, /longer than 256/);
});
