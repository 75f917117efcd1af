/**
 * The Linux host adapter under the permissions the agent really runs with
 * (`deno run` with the computed set, not `deno eval`, which has them all):
 * real uptime, memory and load through Deno's system calls; the kernel's
 * boot id only with every permission, as Deno 2.9.6 grants files under
 * /proc to nothing narrower.
 */
import assert from "node:assert/strict";
import {
  computePermissions,
  permissionFlags,
} from "../../src/sandbox/permissions.ts";

const REPO = new URL("../../", import.meta.url).pathname;

async function cat(path: string): Promise<string> {
  const { stdout } = await new Deno.Command("cat", { args: [path] }).output();
  return new TextDecoder().decode(stdout);
}

/** Runs `body` with the Linux adapter in a child under `flags`; its stdout. */
async function withAdapter(flags: string[], body: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/probe.ts`;
    await Deno.writeTextFile(
      script,
      `import { createLinuxHostAdapter, MemoryStateStore } from "${REPO}mod.ts";
const host = await createLinuxHostAdapter({ store: new MemoryStateStore() });
${body}`,
    );
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--config", `${REPO}deno.json`, ...flags, script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    return new TextDecoder().decode(stdout).trim();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("under the agent's computed permissions the Linux adapter reads real uptime, memory and load", async () => {
  const permissions = computePermissions({
    "state-dir": "/tmp/cwmp-linux-test",
    device: "linux",
    "log-level": "info",
    "log-format": "text",
  });
  // The computed set, with reading widened to every file so the child can
  // load its modules and npm packages: that still does not reach /proc (see
  // the next test), so the values below come from Deno's system calls,
  // which the computed `--allow-sys` list grants.
  const flags = permissionFlags({ ...permissions, net: [] }).filter((f) =>
    f !== "--no-prompt" && !f.startsWith("--allow-env") &&
    !f.startsWith("--allow-read")
  );
  assert.ok(flags.some((f) => f.startsWith("--allow-sys=")), flags.join(" "));
  const out = JSON.parse(
    await withAdapter(
      [...flags, "--allow-env", "--allow-read"],
      `const values = await host.getValues([
  "Device.DeviceInfo.UpTime",
  "Device.DeviceInfo.MemoryStatus.Total",
  "Device.DeviceInfo.MemoryStatus.Free",
  "Device.DeviceInfo.ProcessStatus.CPUUsage",
]);
console.log(JSON.stringify(Object.fromEntries(values)));`,
    ),
  );
  const upTime = Number(out["Device.DeviceInfo.UpTime"]);
  const total = Number(out["Device.DeviceInfo.MemoryStatus.Total"]);
  const free = Number(out["Device.DeviceInfo.MemoryStatus.Free"]);
  assert.ok(upTime > 0, `UpTime ${upTime}`);
  // Within a minute of what the kernel says (read by cat: the test itself
  // may not read /proc either).
  const kernelUp = Number((await cat("/proc/uptime")).split(" ")[0]);
  assert.ok(Math.abs(upTime - kernelUp) < 60, `${upTime} vs ${kernelUp}`);
  const kernelTotal = Number(
    /^MemTotal:\s+(\d+) kB/m.exec(await cat("/proc/meminfo"))![1],
  );
  assert.ok(Math.abs(total - kernelTotal) <= kernelTotal / 100, `${total}`);
  assert.ok(free > 0 && free <= total, `Free ${free} of ${total}`);
  const cpu = Number(out["Device.DeviceInfo.ProcessStatus.CPUUsage"]);
  assert.ok(cpu >= 0 && cpu <= 100);
});

Deno.test("the kernel's boot id is the adapter's with every permission, the same in a new process; narrower permissions give none", async () => {
  const bootId = "console.log((await host.bootId?.()) ?? 'none');";
  const first = await withAdapter(["--allow-all"], bootId);
  assert.match(first, /^[0-9a-f-]{36}$/);
  assert.equal(
    await withAdapter(["--allow-all"], bootId),
    first,
    "an agent restart is not a boot",
  );
  assert.equal(
    await withAdapter(
      ["--allow-read", "--allow-env", "--allow-sys"],
      bootId,
    ),
    "none",
  );
});
