/**
 * RPC benchmarks through handler and codec (issue #3 goals): GetParameterValues
 * of 10,000 parameters ≤ 100 ms (and 50,000), SetParameterValues of 1,000
 * parameters, GetParameterNames of a whole 10,000-parameter tree. Peak RSS is
 * measured by scripts/bench_rpc_memory.ts.
 */
import {
  type AcsRequest,
  createRpcContext,
  decodeAcsMessage,
  encodeAcsMessage,
  encodeCpeMessage,
  handleRequest,
  MemoryStateStore,
  type RpcContext,
  SimulatedDevice,
} from "../../mod.ts";
import { syntheticSnapshot } from "../../scripts/synthetic_snapshot.ts";

async function context(count: number): Promise<RpcContext> {
  return await createRpcContext(
    SimulatedDevice.fromSnapshot(syntheticSnapshot(count), {
      store: new MemoryStateStore(),
    }),
  );
}

/** Decode the request, run the handler, encode the response: what a session does per RPC. */
async function roundTrip(ctx: RpcContext, xml: string): Promise<string> {
  const request = decodeAcsMessage(xml);
  const { body } = await handleRequest(request.body as AcsRequest, ctx);
  return encodeCpeMessage({
    namespace: "1-2",
    header: { id: request.header.id },
    body,
  });
}

const request = (body: AcsRequest) =>
  encodeAcsMessage({ namespace: "1-2", header: { id: "b" }, body });

const ctx10k = await context(10_000);
const ctx50k = await context(50_000);
const gpvAll = request({
  kind: "request",
  method: "GetParameterValues",
  args: { parameterNames: ["Device."] },
});
const gpnAll = request({
  kind: "request",
  method: "GetParameterNames",
  args: { parameterPath: "", nextLevel: false },
});
const spv1k = request({
  kind: "request",
  method: "SetParameterValues",
  args: {
    parameterList: Array.from({ length: 1000 }, (_, i) => ({
      name: `Device.Bench.Item.${(i % 1000) + 1}.Level`,
      value: String(i % 100),
      type: "unsignedInt",
    })),
    parameterKey: "bench",
  },
});

Deno.bench({
  name:
    "GetParameterValues, 10,000 parameters, decode + handler + encode (goal ≤ 100 ms)",
  group: "rpc",
  async fn() {
    await roundTrip(ctx10k, gpvAll);
  },
});
Deno.bench({
  name: "GetParameterValues, 50,000 parameters, decode + handler + encode",
  group: "rpc",
  async fn() {
    await roundTrip(ctx50k, gpvAll);
  },
});
Deno.bench({
  name: "SetParameterValues, 1,000 parameters, decode + handler + encode",
  group: "rpc",
  async fn() {
    await roundTrip(ctx10k, spv1k);
  },
});
Deno.bench({
  name: "GetParameterNames of the whole 10,000-parameter tree",
  group: "rpc",
  async fn() {
    await roundTrip(ctx10k, gpnAll);
  },
});

// What GenieACS asks after its GetParameterNames: every parameter by name,
// in one request or in batches of a few dozen (issue #13).
const everyName = await ctx10k.model.view().parameters("Device.");
const gpvNamed = request({
  kind: "request",
  method: "GetParameterValues",
  args: { parameterNames: everyName },
});
const gpvBatches: string[] = [];
for (let i = 0; i < everyName.length; i += 32) {
  gpvBatches.push(request({
    kind: "request",
    method: "GetParameterValues",
    args: { parameterNames: everyName.slice(i, i + 32) },
  }));
}
const gpaNamed = request({
  kind: "request",
  method: "GetParameterAttributes",
  args: { parameterNames: everyName },
});

Deno.bench({
  name: `GetParameterValues naming all ${everyName.length} parameters`,
  group: "named",
  async fn() {
    await roundTrip(ctx10k, gpvNamed);
  },
});
Deno.bench({
  name:
    `GetParameterValues of the same names in ${gpvBatches.length} requests of 32`,
  group: "named",
  async fn() {
    for (const batch of gpvBatches) await roundTrip(ctx10k, batch);
  },
});
Deno.bench({
  name: `GetParameterAttributes naming all ${everyName.length} parameters`,
  group: "named",
  async fn() {
    await roundTrip(ctx10k, gpaNamed);
  },
});
