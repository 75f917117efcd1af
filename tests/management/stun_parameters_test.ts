/** The Annex G parameters: advertised only with a UDP port, stored, published. */
import assert from "node:assert/strict";
import { ManagedDevice } from "../../src/management/managed_device.ts";
import { SimulatedDevice } from "../../src/device/simulated.ts";

const device = () =>
  SimulatedDevice.fromSnapshot({
    "Device.DeviceInfo.SerialNumber": { value: "S1" },
  });

Deno.test("without a UDP port no STUN parameter is advertised and SupportedConnReqMethods is HTTP", async () => {
  const managed = await ManagedDevice.open(device());
  const names = managed.definitions().parameters.map((p) => p.path);
  assert.ok(
    !names.some((n) => /STUN|NATDetected|UDPConnectionRequest/.test(n)),
  );
  assert.equal(managed.managementServer("SupportedConnReqMethods"), "HTTP");
});

Deno.test("with one: the TR-181 STUN parameters, their factory values, writable ones stored, published ones not", async () => {
  const simulated = device();
  const managed = await ManagedDevice.open(simulated, { stun: true });
  const definitions = new Map(
    managed.definitions().parameters.map((p) => [p.path, p]),
  );
  const ms = "Device.ManagementServer.";
  for (
    const [name, writable] of [
      ["UDPConnectionRequestAddress", false],
      ["STUNEnable", true],
      ["STUNServerAddress", true],
      ["STUNServerPort", true],
      ["STUNUsername", true],
      ["STUNPassword", true],
      ["STUNMaximumKeepAlivePeriod", true],
      ["STUNMinimumKeepAlivePeriod", true],
      ["NATDetected", false],
    ] as const
  ) {
    assert.equal(definitions.get(ms + name)?.writable, writable, name);
  }
  assert.equal(definitions.get(ms + "STUNPassword")?.hidden, true);
  assert.equal(
    managed.managementServer("SupportedConnReqMethods"),
    "HTTP,STUN",
  );
  assert.equal(managed.managementServer("STUNServerPort"), "3478");
  assert.equal(managed.managementServer("STUNMaximumKeepAlivePeriod"), "-1");

  managed.publish("UDPConnectionRequestAddress", "203.0.113.5:40001");
  managed.publish("NATDetected", "true");
  // Settings written after the publication carry it along in the file.
  const result = await managed.setValues([
    { path: ms + "STUNEnable", value: "true" },
    { path: ms + "STUNServerAddress", value: "stun.example.net" },
  ]);
  assert.equal(result.applied, true);
  const values = await managed.getValues([
    ms + "UDPConnectionRequestAddress",
    ms + "NATDetected",
  ]);
  assert.equal(
    values.get(ms + "UDPConnectionRequestAddress"),
    "203.0.113.5:40001",
  );

  // After a restart the settings are back; what was found is found again.
  const again = await ManagedDevice.open(simulated, { stun: true });
  assert.equal(again.managementServer("STUNEnable"), "true");
  assert.equal(again.managementServer("STUNServerAddress"), "stun.example.net");
  assert.equal(again.managementServer("UDPConnectionRequestAddress"), "");
  assert.equal(again.managementServer("NATDetected"), "false");
});
