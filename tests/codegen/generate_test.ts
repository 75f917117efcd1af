/** The data-model generator against the official Broadband Forum XML. */
import assert from "node:assert/strict";
import { readDataModel } from "../../src/codegen/bbf_xml.ts";
import {
  definitionsModule,
  generateStubs,
  toDefinitions,
  vendorRegions,
} from "../../src/codegen/generate.ts";
import { selectModel } from "../../src/codegen/select.ts";
import { readParameterTable } from "../../src/codegen/table.ts";
import { genCommand } from "../../src/codegen/cli.ts";
import { BBF_DIR, xsdTestOptions } from "../_helpers/bbf.ts";

const MODELS = [
  "tr-181-2-19-1-cwmp-full.xml",
  "tr-098-1-8-0-full.xml",
  "tr-104-2-0-2-cwmp-full.xml",
  "tr-135-1-4-1-cwmp-full.xml",
  "tr-196-2-1-2-cwmp-full.xml",
];
const REPO = new URL("../../", import.meta.url).pathname;
// Counting needs xmllint and the BBF files, like the XSD tests.
const NEEDS_BBF = xsdTestOptions();

async function xpathCount(file: string, xpath: string): Promise<number> {
  const { stdout, success } = await new Deno.Command("xmllint", {
    args: ["--xpath", xpath, file],
    stdout: "piped",
  }).output();
  assert.ok(success, `xmllint ${xpath}`);
  return Number(new TextDecoder().decode(stdout).trim());
}

