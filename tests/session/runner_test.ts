/** Sessions over real sockets against the fixture ACS. */
import assert from "node:assert/strict";
import { FixtureAcs, type SessionScript } from "../../src/acs/fixture.ts";
import type { AcsRequest } from "../../src/cwmp/messages.ts";
import { buildInform } from "../../src/session/inform.ts";
import {
  runSession,
  type RunSessionOptions,
} from "../../src/session/runner.ts";
import { simContext } from "../_helpers/device.ts";
import { startHostileAcs } from "../_helpers/hostile_acs.ts";
import { BBF_DIR, xsdTestOptions } from "../_helpers/bbf.ts";

const BOOT = [{ eventCode: "0 BOOTSTRAP", commandKey: "" }, {
  eventCode: "1 BOOT",
  commandKey: "",
}];

const CERTS = new URL("../../certs/", import.meta.url);
const pem = (name: string) => Deno.readTextFileSync(new URL(name, CERTS));

/** The two HTTP stacks a session can run on: fetch (http) and node:tls (https with named CAs). */
const SCHEMES = [
  { name: "http", acs: {} },
  {
    name: "https",
    acs: {
      tls: { cert: pem("acs-server.chain.pem"), key: pem("acs-server.key") },
    },
  },
] as const;

async function session(
  acs: FixtureAcs,
  extra: Partial<RunSessionOptions> = {},
) {
  const context = await simContext();
  const inform = await buildInform(context, {
    events: BOOT,
    retryCount: 0,
    now: new Date("2026-11-26T10:00:00Z"),
  });
  return await runSession({
    url: acs.url,
    context,
    start: { inform },
    ...extra,
    client: {
      ...(acs.url.startsWith("https:")
        ? { caCerts: [pem("root-ca.crt")] }
        : {}),
      ...extra.client,
    },
  });
}

async function withAcs<T>(
  options: ConstructorParameters<typeof FixtureAcs>[0],
  fn: (acs: FixtureAcs) => Promise<T>,
  scheme: (typeof SCHEMES)[number] = SCHEMES[0],
): Promise<T> {
  const acs = new FixtureAcs({ ...options, ...scheme.acs });
  await acs.start();
  try {
    return await fn(acs);
  } finally {
    await acs.stop();
  }
}

const EVERY_RPC: AcsRequest[] = [
  { kind: "request", method: "GetRPCMethods", args: {} },
  {
    kind: "request",
    method: "GetParameterNames",
    args: { parameterPath: "Device.IP.", nextLevel: true },
  },
  {
    kind: "request",
    method: "GetParameterValues",
    args: { parameterNames: ["Device.DeviceInfo."] },
  },
  {
    kind: "request",
    method: "SetParameterValues",
    args: {
      parameterList: [{
        name: "Device.Time.NTPServer1",
        value: "ntp.example.net",
        type: "string",
      }],
      parameterKey: "k1",
    },
  },
  {
    kind: "request",
    method: "SetParameterAttributes",
    args: {
      parameterList: [{
        name: "Device.Time.Enable",
        notificationChange: true,
        notification: 1,
        accessListChange: false,
        accessList: [],
      }],
    },
  },
  {
    kind: "request",
    method: "GetParameterAttributes",
    args: { parameterNames: ["Device.Time.Enable"] },
  },
  {
    kind: "request",
    method: "AddObject",
    args: { objectName: "Device.IP.Interface.", parameterKey: "k2" },
  },
  {
    kind: "request",
    method: "DeleteObject",
    args: { objectName: "Device.IP.Interface.3.", parameterKey: "k3" },
  },
  {
    kind: "request",
    method: "ScheduleInform",
    args: { delaySeconds: 60, commandKey: "si" },
  },
  {
    kind: "request",
    method: "Download",
    args: {
      commandKey: "d",
      fileType: "1 Firmware Upgrade Image",
      url: "http://x/fw",
      username: "",
      password: "",
      fileSize: 0,
      targetFileName: "",
      delaySeconds: 0,
      successUrl: "",
      failureUrl: "",
    },
  },
  { kind: "request", method: "Reboot", args: { commandKey: "rb" } },
];

