import assert from "node:assert/strict";
import { DEFAULT, fault, ok, simContext } from "../_helpers/device.ts";

type Names = { parameterList: { name: string; writable: boolean }[] };

Deno.test('GetParameterNames on "" lists the whole tree once, objects ending in "."', async () => {
  const context = await simContext();
  const { parameterList } = await ok<Names>(context, "GetParameterNames", {
    parameterPath: "",
    nextLevel: false,
  });
  const names = parameterList.map((p) => p.name);
  assert.equal(new Set(names).size, names.length, "no duplicates");
  assert.equal(names[0], "Device.");
  // Every path of the snapshot is there, plus the agent's own parameters.
  for (const path of Object.keys(DEFAULT)) {
    assert.ok(names.includes(path), `missing ${path}`);
  }
  assert.ok(names.includes("Device.ManagementServer.URL"));
  assert.ok(names.includes("Device.RootDataModelVersion"));
});

Deno.test('GetParameterNames with NextLevel on "" returns the root object only', async () => {
  const context = await simContext();
  const { parameterList } = await ok<Names>(context, "GetParameterNames", {
    parameterPath: "",
    nextLevel: true,
  });
  assert.deepStrictEqual(parameterList, [{ name: "Device.", writable: false }]);
});

Deno.test("GetParameterNames answers every partial path of the default snapshot correctly", async () => {
  const context = await simContext();
  const all = (await ok<Names>(context, "GetParameterNames", {
    parameterPath: "",
    nextLevel: false,
  })).parameterList;
  const allNames = all.map((p) => p.name);
  for (const { name: object } of all.filter((p) => p.name.endsWith("."))) {
    const below = allNames.filter((n) => n.startsWith(object));
    const full = (await ok<Names>(context, "GetParameterNames", {
      parameterPath: object,
      nextLevel: false,
    })).parameterList;
    assert.deepStrictEqual(
      full.map((p) => p.name).sort(),
      below.sort(),
      `${object} NextLevel=false`,
    );
    assert.equal(full[0].name, object, `${object} lists itself first`);
    const next = (await ok<Names>(context, "GetParameterNames", {
      parameterPath: object,
      nextLevel: true,
    })).parameterList;
    const children = below.filter((n) => {
      const rest = n.slice(object.length);
      return rest !== "" &&
        (rest.indexOf(".") === -1 || rest.indexOf(".") === rest.length - 1);
    });
    assert.deepStrictEqual(
      next.map((p) => p.name).sort(),
      children.sort(),
      `${object} NextLevel=true`,
    );
    // Writable flags agree between the two listings.
    for (const p of next) {
      assert.equal(
        p.writable,
        all.find((a) => a.name === p.name)!.writable,
        p.name,
      );
    }
  }
});

Deno.test("GetParameterNames writable flags: parameters, tables (AddObject) and instances (DeleteObject)", async () => {
  const context = await simContext();
  const { parameterList } = await ok<Names>(context, "GetParameterNames", {
    parameterPath: "Device.IP.",
    nextLevel: false,
  });
  const writable = (name: string) =>
    parameterList.find((p) => p.name === name)?.writable;
  assert.equal(writable("Device.IP."), false);
  assert.equal(writable("Device.IP.Interface."), true);
  assert.equal(writable("Device.IP.Interface.1."), true);
  assert.equal(writable("Device.IP.Interface.1.Enable"), true);
  assert.equal(writable("Device.IP.Interface.1.Status"), false);
  assert.equal(writable("Device.IP.InterfaceNumberOfEntries"), false);
});

Deno.test("GetParameterNames on a parameter returns it; with NextLevel true it is 9003", async () => {
  const context = await simContext();
  const { parameterList } = await ok<Names>(context, "GetParameterNames", {
    parameterPath: "Device.DeviceInfo.SerialNumber",
    nextLevel: false,
  });
  assert.deepStrictEqual(parameterList, [{
    name: "Device.DeviceInfo.SerialNumber",
    writable: false,
  }]);
  const f = await fault(context, "GetParameterNames", {
    parameterPath: "Device.DeviceInfo.SerialNumber",
    nextLevel: true,
  });
  assert.equal(f.faultCode, 9003);
});

Deno.test("GetParameterNames on a path that does not exist is 9005", async () => {
  const context = await simContext();
  for (
    const path of [
      "Device.Nope.",
      "Device.IP.Interface.9.",
      "Device.DeviceInfo.Nope",
      "Device..",
      "InternetGatewayDevice.",
    ]
  ) {
    assert.equal(
      (await fault(context, "GetParameterNames", {
        parameterPath: path,
        nextLevel: false,
      })).faultCode,
      9005,
      path,
    );
  }
});
