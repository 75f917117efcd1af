/**
 * The device-adapter contract: checks every adapter must pass — the
 * simulated device, the Linux host, and a vendor's own. Run it from a test:
 *
 * ```ts
 * import { testAdapterContract } from "cwmp-agent/mod.ts";
 * testAdapterContract("my device", () => createMyAdapter());
 * ```
 *
 * @module
 */
import { ManagedDevice } from "./managed_device.ts";
import { ModelIndex, type ModelNode } from "../datamodel/definitions.ts";
import { DataModel } from "../datamodel/model.ts";
import { pathProblem } from "../datamodel/path.ts";
import { checkValue } from "../datamodel/types.ts";
import {
  type DeviceAdapter,
  NotImplementedError,
} from "../datamodel/adapter.ts";
import { type ContractCase, ContractViolation } from "./contract_case.ts";
import { TRANSFER_CONTRACT } from "./transfer_contract.ts";

export { type ContractCase, ContractViolation } from "./contract_case.ts";

function describe(error: unknown): string {
  return error instanceof NotImplementedError
    ? error.message
    : `${(error as Error)?.message ?? error}`;
}

/**
 * Every concrete parameter and table, walking the tree; a table whose
 * instances cannot be listed is a problem of its own and its subtree is
 * skipped, so one missing stub does not hide the rest.
 */
async function walkTree(
  adapter: DeviceAdapter,
  problems: string[] = [],
): Promise<{ parameters: string[]; tables: string[] }> {
  const model = new DataModel(adapter);
  const parameters: string[] = [];
  const tables: string[] = [];
  const walk = async (node: ModelNode, path: string): Promise<void> => {
    if (node.kind === "parameter") {
      parameters.push(path);
      return;
    }
    if (node.kind === "table") {
      tables.push(path);
      let instances: readonly number[];
      try {
        instances = await adapter.instances(path);
      } catch (error) {
        problems.push(`${path}: ${describe(error)}`);
        return;
      }
      const instance = node.children.get("{i}")!;
      for (const n of instances) await walk(instance, `${path}${n}.`);
      return;
    }
    for (const child of node.children.values()) {
      await walk(
        child,
        child.kind === "parameter"
          ? path + child.name
          : `${path}${child.name}.`,
      );
    }
  };
  for (const root of model.index.roots.values()) {
    await walk(root, `${root.name}.`);
  }
  return { parameters, tables };
}

async function everyParameter(
  adapter: DeviceAdapter,
  problems: string[] = [],
): Promise<string[]> {
  return (await walkTree(adapter, problems)).parameters;
}

/**
 * The contract's checks.
 *
 * @example
 * ```ts
 * import { ADAPTER_CONTRACT } from "./adapter_contract.ts";
 * console.log(ADAPTER_CONTRACT.map((c) => c.name).length > 5); // true
 * ```
 */