Deno.test("a first-boot session sends 0 BOOTSTRAP and 1 BOOT and ends on the ACS's 204", async () => {
  await withAcs({}, async (acs) => {
    const result = await session(acs);
    assert.equal(result.outcome, "success", result.reason);
    assert.deepStrictEqual(acs.sessions[0].events, ["0 BOOTSTRAP", "1 BOOT"]);
    assert.equal(acs.sessions[0].ended, true);
    const inform = acs.sessions[0].messages[0].decoded!;
    assert.equal(inform.header.supportedCwmpVersions, "1.0,1.1,1.2,1.3,1.4");
    const body = inform.body;
    if (body.kind !== "request" || body.method !== "Inform") {
      throw new Error("not an Inform");
    }
    const names = body.args.parameterList.map((p) => p.name);
    for (
      const forced of [
        "Device.RootDataModelVersion",
        "Device.DeviceInfo.HardwareVersion",
        "Device.DeviceInfo.SoftwareVersion",
        "Device.DeviceInfo.ProvisioningCode",
        "Device.ManagementServer.ParameterKey",
        "Device.ManagementServer.ConnectionRequestURL",
      ]
    ) {
      assert.ok(names.includes(forced), forced);
    }
    assert.deepStrictEqual(body.args.deviceId, {
      manufacturer: "Example Networks",
      oui: "00D09E",
      productClass: "EX5400",
      serialNumber: "EXN5400A1B2C3",
    });
  });
});

Deno.test(
  "every RPC through the fixture ACS; every CPE message validates against the XSDs",
  xsdTestOptions(),
  async () => {
    await withAcs({ sessions: [{ requests: EVERY_RPC }] }, async (acs) => {
      const result = await session(acs);
      assert.equal(result.outcome, "success", result.reason);
      assert.deepStrictEqual(result.rpcs, EVERY_RPC.map((r) => r.method));
      assert.deepStrictEqual(result.after, [{
        kind: "reboot",
        commandKey: "rb",
      }]);
      const cpe = acs.sessions[0].messages.filter((m) =>
        m.direction === "CPE→ACS" && m.xml !== ""
      );
      const faults = cpe.map((m) => m.decoded!.body).filter((b) =>
        b.kind === "fault"
      );
      // Every method is implemented now, Download included (queued here).
      assert.deepStrictEqual(
        faults.map((f) => f.kind === "fault" && f.faultCode),
        [],
      );
      assert.equal(
        cpe.length,
        EVERY_RPC.length + 1,
        "the Inform and one response per request",
      );
      assert.deepStrictEqual(await acs.validateRecorded(BBF_DIR), []);
    });
  },
);

for (const scheme of SCHEMES) {
  Deno.test(`${scheme.name}: Digest authentication and session cookies towards the ACS`, async () => {
    const auth = {
      scheme: "digest" as const,
      username: "cpe-00D09E-EXN5400A1B2C3",
      password: "s3cret",
    };
    await withAcs({
      auth,
      cookies: true,
      sessions: [{ requests: EVERY_RPC.slice(0, 3) }],
    }, async (acs) => {
      const ok = await session(acs, {
        client: { username: auth.username, password: auth.password },
      });
      assert.equal(ok.outcome, "success", ok.reason);
      const bad = await session(acs, {
        client: { username: auth.username, password: "wrong" },
      });
      assert.equal(bad.outcome, "failure");
      assert.match(bad.reason!, /401/);
    }, scheme);
  });
}

for (const scheme of SCHEMES) {
  Deno.test(`${scheme.name}: Basic authentication towards the ACS`, async () => {
    await withAcs(
      { auth: { scheme: "basic", username: "u", password: "p" } },
      async (acs) => {
        assert.equal(
          (await session(acs, { client: { username: "u", password: "p" } }))
            .outcome,
          "success",
        );
        assert.equal((await session(acs)).outcome, "failure");
      },
      scheme,
    );
  });
}

