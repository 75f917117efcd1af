/** The check vocabulary: values through, the first problem named with its path. */
import assert from "node:assert/strict";
import { type CheckFailure, v } from "../../src/state/check.ts";

const failure = (result: { ok: boolean; failure?: CheckFailure }) =>
  result.ok ? undefined : result.failure!.message;

Deno.test("scalars: types, lengths, ranges, patterns, enumerations", () => {
  assert.equal(
    failure(v.string().max(3).safeParse("abcd")),
    "longer than 3 characters",
  );
  assert.equal(failure(v.string().min(1).safeParse("")), "must not be empty");
  assert.equal(failure(v.string().safeParse(7)), "expected a string");
  assert.equal(failure(v.string().safeParse(undefined)), "required");
  assert.equal(
    failure(v.number().int().safeParse(2.5)),
    "must be a whole number",
  );
  assert.equal(failure(v.number().min(1).safeParse(0)), "must be at least 1");
  assert.equal(failure(v.number().max(9).safeParse(10)), "must be at most 9");
  assert.equal(failure(v.number().safeParse(NaN)), "expected a number");
  assert.equal(failure(v.number().safeParse("1")), "expected a number");
  assert.equal(
    failure(v.boolean().safeParse("true")),
    "expected true or false",
  );
  assert.equal(
    failure(v.string().regex(/^\d+$/, "digits only").safeParse("1a")),
    "digits only",
  );
  assert.equal(
    failure(v.enum(["a", "b"]).safeParse("c")),
    "must be one of a, b",
  );
  assert.equal(failure(v.literal("reboot").safeParse("x")), 'must be "reboot"');
  assert.equal(
    failure(
      v.string().verify((s) => s === "ok" ? undefined : `${s}?`).safeParse(
        "no",
      ),
    ),
    "no?",
  );
});

Deno.test("objects, lists and records name the path of the first problem; optional and default keys", () => {
  const doc = v.object({
    name: v.string(),
    port: v.number().int().optional(),
    level: v.enum(["info", "debug"]).default("info"),
    events: v.array(v.object({ code: v.string().max(4) })).max(2),
    counters: v.record(v.string().max(3), v.number().min(1)),
  }, { strict: true });
  const ok = doc.parse({ name: "a", events: [], counters: { x: 1 } });
  assert.deepStrictEqual(ok, {
    name: "a",
    level: "info",
    events: [],
    counters: { x: 1 },
  });
  const bad = (value: unknown) => doc.safeParse(value);
  assert.equal(
    failure(
      bad({
        name: "a",
        events: [{ code: "ok" }, { code: "toolong" }],
        counters: {},
      }),
    ),
    "events.1.code: longer than 4 characters",
  );
  assert.equal(
    failure(
      bad({
        name: "a",
        events: [{}, {}, {}].map(() => ({ code: "x" })),
        counters: {},
      }),
    ),
    "events: more than 2 entries",
  );
  assert.equal(
    failure(bad({ name: "a", events: [], counters: { long: 1 } })),
    "counters.long: longer than 3 characters",
  );
  assert.equal(
    failure(bad({ name: "a", events: [], counters: {}, extra: 1 })),
    "extra: unknown key",
  );
  assert.equal(failure(bad([])), "expected an object");
  const result = bad({ events: [], counters: {} });
  assert.equal(result.ok, false);
  assert.deepStrictEqual(!result.ok && result.failure.path, ["name"]);
});

Deno.test("a union takes the first check that passes", () => {
  const action = v.union(
    v.object({ kind: v.literal("reboot"), key: v.string() }),
    v.object({ kind: v.literal("reset") }),
  );
  assert.deepStrictEqual(action.parse({ kind: "reset", key: 1 }), {
    kind: "reset",
  });
  assert.deepStrictEqual(action.parse({ kind: "reboot", key: "k" }), {
    kind: "reboot",
    key: "k",
  });
  assert.equal(action.safeParse({ kind: "halt" }).ok, false);
});
