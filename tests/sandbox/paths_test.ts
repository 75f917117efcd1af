/** The run path's POSIX path helpers agree with node:path and node:url. */
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { filePathOf, resolvePath } from "../../src/sandbox/paths.ts";

Deno.test("resolvePath is node:path's resolve for one path on POSIX", () => {
  for (
    const path of [
      "/var/lib/cwmp",
      "/var/lib/cwmp/",
      "//var//lib/./cwmp/../agent",
      "state",
      "./state/",
      "../state",
      "../../../../../../x",
      ".",
      "",
      "a/b/../../c",
      "/..",
      "/",
      "dir with space/ü",
    ]
  ) {
    assert.equal(resolvePath(path), resolve(path), JSON.stringify(path));
    assert.equal(resolvePath(path, "/opt/x"), resolve("/opt/x", path));
  }
});

Deno.test("filePathOf is node:url's fileURLToPath for local file URLs, and refuses others", () => {
  for (
    const url of [
      "file:///opt/cwmp/main.ts",
      "file:///opt/cwmp%20agent/m%C3%BCn.ts",
      "file://localhost/etc/x",
      "file:///a/b/../c",
    ]
  ) {
    assert.equal(filePathOf(new URL(url)), fileURLToPath(new URL(url)), url);
  }
  // Refused by node:url's fileURLToPath too.
  for (
    const url of ["https://example.com/x", "file://host/x", "file:///a%2Fb"]
  ) {
    assert.throws(() => fileURLToPath(new URL(url)), url);
    assert.throws(() => filePathOf(new URL(url)), TypeError, url);
  }
  // Stricter: no file system takes a NUL in a path.
  assert.throws(() => filePathOf(new URL("file:///a%00b")), TypeError);
});