export const ADAPTER_CONTRACT: readonly ContractCase[] = [
  {
    name:
      "identity is a valid DeviceId (OUI of six upper-case hex digits, serial number present)",
    async run(adapter) {
      const id = await adapter.identity();
      const problems: string[] = [];
      if (!/^[0-9A-F]{6}$/.test(id.oui)) {
        problems.push(
          `OUI ${JSON.stringify(id.oui)} is not six upper-case hex digits`,
        );
      }
      if (id.manufacturer === "" || id.manufacturer.length > 64) {
        problems.push("Manufacturer must be 1–64 characters");
      }
      if (id.serialNumber === "" || id.serialNumber.length > 64) {
        problems.push("SerialNumber must be 1–64 characters");
      }
      if (id.productClass.length > 64) {
        problems.push("ProductClass must be at most 64 characters");
      }
      if (problems.length) throw new ContractViolation("identity", problems);
    },
  },
  {
    name: "the parameter table is well-formed under one root",
    run(adapter) {
      const definitions = adapter.definitions();
      const problems: string[] = [];
      const roots = new Set(
        definitions.parameters.map((d) => d.path.split(".")[0]),
      );
      if (roots.size !== 1) {
        problems.push(
          `expected one root object, found ${[...roots].join(", ") || "none"}`,
        );
      }
      for (const d of definitions.parameters) {
        const problem = pathProblem(d.path.replaceAll("{i}", "1"));
        if (problem) problems.push(`${d.path}: ${problem}`);
      }
      try {
        new ModelIndex(definitions);
      } catch (error) {
        problems.push(describe(error));
      }
      if (problems.length) {
        return Promise.reject(
          new ContractViolation("parameter table", problems),
        );
      }
      return Promise.resolve();
    },
  },
  {
    name:
      "every table lists unique positive instance numbers in ascending order",
    async run(adapter) {
      const problems: string[] = [];
      for (const name of (await walkTree(adapter, problems)).tables) {
        let list: readonly number[];
        try {
          list = await adapter.instances(name);
        } catch {
          continue; // walkTree reported it
        }
        const sorted = [...new Set(list)].sort((a, b) => a - b);
        if (list.some((n) => !Number.isInteger(n) || n < 1)) {
          problems.push(`${name}: ${list.join(",")}`);
        } else if (sorted.join() !== list.join()) {
          problems.push(`${name}: not unique and ascending: ${list.join(",")}`);
        }
      }
      if (problems.length) throw new ContractViolation("instances", problems);
    },
  },
  {
    name: "every parameter reads a value that fits its type",
    async run(adapter) {
      const model = new DataModel(adapter);
      const problems: string[] = [];
      for (const path of await everyParameter(adapter, problems)) {
        const definition = model.index.lookup(path)!.parameter!;
        let value: string | undefined;
        try {
          value = (await adapter.getValues([path])).get(path);
        } catch (error) {
          problems.push(`${path}: ${describe(error)}`);
          continue;
        }
        if (value === undefined) {
          problems.push(`${path}: no value returned`);
          continue;
        }
        const checked = checkValue(definition.type, value);
        if (checked.problem) {
          problems.push(
            `${path}: ${JSON.stringify(value)}: ${checked.problem.reason}`,
          );
        } else if (checked.value !== value) {
          problems.push(
            `${path}: ${JSON.stringify(value)} is not canonical (${
              JSON.stringify(checked.value)
            })`,
          );
        }
      }
      if (problems.length) throw new ContractViolation("values", problems);
    },
  },
  {
    name: "every writable parameter accepts its current value",
    async run(adapter) {
      const model = new DataModel(adapter);
      const problems: string[] = [];
      for (const path of await everyParameter(adapter)) {
        const definition = model.index.lookup(path)!.parameter!;
        if (!definition.writable) continue;
        try {
          const value = (await adapter.getValues([path])).get(path)!;
          await adapter.setValues([{ path, value }]);
          const after = (await adapter.getValues([path])).get(path);
          if (!definition.hidden && after !== value) {
            problems.push(
              `${path}: read ${JSON.stringify(after)} after setting ${
                JSON.stringify(value)
              }`,
            );
          }
        } catch (error) {
          problems.push(`${path}: ${describe(error)}`);
        }
      }
      if (problems.length) throw new ContractViolation("setters", problems);
    },
  },
  {
    name: "a writable table creates and deletes instances",
    async run(adapter) {
      const model = new DataModel(adapter);
      const problems: string[] = [];
      for (const name of (await walkTree(adapter)).tables) {
        const node = model.index.lookup(name);
        if (!node?.object?.writable) continue;
        let before: readonly number[];
        try {
          before = await adapter.instances(name);
        } catch (error) {
          problems.push(`${name}: ${describe(error)}`);
          continue;
        }
        if (
          node.object?.maxEntries !== undefined &&
          before.length >= node.object.maxEntries
        ) continue;
        const instance = Math.max(0, ...before) + 1000;
        try {
          await adapter.addInstance(name, instance);
          if (!(await adapter.instances(name)).includes(instance)) {
            problems.push(`${name}: added ${instance} is not listed`);
          }
          const view = model.view();
          for (const path of await view.parameters(`${name}${instance}.`)) {
            const value = (await adapter.getValues([path])).get(path);
            if (value === undefined) {
              problems.push(`${path}: no value in a new instance`);
            }
          }
          await adapter.deleteInstance(`${name}${instance}.`);
          if ((await adapter.instances(name)).includes(instance)) {
            problems.push(`${name}: deleted ${instance} is still listed`);
          }
        } catch (error) {
          problems.push(`${name}: ${describe(error)}`);
        }
      }
      if (problems.length) {
        throw new ContractViolation("add and delete", problems);
      }
    },
  },
  {
    name: "the agent's own parameters can be layered on top",
    async run(adapter) {
      const managed = await ManagedDevice.open(adapter);
      const model = new DataModel(managed);
      const names = await model.view().names(
        `${managed.root}.ManagementServer.`,
        true,
      );
      if (names.length === 0) {
        throw new ContractViolation("agent parameters", [
          "ManagementServer is empty",
        ]);
      }
    },
  },
  {
    name: "a boot id, if the device has one, is stable within a boot",
    async run(adapter) {
      if (!adapter.bootId) return;
      const first = await adapter.bootId();
      const second = await adapter.bootId();
      const problems: string[] = [];
      if (typeof first !== "string" || first.trim() === "") {
        problems.push(`bootId() returned ${JSON.stringify(first)}`);
      } else if (first !== second) {
        problems.push(
          `bootId() changed without a boot: ${JSON.stringify(first)}, then ${
            JSON.stringify(second)
          }`,
        );
      }
      if (problems.length > 0) throw new ContractViolation("boot id", problems);
    },
  },
  {
    name: "watching for changes, if the device can, starts and stops",
    run(adapter) {
      if (!adapter.watch) return Promise.resolve();
      const stop = adapter.watch(() => {});
      if (typeof stop !== "function") {
        throw new ContractViolation("watch", [
          "watch() must return the function that stops the reports",
        ]);
      }
      stop();
      return Promise.resolve();
    },
  },
  {
    name: "the state store returns what was written",
    async run(adapter) {
      const document = {
        probe: crypto.randomUUID(),
        nested: [1, "two", { three: true }],
      };
      await adapter.store.write("contract-probe", document);
      const read = await adapter.store.read("contract-probe");
      if (JSON.stringify(read) !== JSON.stringify(document)) {
        throw new ContractViolation("state store", [
          `wrote ${JSON.stringify(document)}, read ${JSON.stringify(read)}`,
        ]);
      }
    },
  },
  ...TRANSFER_CONTRACT,
];

