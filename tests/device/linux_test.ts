import assert from "node:assert/strict";
import {
  computePermissions,
  permissionFlags,
} from "../../src/sandbox/permissions.ts";

const MOD = new URL("../../mod.ts", import.meta.url).pathname;

Deno.test("the Linux host adapter's boot id is the kernel's, readable under the agent's computed permissions, the same in a new process", async () => {
  // Deno grants /proc files only when named: the sandbox's set names boot_id.
  const permissions = computePermissions({
    "state-dir": "/tmp/cwmp-linux-test",
    device: "linux",
    "log-level": "info",
    "log-format": "text",
  });
  const flags = permissionFlags({
    ...permissions,
    read: [...permissions.read, new URL("../../", import.meta.url).pathname],
    net: [],
  });
  const script =
    `import { createLinuxHostAdapter, MemoryStateStore } from "${MOD}";
const host = await createLinuxHostAdapter({ store: new MemoryStateStore() });
console.log(await host.bootId?.());`;
  const run = async () => {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", ...flags.filter((f) => f !== "--no-prompt"), script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    return new TextDecoder().decode(stdout).trim();
  };
  const first = await run();
  assert.match(first, /^[0-9a-f-]{36}$/);
  assert.equal(await run(), first, "an agent restart is not a boot");
});