for (const scheme of SCHEMES) {
  Deno.test(`${scheme.name}: a redirect chain is followed for the session; more than 5 hops fail it`, async () => {
    await withAcs({
      redirects: 3,
      sessions: [{ requests: EVERY_RPC.slice(0, 2) }],
    }, async (acs) => {
      const result = await session(acs);
      assert.equal(result.outcome, "success", result.reason);
      assert.match(result.url, /hop=3$/);
    }, scheme);
    await withAcs({ redirects: 6 }, async (acs) => {
      const result = await session(acs);
      assert.equal(result.outcome, "failure");
      assert.match(result.reason!, /More than 5 redirects/);
    }, scheme);
  });
}

Deno.test("HoldRequests: the CPE sends no request while the ACS holds", async () => {
  await withAcs({
    sessions: [{ holdRequests: true, requests: EVERY_RPC.slice(0, 2) }],
  }, async (acs) => {
    const result = await session(acs);
    assert.equal(result.outcome, "success", result.reason);
    const bodies = acs.sessions[0].messages.filter((m) =>
      m.direction === "CPE→ACS"
    ).slice(1).map((m) => m.decoded?.body.kind ?? "empty");
    assert.ok(!bodies.includes("request"), bodies.join());
  });
});

Deno.test("an ACS fault to the Inform (8005 included) fails the session", async () => {
  for (const informFault of [8005, 8003, 8006]) {
    await withAcs({ sessions: [{ informFault }] }, async (acs) => {
      const result = await session(acs);
      assert.equal(result.outcome, "failure");
      assert.match(result.reason!, new RegExp(`ACS fault ${informFault}`));
    });
  }
});

for (const scheme of SCHEMES) {
  Deno.test(`${scheme.name}: an ACS that answers 500, drops the connection or hangs fails the session`, async () => {
    const cases: [SessionScript["failure"], RegExp][] = [
      ["http500", /HTTP 500/],
      ["drop", /Connection lost|Cannot reach/],
      ["hang", /No response from the ACS within 300 ms/],
    ];
    for (const [failure, reason] of cases) {
      await withAcs({ sessions: [{ failure }] }, async (acs) => {
        const result = await session(acs, { client: { timeoutMs: 300 } });
        assert.equal(result.outcome, "failure", failure);
        assert.match(result.reason!, reason);
      }, scheme);
    }
  });
}

Deno.test("a CWMP 1.0 ACS: the CPE follows the namespace it answers in", async () => {
  await withAcs({
    sessions: [{ namespace: "1-0", requests: EVERY_RPC.slice(0, 1) }],
  }, async (acs) => {
    const result = await session(acs);
    assert.equal(result.outcome, "success", result.reason);
    const reply = acs.sessions[0].messages.find((m) =>
      m.direction === "CPE→ACS" && m.decoded?.body.kind === "response"
    );
    assert.equal(reply?.decoded?.namespace, "1-0");
  });
});

Deno.test("a connection that is refused fails the session without throwing", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const context = await simContext();
  const inform = await buildInform(context, {
    events: BOOT,
    retryCount: 0,
    now: new Date(),
  });
  const result = await runSession({
    url: `http://127.0.0.1:${port}/acs`,
    context,
    start: { inform },
  });
  assert.equal(result.outcome, "failure");
  assert.match(result.reason!, /Cannot reach the ACS/);
});

