import assert from "node:assert/strict";
import { OverlayMap } from "../../src/management/overlay_map.ts";

Deno.test("an overlay map reads as one map, the first winning, with the entries of a copied map in the same order", () => {
  const over = new Map([["Device.ManagementServer.URL", "https://acs"], [
    "shared",
    "mine",
  ]]);
  const under = new Map([["shared", "device"], ["Device.A", "1"], [
    "Device.B",
    "2",
  ]]);
  const overlay = new OverlayMap(over, under);
  const copy = new Map([...under, ...over]);
  assert.equal(overlay.get("shared"), "mine");
  assert.equal(overlay.get("Device.B"), "2");
  assert.equal(overlay.get("absent"), undefined);
  assert.ok(overlay.has("Device.A") && overlay.has("shared"));
  assert.ok(!overlay.has("absent"));
  assert.equal(overlay.size, copy.size);
  assert.deepStrictEqual(
    [...overlay],
    [["Device.ManagementServer.URL", "https://acs"], ["shared", "mine"], [
      "Device.A",
      "1",
    ], ["Device.B", "2"]],
  );
  assert.deepStrictEqual(new Map(overlay), copy);
  assert.deepStrictEqual(
    [...overlay.keys()],
    [...overlay.entries()].map(([k]) => k),
  );
  assert.deepStrictEqual(
    [...overlay.values()],
    [...overlay.entries()].map(([, v]) => v),
  );
  const seen: string[] = [];
  overlay.forEach((value, key, map) => {
    assert.equal(map, overlay);
    seen.push(`${key}=${value}`);
  });
  assert.equal(seen.length, 4);
});
