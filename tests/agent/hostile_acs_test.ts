/**
 * `agent run` against ACSes that try to keep it busy forever: every session
 * is bounded, memory stays flat, and a valid connection request afterwards
 * still gets a session.
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { startAgent } from "../_helpers/agent_process.ts";
import { rssMb, startHostileAcs } from "../_helpers/hostile_acs.ts";
import type { Hostility } from "../_helpers/hostile_acs.ts";
import { encodeAcsMessage } from "../../src/cwmp/encode.ts";
import { decodeCpeMessage } from "../../src/cwmp/decode.ts";

async function underAttack(
  hostility: Hostility,
  extra: string[],
  reason: RegExp,
  outcome: "failure" | "success" = "failure",
) {
  const acs = startHostileAcs(hostility);
  const dir = await Deno.makeTempDir();
  const agent = startAgent([
    "--state-dir",
    dir,
    "--acs-url",
    acs.url,
    "--acs-username",
    "cpe",
    "--acs-password",
    "pw",
    "--cr-port",
    "0",
    "--cr-username",
    "acs",
    "--cr-password",
    "cr-secret",
    ...extra,
  ]);
  try {
    const started = await agent.waitFor((l) => l.msg === "agent started");
    const idle = await rssMb(agent.child.pid);
    // Sampled while the ACS is at it, and once it has been cut off.
    let peak = 0;
    const sampling = (async () => {
      while (!agent.lines.some((l) => l.msg === "session")) {
        peak = Math.max(peak, await rssMb(agent.child.pid));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const session = await agent.waitFor((l) => l.msg === "session", 60_000);
    const posts = acs.posts;
    await sampling;
    peak = Math.max(peak, await rssMb(agent.child.pid));
    assert.equal(session.outcome, outcome, JSON.stringify(session));
    if (outcome === "failure") assert.match(String(session.reason), reason);
    assert.ok(
      peak < idle + 64,
      `RSS ${peak.toFixed(0)} MB against ${idle.toFixed(0)} MB idle`,
    );
    // The agent is fine: a connection request gets a session from a sane ACS.
    acs.behave();
    assert.equal(
      await FixtureAcs.connectionRequest(
        String(started.connectionRequestUrl),
        "acs",
        "cr-secret",
      ),
      200,
    );
    const good = await agent.waitFor((l) =>
      l.msg === "session" && l.outcome === "success" &&
      Array.isArray(l.events) && l.events.includes("6 CONNECTION REQUEST")
    );
    if (acs.hostileAcks === 0) {
      // What the hostile session failed to deliver is delivered now.
      for (const code of session.events as string[]) {
        assert.ok((good.events as string[]).includes(code), code);
      }
    } else {
      // Acknowledged by the hostile ACS's InformResponse: delivered once.
      assert.ok(!(good.events as string[]).includes("0 BOOTSTRAP"));
    }
    return { posts, session, replies: acs.replies };
  } finally {
    assert.equal(await agent.stop(), 0);
    await acs.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("an ACS that answers every POST with another request is cut off at the session's request limit", async () => {
  const { posts, session } = await underAttack(
    { kind: "endless-requests" },
    ["--session-max-requests", "3000"],
    /more than 3000 requests in one session/,
  );
  // The Inform, the empty POST, 3000 responses: none past the limit.
  assert.ok(posts <= 3002, `${posts} POSTs`);
  assert.equal(session.rpcCount, 3000, "the log counts them");
  assert.ok((session.rpcs as string[]).length <= 64, "and names a few");
});

Deno.test("the same with HoldRequests on every request", async () => {
  await underAttack(
    { kind: "endless-requests", holdRequests: true },
    ["--session-max-requests", "2000"],
    /more than 2000 requests in one session/,
  );
});

Deno.test("an ACS that calls every nonce stale gets three tries per message, then the session fails", async () => {
  const { posts } = await underAttack(
    { kind: "stale-nonces" },
    [],
    /authentication challenges for one message/,
  );
  // The Inform and its three answered challenges.
  assert.ok(posts <= 4, `${posts} POSTs`);
});

Deno.test("a session that runs past its duration limit ends as failed", async () => {
  // Endless requests, no request limit to speak of: the clock ends it.
  await underAttack(
    { kind: "endless-requests" },
    ["--session-max-requests", "1000000", "--session-max-duration", "2"],
    /lasted more than 2 s/,
  );
});

Deno.test("huge requests inside the byte cap: refused by the element budget or answered within bounds, memory flat, under the CPE heap", async () => {
  const request = (method: string, args: unknown, id: string) =>
    encodeAcsMessage({
      namespace: "1-2",
      header: { id },
      body: { kind: "request", method, args } as never,
    });
  const spv = (n: number) =>
    request("SetParameterValues", {
      parameterList: Array.from({ length: n }, (_, i) => ({
        name: `Device.Nope.P${i}`,
        value: "v",
      })),
      parameterKey: "",
    }, `spv${n}`);
  const bodies = [
    // 3.4 MB, 90,000 elements: refused before parsing (the session fails).
    spv(30_000),
  ];
  assert.ok(bodies[0].length > 3_000_000 && bodies[0].length < 4 * 1024 * 1024);
  const first = await underAttack(
    { kind: "messages", bodies },
    [],
    /More than 40000 elements/,
  );
  assert.ok(first.posts <= 2);
  // Within the budget: 13,000 unknown names and 39,000 names of Device.
  const within = await underAttack(
    {
      kind: "messages",
      bodies: [
        spv(13_000),
        request(
          "GetParameterValues",
          { parameterNames: Array(39_000).fill("Device.") },
          "gpv",
        ),
      ],
    },
    [],
    /./,
    "success",
  );
  const [faultReply, valuesReply] = within.replies.slice(1).map((xml) =>
    decodeCpeMessage(xml).body
  );
  assert.ok(faultReply.kind === "fault" && faultReply.faultCode === 9003);
  assert.equal(faultReply.parameterFaults.length, 256);
  assert.ok(valuesReply.kind === "response");
  const names = (valuesReply.args as { parameterList: { name: string }[] })
    .parameterList.map((p) => p.name);
  assert.equal(new Set(names).size, names.length, "each parameter once");
});
