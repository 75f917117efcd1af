/**
 * HTTP compression of CWMP messages (TR-069 §3.4.7) over both HTTP stacks
 * (fetch for http, node:tls for https with named CAs), against the fixture
 * ACS, which answers in the coding the CPE used, as GenieACS does; and an
 * ACS whose compressed answer would expand past the message limit.
 */
import assert from "node:assert/strict";
import { FixtureAcs } from "../../src/acs/fixture.ts";
import { buildInform } from "../../src/session/inform.ts";
import { runSession } from "../../src/session/runner.ts";
import { simContext } from "../_helpers/device.ts";
import { encodeBody } from "../../src/transport/content_coding.ts";

const CERTS = new URL("../../certs/", import.meta.url);
const pem = (name: string) => Deno.readTextFileSync(new URL(name, CERTS));
const BOOT = [{ eventCode: "1 BOOT", commandKey: "" }];

/** A simulated device and its 1 BOOT Inform. */
async function boot() {
  const context = await simContext();
  const inform = await buildInform(context, {
    events: BOOT,
    retryCount: 0,
    now: new Date("2026-12-03T10:00:00Z"),
  });
  return { context, inform };
}

for (
  const scheme of [
    { name: "http", acs: {} },
    {
      name: "https",
      acs: {
        tls: { cert: pem("acs-server.chain.pem"), key: pem("acs-server.key") },
      },
    },
  ] as const
) {
  for (const coding of ["gzip", "deflate"] as const) {
    Deno.test(`${scheme.name}: with ${coding} every message goes compressed and the ACS's compressed answers are read`, async () => {
      const acs = new FixtureAcs({
        ...scheme.acs,
        sessions: [{
          requests: [{
            kind: "request",
            method: "GetParameterValues",
            args: { parameterNames: ["Device.DeviceInfo.SoftwareVersion"] },
          }],
        }],
      });
      await acs.start();
      try {
        const { context, inform } = await boot();
        const result = await runSession({
          url: acs.url,
          context,
          start: { inform },
          client: {
            compression: coding,
            ...(scheme.name === "https"
              ? { caCerts: [pem("root-ca.crt")] }
              : {}),
          },
        });
        assert.equal(result.outcome, "success", result.reason);
        // The Inform and the GetParameterValuesResponse go compressed; the
        // empty POST between them has no body to compress.
        assert.deepStrictEqual(acs.postCodings, [coding, "", coding]);
        const messages = acs.sessions[0].messages.filter((m) =>
          m.direction === "CPE→ACS"
        );
        assert.equal(messages[0].decoded?.body.kind, "request");
        assert.match(messages[2].xml, /GetParameterValuesResponse/);
      } finally {
        await acs.stop();
      }
    });
  }
}

Deno.test("without HTTPCompression nothing is compressed", async () => {
  const acs = new FixtureAcs({});
  await acs.start();
  try {
    const { context, inform } = await boot();
    const result = await runSession({
      url: acs.url,
      context,
      start: { inform },
    });
    assert.equal(result.outcome, "success");
    assert.deepStrictEqual(acs.postCodings, ["", ""]);
  } finally {
    await acs.stop();
  }
});

Deno.test("a compressed answer that would expand past the message limit fails the session, the process fine", async () => {
  // 64 MiB of spaces compress to ~64 KiB: a bomb for a 4 MiB limit.
  const bomb = await encodeBody(new Uint8Array(64 << 20).fill(32), "gzip");
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, () =>
    new Response(bomb, {
      headers: {
        "content-type": "text/xml",
        "content-encoding": "gzip",
      },
    }));
  try {
    const { context, inform } = await boot();
    const result = await runSession({
      url: `http://127.0.0.1:${server.addr.port}/acs`,
      context,
      start: { inform },
      client: { compression: "gzip" },
    });
    assert.equal(result.outcome, "failure");
    assert.match(result.reason ?? "", /larger than \d+ bytes/);
  } finally {
    await server.shutdown();
  }
});
