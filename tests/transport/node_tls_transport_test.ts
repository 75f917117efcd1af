/** https through node:tls: one connection, exact trust, the TLS version floor, over real sockets. */
import assert from "node:assert/strict";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AcsClient } from "../../src/transport/acs_client.ts";
import { parsePin } from "../../src/tls/pins.ts";
import { TransportError } from "../../src/transport/transport_error.ts";
import { NodeTlsTransport } from "../../src/transport/node_tls_transport.ts";

const CERTS = new URL("../../certs/", import.meta.url);
const CERTS_DIR = CERTS.pathname;
const pem = (name: string) => Deno.readTextFileSync(new URL(name, CERTS));
const ROOT = pem("root-ca.crt");
const REPO = new URL("../../", import.meta.url).pathname;

interface Seen {
  connections: number;
  protocols: string[];
  requests: { headers: IncomingMessage["headers"]; body: string }[];
}

async function withServer(
  options: https.ServerOptions,
  fn: (url: string, seen: Seen) => Promise<void>,
  respond: (res: ServerResponse) => void = (res) => {
    res.statusCode = 204;
    res.end();
  },
): Promise<void> {
  const seen: Seen = { connections: 0, protocols: [], requests: [] };
  const server = https.createServer({
    cert: pem("acs-server.chain.pem"),
    key: pem("acs-server.key"),
    ...options,
  }, (req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => body += chunk);
    req.on("end", () => {
      seen.requests.push({ headers: req.headers, body });
      respond(res);
    });
  });
  server.on("secureConnection", (socket: TLSSocket) => {
    seen.connections++;
    seen.protocols.push(socket.getProtocol() ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    await fn(`https://127.0.0.1:${port}/acs`, seen);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

Deno.test("a session's exchanges share one TLS connection and carry an explicit Content-Length", async () => {
  await withServer({}, async (url, seen) => {
    const client = new AcsClient(url, { caCerts: [ROOT] });
    try {
      for (const body of ["<Inform/>", "", "<Response/>", ""]) {
        assert.equal((await client.post(body)).status, 204);
      }
    } finally {
      client.close();
    }
    assert.equal(seen.connections, 1);
    assert.deepStrictEqual(
      seen.requests.map((r) => [
        r.headers["content-length"],
        r.headers["transfer-encoding"],
        r.body,
      ]),
      [
        ["9", undefined, "<Inform/>"],
        ["0", undefined, ""],
        ["11", undefined, "<Response/>"],
        ["0", undefined, ""],
      ],
    );
  });
});

Deno.test("TLS 1.3-only refuses a TLS 1.2 server before sending anything; the default floor accepts it", async () => {
  await withServer({ maxVersion: "TLSv1.2" }, async (url, seen) => {
    const strict = new AcsClient(url, {
      caCerts: [ROOT],
      minTlsVersion: "TLSv1.3",
      timeoutMs: 5000,
    });
    try {
      await assert.rejects(
        strict.post("<Inform/>"),
        (e) =>
          e instanceof TransportError && e.kind === "tls" &&
          /ProtocolVersion|protocol version/i.test(e.message),
      );
    } finally {
      strict.close();
    }
    assert.equal(seen.requests.length, 0);
    const lenient = new AcsClient(url, { caCerts: [ROOT] });
    try {
      assert.equal((await lenient.post("<Inform/>")).status, 204);
    } finally {
      lenient.close();
    }
    assert.deepStrictEqual(seen.protocols.at(-1), "TLSv1.2");
  });
});

Deno.test("pins or TLS 1.3-only without a named CA are refused, not silently dropped", async () => {
  // The node:tls transport itself never falls back to a store it was not given.
  assert.throws(() => new NodeTlsTransport({ caCerts: [] }), TypeError);
  for (
    const options of [
      {
        pins: [parsePin("sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")],
      },
      { minTlsVersion: "TLSv1.3" as const },
    ]
  ) {
    const client = new AcsClient("https://127.0.0.1:1/acs", options);
    try {
      await assert.rejects(
        client.post(""),
        (e) =>
          e instanceof TransportError && e.kind === "tls" &&
          /need at least one named CA/.test(e.message),
      );
    } finally {
      client.close();
    }
  }
});

Deno.test("an oversized https response fails the exchange as too_large", async () => {
  await withServer({}, async (url) => {
    const client = new AcsClient(url, {
      caCerts: [ROOT],
      maxResponseBytes: 1024,
    });
    try {
      await assert.rejects(
        client.post("<Inform/>"),
        (e) => e instanceof TransportError && e.kind === "too_large",
      );
    } finally {
      client.close();
    }
  }, (res) => {
    res.setHeader("content-type", "text/xml");
    res.end("x".repeat(64 * 1024));
  });
});

Deno.test("named CAs are the whole trust: variables that widen Deno's store or disable checks change nothing", async () => {
  await withServer({}, async (url, seen) => {
    // The subprocess trusts an unrelated CA by name, with every widening variable pointing at the real root.
    const script = `
import { AcsClient } from "${REPO}src/transport/acs_client.ts";
const unknownCa = Deno.readTextFileSync("${CERTS_DIR}unknown-ca.crt");
for (const [label, options] of [["named", { caCerts: [unknownCa] }], ["store", {}]]) {
  const client = new AcsClient("${url}", { ...options, timeoutMs: 5000 });
  try { console.log(label, (await client.post("")).status); }
  catch (e) { console.log(label, e.kind, e.message); }
  finally { client.close(); }
}`;
    const root = `${CERTS_DIR}root-ca.crt`;
    const file = await Deno.makeTempFile({ suffix: ".ts" });
    await Deno.writeTextFile(file, script);
    const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--config",
        `${REPO}deno.json`,
        file,
      ],
      env: {
        DENO_CERT: root,
        NODE_EXTRA_CA_CERTS: root,
        SSL_CERT_FILE: root,
        DENO_TLS_CA_STORE: "mozilla,system",
        NODE_TLS_REJECT_UNAUTHORIZED: "0",
      },
      stdout: "piped",
      stderr: "piped",
    }).output().finally(() => Deno.remove(file));
    const out = new TextDecoder().decode(stdout);
    assert.match(
      out,
      /^named tls TLS with 127\.0\.0\.1:\d+ failed: /m,
      out + new TextDecoder().decode(stderr),
    );
    // The control: the fetch path (no named CA) does take DENO_CERT, which is why strict names its CAs.
    assert.match(out, /^store 204$/m, out);
    assert.equal(seen.requests.length, 1, "only the control's request arrived");
  });
});
