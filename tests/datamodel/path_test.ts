import assert from "node:assert/strict";
import {
  CwmpFault,
  parsePath,
  pathProblem,
  tableOf,
  toPattern,
} from "../../mod.ts";

Deno.test("parsePath accepts full paths, partial paths and the root", () => {
  assert.deepStrictEqual(parsePath(""), {
    text: "",
    segments: [],
    partial: true,
  });
  assert.deepStrictEqual(parsePath("Device.").segments, ["Device"]);
  assert.equal(parsePath("Device.IP.Interface.12.Enable").partial, false);
  assert.equal(parsePath("Device.X_00AABB_Thing-2.").partial, true);
});

Deno.test("malformed paths are 9005 with the reason", () => {
  const bad: [string, RegExp][] = [
    ["Device..IP", /empty segment/],
    [".Device", /empty segment|root name/],
    ["Device.IP.Interface.01.", /neither a name nor an instance/],
    ["Device.IP.Interface.0.", /neither a name nor an instance/],
    ["Device.IP.Interface.[wan].", /alias and wildcard/],
    ["Device.IP.Interface.*.", /alias and wildcard/],
    ["Device.a b", /neither/],
    ["1Device.", /root name/],
    ["Device." + "x".repeat(250), /longer than 256/],
  ];
  for (const [path, reason] of bad) {
    assert.throws(
      () => parsePath(path),
      (e) =>
        e instanceof CwmpFault && e.code === 9005 && reason.test(e.message),
      path,
    );
  }
  assert.equal(pathProblem("Device." + "x".repeat(249)), undefined);
});

Deno.test("patterns and tables", () => {
  assert.equal(
    toPattern("Device.IP.Interface.3.IPv4Address.12.IPAddress"),
    "Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress",
  );
  assert.equal(tableOf("Device.IP.Interface.3."), "Device.IP.Interface.");
  assert.equal(tableOf("Device.IP.Interface.{i}."), "Device.IP.Interface.");
});
