import assert from "node:assert/strict";
import {
  checkValue,
  type ParameterType,
  UNKNOWN_TIME,
  zeroValue,
} from "../../mod.ts";

function code(type: ParameterType, value: string, xsi?: string) {
  return checkValue(type, value, xsi).problem?.code;
}

Deno.test("integers: canonical form, type bounds and ranges", () => {
  assert.equal(checkValue({ base: "int" }, " +0042 ").value, "42");
  assert.equal(code({ base: "int" }, "2147483648"), 9007);
  assert.equal(code({ base: "unsignedInt" }, "-1"), 9007);
  assert.equal(
    checkValue({ base: "unsignedLong" }, "18446744073709551615").value,
    "18446744073709551615",
  );
  assert.equal(code({ base: "unsignedLong" }, "18446744073709551616"), 9007);
  assert.equal(
    checkValue({ base: "long" }, "-9223372036854775808").value,
    "-9223372036854775808",
  );
  assert.equal(code({ base: "int" }, "1.5"), 9006);
  assert.equal(code({ base: "int" }, "ten"), 9006);
  const ranged: ParameterType = {
    base: "unsignedInt",
    ranges: [{ min: 1, max: 10 }, { min: 100 }],
  };
  assert.equal(code(ranged, "0"), 9007);
  assert.equal(code(ranged, "11"), 9007);
  assert.equal(checkValue(ranged, "150").value, "150");
});

Deno.test("booleans accept true/false/1/0 and come out as true/false", () => {
  assert.equal(checkValue({ base: "boolean" }, "1").value, "true");
  assert.equal(checkValue({ base: "boolean" }, "false").value, "false");
  assert.equal(code({ base: "boolean" }, "yes"), 9006);
  assert.equal(code({ base: "boolean" }, "TRUE"), 9006);
});

Deno.test("dateTime accepts the Unknown Time and offsets, rejects garbage", () => {
  assert.equal(
    checkValue({ base: "dateTime" }, UNKNOWN_TIME).value,
    UNKNOWN_TIME,
  );
  assert.equal(
    checkValue({ base: "dateTime" }, "2026-11-26T10:00:00.5+01:00").value,
    "2026-11-26T10:00:00.5+01:00",
  );
  assert.equal(code({ base: "dateTime" }, "2026-13-01T00:00:00Z"), 9006);
  assert.equal(code({ base: "dateTime" }, "yesterday"), 9006);
});

Deno.test("base64, hexBinary and decimal check their lexical forms and lengths in bytes", () => {
  assert.equal(
    checkValue({ base: "base64", maxLength: 5 }, "aGVs\nbG8=").value,
    "aGVsbG8=",
  );
  assert.equal(code({ base: "base64", maxLength: 4 }, "aGVsbG8="), 9007);
  assert.equal(code({ base: "base64" }, "a"), 9006);
  assert.equal(
    checkValue({ base: "hexBinary", maxLength: 2 }, "0aFF").value,
    "0aFF",
  );
  assert.equal(code({ base: "hexBinary", maxLength: 1 }, "0aFF"), 9007);
  assert.equal(code({ base: "hexBinary" }, "abc"), 9006);
  assert.equal(
    checkValue({ base: "decimal", ranges: [{ min: 0, max: 1 }] }, "0.25").value,
    "0.25",
  );
  assert.equal(
    code({ base: "decimal", ranges: [{ min: 0, max: 1 }] }, "1.5"),
    9007,
  );
});

Deno.test("strings: length in characters, enumerations and patterns give 9007", () => {
  assert.equal(
    checkValue({ base: "string", maxLength: 3 }, "日本語").value,
    "日本語",
  );
  assert.equal(code({ base: "string", maxLength: 3 }, "abcd"), 9007);
  assert.equal(code({ base: "string", minLength: 2 }, "a"), 9007);
  assert.equal(
    code({ base: "string", enumeration: ["Up", "Down"] }, "Sideways"),
    9007,
  );
  const mac: ParameterType = {
    base: "string",
    patterns: ["([0-9A-Fa-f][0-9A-Fa-f]:){5}([0-9A-Fa-f][0-9A-Fa-f])", ""],
  };
  assert.equal(checkValue(mac, "00:d0:9e:12:34:56").value, "00:d0:9e:12:34:56");
  assert.equal(checkValue(mac, "").value, "");
  assert.equal(code(mac, "00:d0:9e:12:34"), 9007);
});

Deno.test("lists check each item", () => {
  const list: ParameterType = {
    base: "string",
    list: true,
    enumeration: ["HTTP", "STUN"],
    maxLength: 9,
  };
  assert.equal(checkValue(list, "HTTP, STUN").value, "HTTP,STUN");
  assert.equal(code(list, "HTTP,XMPP"), 9007);
  assert.equal(code(list, "HTTP,STUN,HTTP"), 9007);
});

Deno.test("xsi:type: string and absent fit anything, integer types fit each other, others must match", () => {
  assert.equal(checkValue({ base: "unsignedInt" }, "5", "string").value, "5");
  assert.equal(checkValue({ base: "unsignedInt" }, "5", undefined).value, "5");
  assert.equal(checkValue({ base: "unsignedInt" }, "5", "int").value, "5");
  assert.equal(code({ base: "unsignedInt" }, "-5", "int"), 9007);
  assert.equal(code({ base: "boolean" }, "1", "int"), 9006);
  assert.equal(code({ base: "string" }, "1", "boolean"), 9006);
  assert.equal(code({ base: "string" }, "1", "float"), 9006);
});

Deno.test("zero values for new instances", () => {
  assert.equal(
    zeroValue({ base: "string", enumeration: ["Disabled", "Enabled"] }),
    "Disabled",
  );
  assert.equal(zeroValue({ base: "int", ranges: [{ min: -1 }] }), "0");
  assert.equal(zeroValue({ base: "unsignedInt", ranges: [{ min: 64 }] }), "64");
  assert.equal(zeroValue({ base: "dateTime" }), UNKNOWN_TIME);
  assert.equal(zeroValue({ base: "boolean" }), "false");
});
