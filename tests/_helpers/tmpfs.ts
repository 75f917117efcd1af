/**
 * A small tmpfs for tests of a full disk: mounting needs root, so a test
 * without it prints the reason and skips.
 */

/** Mounts a tmpfs of `size` (mode 0700) on a new temporary directory, or says why it cannot. */
export async function tmpfs(size: string): Promise<string | { skip: string }> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-full-" });
  const { code, stderr } = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir],
    stdout: "null",
    stderr: "piped",
  }).output().catch((error) => ({
    code: 1,
    stderr: new TextEncoder().encode(String(error)),
  }));
  if (code !== 0) {
    await Deno.remove(dir);
    return { skip: new TextDecoder().decode(stderr).trim() };
  }
  return dir;
}

/** Unmounts what {@linkcode tmpfs} mounted and removes its directory. */
export async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir] }).output();
  await Deno.remove(dir);
}
