import assert from "node:assert/strict";
import {
  checkAdapterContract,
  ContractViolation,
  createLinuxHostAdapter,
  createTableAdapter,
  MemoryStateStore,
  NotImplementedError,
  SimulatedDevice,
  testAdapterContract,
} from "../../mod.ts";
import { DEFAULT_SNAPSHOT } from "../../src/cli/device_option.ts";

const CSV = new URL("../fixtures/devices/igd.csv", import.meta.url).pathname;

testAdapterContract(
  "the simulated device on the default TR-181 snapshot",
  () =>
    SimulatedDevice.load(DEFAULT_SNAPSHOT, { store: new MemoryStateStore() }),
);

testAdapterContract(
  "the simulated device on a CSV snapshot",
  () => SimulatedDevice.load(CSV, { store: new MemoryStateStore() }),
);

testAdapterContract(
  "the Linux host adapter",
  () =>
    createLinuxHostAdapter({ store: new MemoryStateStore(), oui: "00D09E" }),
);

Deno.test("a deliberately broken adapter fails the contract, each problem named", async () => {
  const failures = await checkAdapterContract(() =>
    createTableAdapter({
      identity: {
        manufacturer: "",
        oui: "00d09e",
        productClass: "",
        serialNumber: "S",
      },
      store: {
        read: () => Promise.resolve({ stale: true }),
        write: () => Promise.resolve(),
      },
      parameters: {
        "Device.X.Flag": { type: { base: "boolean" }, get: () => "yes" },
        "Device.X.Count": { type: { base: "unsignedInt" }, get: () => "007" },
        "Device.X.Stub": {
          type: { base: "string" },
          get: () => {
            throw new NotImplementedError("Device.X.Stub getter");
          },
        },
        "Device.X.ReadOnlySetter": {
          type: { base: "string" },
          writable: true,
          get: () => "v",
        },
        "Device.T.{i}.Name": { type: { base: "string" }, get: () => "" },
      },
      objects: {
        "Device.T.{i}.": { writable: true, instances: () => [2, 1, 1] },
      },
    })
  );
  const byCheck = new Map(
    failures.map((f) => [f.check, f.error as ContractViolation]),
  );
  const problems = (check: string) =>
    [...byCheck].find(([name]) => name.startsWith(check))?.[1].problems ?? [];
  assert.ok(problems("identity").some((p) => /OUI "00d09e"/.test(p)));
  assert.ok(problems("identity").some((p) => /Manufacturer/.test(p)));
  assert.ok(problems("every table").some((p) => /Device\.T\./.test(p)));
  const values = problems("every parameter reads");
  assert.ok(
    values.some((p) =>
      p.startsWith("Device.X.Flag") && /not a boolean/.test(p)
    ),
  );
  assert.ok(
    values.some((p) =>
      p.startsWith("Device.X.Count") && /not canonical/.test(p)
    ),
  );
  assert.ok(
    values.includes("Device.X.Stub: not implemented: Device.X.Stub getter"),
  );
  assert.ok(
    problems("every writable").some((p) =>
      /Device\.X\.ReadOnlySetter: not implemented: Device\.X\.ReadOnlySetter setter/
        .test(p)
    ),
  );
  assert.ok(
    problems("a writable table").some((p) => /not implemented/.test(p)),
  );
  assert.ok(problems("the state store").length > 0);
  for (const failure of failures) {
    assert.ok(failure.error instanceof ContractViolation, failure.check);
  }
});