/**
 * Runs the contract on an adapter and returns the failures (empty when it
 * passes). `makeAdapter` is called once per check, so checks do not see each
 * other's changes.
 *
 * @example
 * ```ts
 * import { checkAdapterContract } from "./adapter_contract.ts";
 * // const failures = await checkAdapterContract(() => createMyAdapter());
 * ```
 */
export async function checkAdapterContract(
  makeAdapter: () => DeviceAdapter | Promise<DeviceAdapter>,
): Promise<{ check: string; error: unknown }[]> {
  const failures: { check: string; error: unknown }[] = [];
  for (const contractCase of ADAPTER_CONTRACT) {
    try {
      await contractCase.run(await makeAdapter());
    } catch (error) {
      failures.push({ check: contractCase.name, error });
    }
  }
  return failures;
}

/**
 * Registers the contract as one `Deno.test` with a step per check.
 *
 * @example
 * ```ts
 * import { testAdapterContract } from "./adapter_contract.ts";
 * // testAdapterContract("simulated device", () => SimulatedDevice.load("snapshot.json"));
 * ```
 */
export function testAdapterContract(
  name: string,
  makeAdapter: () => DeviceAdapter | Promise<DeviceAdapter>,
): void {
  Deno.test(`${name} passes the device-adapter contract`, async (t) => {
    for (const contractCase of ADAPTER_CONTRACT) {
      await t.step(contractCase.name, async () => {
        await contractCase.run(await makeAdapter());
      });
    }
  });
}