Deno.test("UseCWMPVersion below 1.4 binds the session to that version: its namespace from the next message on, and no newer method", async () => {
  const requests: AcsRequest[] = [
    { kind: "request", method: "GetRPCMethods", args: {} },
    // CancelTransfer is CWMP 1.2: not part of a 1.0 or 1.1 session.
    { kind: "request", method: "CancelTransfer", args: { commandKey: "x" } },
  ];
  for (
    const [version, namespace] of [["1.0", "1-0"], ["1.1", "1-1"]] as const
  ) {
    await withAcs({
      sessions: [{ useCwmpVersion: version, requests }],
    }, async (acs) => {
      const result = await session(acs);
      assert.equal(result.outcome, "success", result.reason);
      const fromCpe = acs.sessions[0].messages.filter((m) =>
        m.direction === "CPE→ACS" && m.decoded &&
        m.decoded.body.kind !== "empty"
      );
      assert.equal(fromCpe[0].decoded!.namespace, "1-2", "the Inform");
      for (const m of fromCpe.slice(1)) {
        assert.equal(m.decoded!.namespace, namespace, `${version}: ${m.xml}`);
      }
      const fault = fromCpe.at(-1)!.decoded!.body;
      assert.ok(
        fault.kind === "fault" && fault.faultCode === 9000,
        JSON.stringify(fault),
      );
    });
  }
  // A 1.4 session keeps cwmp-1-2, where the 1.2 method exists.
  await withAcs(
    { sessions: [{ useCwmpVersion: "1.4", requests }] },
    async (acs) => {
      const result = await session(acs);
      assert.equal(result.outcome, "success", result.reason);
      const reply = acs.sessions[0].messages.find((m) =>
        m.direction === "CPE→ACS" && m.decoded?.body.kind === "response"
      );
      assert.equal(reply?.decoded?.namespace, "1-2");
    },
  );
});

Deno.test("an InformResponse whose cwmp:ID does not match the Inform's is taken, and said", async () => {
  for (
    const [id, expected] of [
      ["999", /InformResponse carries cwmp:ID "999"; the Inform had "1"/],
      [null, /InformResponse carries no cwmp:ID; the Inform had "1"/],
      ["1", undefined],
    ] as const
  ) {
    const acs = startHostileAcs({ kind: "inform-response-id", id });
    try {
      const context = await simContext();
      const warnings: string[] = [];
      const result = await runSession({
        url: acs.url,
        context,
        start: {
          inform: await buildInform(context, {
            events: [{ eventCode: "2 PERIODIC", commandKey: "" }],
            retryCount: 0,
            now: new Date(),
          }),
        },
        onWarning: (message) => warnings.push(message),
      });
      assert.equal(result.outcome, "success", result.reason);
      if (expected) {
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], expected);
      } else {
        assert.deepStrictEqual(warnings, []);
      }
    } finally {
      await acs.stop();
    }
  }
});

for (const secure of [false, true]) {
  Deno.test(`${secure ? "https" : "http"}: an ACS whose body stalls after the headers fails the session as a timeout, not as a lost connection`, async () => {
    const options = { hostname: "127.0.0.1", port: 0 };
    const listener = secure
      ? Deno.listenTls({
        ...options,
        cert: pem("acs-server.chain.pem"),
        key: pem("acs-server.key"),
      })
      : Deno.listen(options);
    const held: Deno.Conn[] = [];
    const serving = (async () => {
      for await (const conn of listener) {
        held.push(conn);
        // Headers and a first piece of the body, then nothing.
        await conn.write(
          new TextEncoder().encode(
            "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: 5000\r\n\r\n<soap-env:Envelope",
          ),
        ).catch(() => {});
      }
    })();
    try {
      const context = await simContext();
      const { port } = listener.addr as Deno.NetAddr;
      const result = await runSession({
        url: `${secure ? "https" : "http"}://127.0.0.1:${port}/acs`,
        context,
        start: {
          inform: await buildInform(context, {
            events: BOOT,
            retryCount: 0,
            now: new Date(),
          }),
        },
        client: {
          timeoutMs: 300,
          ...(secure ? { caCerts: [pem("root-ca.crt")] } : {}),
        },
      });
      assert.equal(result.outcome, "failure");
      assert.doesNotMatch(result.reason!, /Connection lost/);
      assert.match(result.reason!, /within 300 ms/);
    } finally {
      listener.close();
      for (const conn of held) {
        try {
          conn.close();
        } catch {
          // Closed.
        }
      }
      await serving.catch(() => {});
    }
  });
}