Deno.test(
  "every model generates, and the generated code passes deno check",
  NEEDS_BBF,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "cwmp-gen-" });
    try {
      const files: string[] = [];
      for (const model of MODELS) {
        const out = `${dir}/${model.replace(/\.xml$/, "")}`;
        const code = await genCommand([
          "--xml",
          `${BBF_DIR}/models/${model}`,
          "--out",
          out,
        ]);
        assert.equal(code, 0, model);
        files.push(`${out}/definitions.ts`);
        for await (const entry of Deno.readDir(`${out}/stubs`)) {
          files.push(
            `${out}/stubs/${entry.name}`,
          );
        }
      }
      assert.ok(files.length > 1400, `${files.length} files`);
      const { success, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["check", "--config", `${REPO}deno.json`, "--quiet", ...files],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.ok(success, new TextDecoder().decode(stderr).slice(0, 3000));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "TR-181 2.19.1 counts match the XML, counted independently with XPath",
  NEEDS_BBF,
  async () => {
    const file = `${BBF_DIR}/models/tr-181-2-19-1-cwmp-full.xml`;
    const model = await readDataModel(file);
    const current = selectModel(model, { status: "current" });
    const all = selectModel(model, { status: "all" });
    const expected = {
      objects: await xpathCount(
        file,
        "count(/*/model/object[not(@status) or @status='current'])",
      ),
      parameters: await xpathCount(
        file,
        "count(/*/model/object/parameter[not(@status) or @status='current'])",
      ),
      writable: await xpathCount(
        file,
        "count(/*/model/object/parameter[@access='readWrite'])",
      ),
    };
    assert.deepStrictEqual(expected, {
      objects: 846,
      parameters: 7205,
      writable: 2686,
    }, "the spec's figures");
    assert.deepStrictEqual(
      {
        objects: current.objects.length,
        parameters: current.parameters.length,
        writable: all.parameters.filter((p) => p.writable).length,
      },
      expected,
    );
    // The generated definitions carry them all.
    assert.equal(toDefinitions(current).parameters.length, expected.parameters);
    for (const other of MODELS.slice(1)) {
      const f = `${BBF_DIR}/models/${other}`;
      const m = selectModel(await readDataModel(f), { status: "current" });
      assert.equal(
        m.parameters.length,
        await xpathCount(
          f,
          "count(/*/model/object/parameter[not(@status) or @status='current'])",
        ),
        other,
      );
      assert.equal(
        m.objects.length,
        await xpathCount(
          f,
          "count(/*/model/object[not(@status) or @status='current'])",
        ),
        other,
      );
    }
  },
);

Deno.test(
  "the table format and the XML generate identical definitions for the same objects",
  NEEDS_BBF,
  async () => {
    const table = selectModel(
      await readParameterTable(
        `${REPO}tests/fixtures/codegen/deviceinfo_table.tsv`,
      ),
    );
    const xml = selectModel(
      await readDataModel(`${BBF_DIR}/models/tr-181-2-19-1-cwmp-full.xml`),
      {
        status: "current",
        prefixes: [
          "Device.DeviceInfo.VendorConfigFile.",
          "Device.DeviceInfo.MemoryStatus.MemoryMonitor.",
        ],
      },
    );
    assert.equal(xml.parameters.length, 16);
    assert.deepStrictEqual(toDefinitions(table), toDefinitions(xml));
  },
);

Deno.test(
  "profiles, prefixes and versions select what is generated; service models mount under Device.Services.",
  NEEDS_BBF,
  async () => {
    const model = await readDataModel(
      `${BBF_DIR}/models/tr-181-2-19-1-cwmp-full.xml`,
    );
    const baseline = selectModel(model, { profiles: ["Baseline:3"] });
    assert.ok(
      baseline.parameters.some((p) =>
        p.path === "Device.DeviceInfo.SoftwareVersion"
      ),
    );
    assert.ok(
      baseline.parameters.length < 200,
      `${baseline.parameters.length}`,
    );
    const old = selectModel(model, {
      version: "2.0",
      prefixes: ["Device.DeviceInfo."],
    });
    assert.ok(
      !old.parameters.some((p) =>
        p.path === "Device.DeviceInfo.VendorConfigFile.{i}.UseForBackupRestore"
      ),
    );
    assert.throws(
      () => selectModel(model, { profiles: ["NoSuch:1"] }),
      /Unknown profile/,
    );
    const voice = selectModel(
      await readDataModel(`${BBF_DIR}/models/tr-104-2-0-2-cwmp-full.xml`),
    );
    assert.ok(
      voice.objects[0].path.startsWith("Device.Services.VoiceService.{i}."),
    );
  },
);

Deno.test(
  "regenerating over vendor code keeps it byte for byte and reports what is new or gone",
  NEEDS_BBF,
  async () => {
    const model = await readDataModel(
      `${BBF_DIR}/models/tr-181-2-19-1-cwmp-full.xml`,
    );
    const first = generateStubs(
      selectModel(model, {
        prefixes: ["Device.DeviceInfo.MemoryStatus."],
        version: "2.15",
      }),
      new Map(),
      "../mod.ts",
    );
    const file = first.files.find((f) =>
      f.path === "device_deviceinfo_memorystatus.ts"
    )!;
    const vendorCode =
      `    get: async (_path, _instances) => {\n      // Vendor: read /proc/meminfo ✓ "quoted" \\ backslash\n      return String(await readTotalKiB());\n    },`;
    const key = "Device.DeviceInfo.MemoryStatus.Total get";
    const edited = file.text.replace(
      /(\/\/ BEGIN VENDOR Device\.DeviceInfo\.MemoryStatus\.Total get\n)[\s\S]*?(\n\s*\/\/ END VENDOR)/,
      `$1${vendorCode}$2`,
    );
    assert.notEqual(edited, file.text);
    const existing = new Map([[file.path, edited]]);
    // The newer version adds MemoryMonitor; Total stays.
    const second = generateStubs(
      selectModel(model, { prefixes: ["Device.DeviceInfo.MemoryStatus."] }),
      existing,
      "../mod.ts",
    );
    const regenerated = second.files.find((f) => f.path === file.path)!;
    assert.equal(vendorRegions(regenerated.text).get(key), vendorCode);
    assert.ok(
      second.added.some((k) =>
        k.startsWith("Device.DeviceInfo.MemoryStatus.MemoryMonitor.")
      ),
    );
    assert.deepStrictEqual(second.removed, []);
    // A region whose parameter is gone stays in the file, commented, and is reported.
    const withGone = regenerated.text.replace(
      "};\n",
      '};\n// BEGIN VENDOR Device.DeviceInfo.MemoryStatus.Gone get\n    get: () => "legacy",\n// END VENDOR Device.DeviceInfo.MemoryStatus.Gone get\n',
    );
    const third = generateStubs(
      selectModel(model, { prefixes: ["Device.DeviceInfo.MemoryStatus."] }),
      new Map([[file.path, withGone]]),
      "../mod.ts",
    );
    assert.deepStrictEqual(third.removed, [
      "Device.DeviceInfo.MemoryStatus.Gone get",
    ]);
    const kept = third.files.find((f) => f.path === file.path)!.text;
    assert.ok(
      kept.includes(
        '// REMOVED Device.DeviceInfo.MemoryStatus.Gone get\n//     get: () => "legacy",',
      ),
    );
    assert.equal(vendorRegions(kept).get(key), vendorCode);
    // An object that is no longer generated keeps its whole file under another name.
    const fourth = generateStubs(
      selectModel(model, {
        prefixes: ["Device.DeviceInfo.MemoryStatus.MemoryMonitor."],
      }),
      new Map([[file.path, regenerated.text]]),
      "../mod.ts",
    );
    const saved = fourth.files.find((f) =>
      f.path === "device_deviceinfo_memorystatus.removed.txt"
    );
    assert.equal(saved?.text, regenerated.text);
    assert.ok(fourth.removed.includes(key));
  },
);

Deno.test(
  "the committed TR-181 table is what the generator makes today",
  NEEDS_BBF,
  async () => {
    const model = selectModel(
      await readDataModel(`${BBF_DIR}/models/tr-181-2-19-1-cwmp-full.xml`),
    );
    const expected = definitionsModule(model, "../../datamodel/definitions.ts")
      .replace(
        /from [^\n]*\(Device/,
        "from tr-181-2-19-1-cwmp-full.xml (Device",
      );
    const committed = await Deno.readTextFile(
      `${REPO}src/device/models/tr181.ts`,
    );
    assert.equal(
      committed,
      expected,
      "run scripts/gen_models.sh and commit the result",
    );
  },
);

Deno.test(
  "generated stubs assemble into an adapter whose contract names every stub left to write",
  NEEDS_BBF,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "cwmp-stubs-" });
    try {
      const code = await genCommand([
        "--xml",
        `${BBF_DIR}/models/tr-181-2-19-1-cwmp-full.xml`,
        "--out",
        dir,
        "--prefix",
        "Device.DeviceInfo.MemoryStatus.",
        "--prefix",
        "Device.DeviceInfo.VendorConfigFile.",
      ]);
      assert.equal(code, 0);
      // A vendor fills in one getter.
      const file = `${dir}/stubs/device_deviceinfo_memorystatus.ts`;
      const text = await Deno.readTextFile(file);
      await Deno.writeTextFile(
        file,
        text.replace(
          /(\/\/ BEGIN VENDOR Device\.DeviceInfo\.MemoryStatus\.Total get\n)[\s\S]*?(\n\s*\/\/ END VENDOR)/,
          `$1    get: () => "524288",$2`,
        ),
      );
      const { definitions } = await import(`${dir}/definitions.ts`);
      const { stubs } = await import(`${dir}/stubs/index.ts`);
      const { adapterFromStubs, checkAdapterContract, MemoryStateStore } =
        await import("../../mod.ts");
      const failures = await checkAdapterContract(() =>
        adapterFromStubs({
          definitions,
          stubs,
          identity: {
            manufacturer: "ACME",
            oui: "00AABB",
            productClass: "GW",
            serialNumber: "1",
          },
          store: new MemoryStateStore(),
        })
      );
      const problems = failures.flatMap((f) =>
        (f.error as { problems?: string[] }).problems ?? []
      );
      assert.ok(
        problems.includes(
          "Device.DeviceInfo.MemoryStatus.Free: not implemented: Device.DeviceInfo.MemoryStatus.Free getter",
        ),
      );
      assert.ok(problems.some((p) =>
        p.includes(
          "not implemented: Device.DeviceInfo.VendorConfigFile.{i}. instances",
        )
      ));
      assert.ok(
        !problems.some((p) =>
          p.startsWith("Device.DeviceInfo.MemoryStatus.Total:")
        ),
        "the filled-in getter works",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
