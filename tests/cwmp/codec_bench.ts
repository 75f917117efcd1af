/**
 * Codec benchmarks. Goals (issue #2): encode a GetParameterValuesResponse of
 * 10,000 parameters in ≤ 20 ms; decode a SetParameterValues of 5,000
 * parameters in ≤ 100 ms inside a 128 MB V8 heap (`deno task bench` sets
 * --max-old-space-size=128).
 */
import {
  decodeAcsMessage,
  encodeAcsMessage,
  encodeCpeMessage,
  type ParameterValueStruct,
} from "../../mod.ts";

const TYPES = ["string", "unsignedInt", "boolean", "dateTime", "int"] as const;

function parameters(count: number): ParameterValueStruct[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `Device.Bench.Object.${i % 97 + 1}.Parameter${i}`,
    value: i % 5 === 0 ? `value <${i}> & "more" é` : String(i),
    type: TYPES[i % TYPES.length] === "dateTime"
      ? "string"
      : TYPES[i % TYPES.length],
  }));
}

const gpv10k = parameters(10_000);
const spv5k = encodeAcsMessage({
  namespace: "1-2",
  header: { id: "bench" },
  body: {
    kind: "request",
    method: "SetParameterValues",
    args: { parameterList: parameters(5_000), parameterKey: "k" },
  },
});

Deno.bench({
  name: "encode GetParameterValuesResponse, 10,000 parameters (goal ≤ 20 ms)",
  group: "codec",
  fn() {
    encodeCpeMessage({
      namespace: "1-2",
      header: { id: "bench" },
      body: {
        kind: "response",
        method: "GetParameterValues",
        args: { parameterList: gpv10k },
      },
    });
  },
});

Deno.bench({
  name: `decode SetParameterValues, 5,000 parameters, ${
    (spv5k.length / 1024).toFixed(0)
  } KiB (goal ≤ 100 ms)`,
  group: "codec",
  fn() {
    decodeAcsMessage(spv5k);
  },
});
