/**
 * The file client against a real local file server, over http and https:
 * each way a transfer fails ends in its own TR-069 fault, with a reason an
 * operator can act on.
 */
import assert from "node:assert/strict";
import { FileServer } from "../../src/acs/file_server.ts";
import { CwmpFault } from "../../src/cwmp/faults.ts";
import {
  downloadFile,
  type FileClientOptions,
  uploadFile,
} from "../../src/transfer/file_client.ts";

const CERTS = new URL("../../certs/", import.meta.url);
const pem = (name: string) => Deno.readTextFileSync(new URL(name, CERTS));
const NONE = { username: "", password: "" };
const BYTES = new Uint8Array(200_000).map((_, i) => i % 251);

async function fetchInto(
  url: string,
  options: FileClientOptions = {},
  credentials = NONE,
  max = 1 << 30,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  await downloadFile(
    url,
    credentials,
    (c) => {
      chunks.push(c.slice());
      return Promise.resolve();
    },
    max,
    options,
  );
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function faultOf(work: Promise<unknown>): Promise<CwmpFault> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof CwmpFault, String(error));
    return error;
  }
  assert.fail("expected a fault");
}

async function withServer(
  options: ConstructorParameters<typeof FileServer>[0],
  fn: (server: FileServer) => Promise<void>,
): Promise<void> {
  const server = new FileServer(options);
  await server.start();
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

Deno.test("a download over http arrives whole, byte for byte", async () => {
  await withServer({ files: { "/fw.bin": { body: BYTES } } }, async (s) => {
    assert.deepStrictEqual(await fetchInto(s.url("/fw.bin")), BYTES);
  });
});

Deno.test("a download over https trusts exactly the named CA; another chain is refused with the TLS reason (9015)", async () => {
  const tls = { cert: pem("acs-server.chain.pem"), key: pem("acs-server.key") };
  await withServer({ tls, files: { "/a": { body: BYTES } } }, async (s) => {
    const got = await fetchInto(s.url("/a"), { caCerts: [pem("root-ca.crt")] });
    assert.deepStrictEqual(got, BYTES);
    const fault = await faultOf(
      fetchInto(s.url("/a"), { caCerts: [pem("unknown-ca.crt")] }),
    );
    assert.equal(fault.code, 9015);
    assert.match(fault.message, /TLS with 127\.0\.0\.1:\d+ failed/);
    assert.match(fault.message, /file server/);
    assert.doesNotMatch(fault.message, /the ACS/);
  });
});

Deno.test("credentials: Basic and Digest challenges are answered; wrong ones are 9012", async () => {
  for (const scheme of ["basic", "digest"] as const) {
    await withServer({
      auth: { scheme, username: "cpe", password: "s3cret" },
      files: { "/cfg": { body: BYTES } },
    }, async (s) => {
      const good = { username: "cpe", password: "s3cret" };
      assert.deepStrictEqual(await fetchInto(s.url("/cfg"), {}, good), BYTES);
      const wrong = await faultOf(
        fetchInto(s.url("/cfg"), {}, { username: "cpe", password: "nope" }),
      );
      assert.equal(wrong.code, 9012, scheme);
      assert.match(wrong.message, /401/);
      assert.equal((await faultOf(fetchInto(s.url("/cfg")))).code, 9012);
    });
  }
});

Deno.test("ftp:// and unknown schemes are 9013; userinfo in the URL is 9003", async () => {
  assert.equal((await faultOf(fetchInto("ftp://127.0.0.1/fw.bin"))).code, 9013);
  assert.equal((await faultOf(fetchInto("tftp://127.0.0.1/fw"))).code, 9013);
  assert.equal(
    (await faultOf(fetchInto("http://u:p@127.0.0.1:1/fw"))).code,
    9003,
  );
});

Deno.test("connection refused is 9015; a missing file 9016; a body cut short 9017", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const refused = await faultOf(fetchInto(`http://127.0.0.1:${port}/x`));
  assert.equal(refused.code, 9015);
  assert.match(refused.message, /Cannot contact the file server/);
  await withServer({
    files: { "/half": { body: BYTES, truncate: true } },
  }, async (s) => {
    const missing = await faultOf(fetchInto(s.url("/nothing")));
    assert.equal(missing.code, 9016);
    assert.match(missing.message, /HTTP 404/);
    const cut = await faultOf(fetchInto(s.url("/half")));
    assert.equal(cut.code, 9017);
    assert.match(cut.message, /incomplete/i);
  });
});

Deno.test("a file server's malformed Content-Length is 9017 naming it, not a file taken as whole", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const served = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(4096));
    await conn.write(
      new TextEncoder().encode(
        "HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\nfirmware",
      ),
    );
    conn.close();
  })();
  try {
    const fault = await faultOf(fetchInto(`http://127.0.0.1:${port}/fw.bin`));
    assert.equal(fault.code, 9017);
    assert.match(fault.message, /malformed Content-Length \("-1"\)/);
  } finally {
    await served;
    listener.close();
  }
});

Deno.test("a hung server and a stalled body end in faults within the limits, not in a wait", async () => {
  await withServer({ hang: true }, async (s) => {
    const began = performance.now();
    const hung = await faultOf(fetchInto(s.url("/x"), { timeoutMs: 300 }));
    assert.equal(hung.code, 9015);
    assert.match(hung.message, /No response from the file server/);
    assert.ok(performance.now() - began < 5000);
  });
  await withServer(
    { files: { "/s": { body: BYTES, stall: true } } },
    async (s) => {
      const stalled = await faultOf(
        fetchInto(s.url("/s"), { idleTimeoutMs: 300 }),
      );
      assert.equal(stalled.code, 9017);
      assert.match(stalled.message, /stalled/);
    },
  );
});

Deno.test("more bytes than the room the device has stop the transfer (9010); a redirect off the file servers is refused", async () => {
  await withServer({ files: { "/big": { body: BYTES } } }, async (s) => {
    const big = await faultOf(fetchInto(s.url("/big"), {}, NONE, 1000));
    assert.equal(big.code, 9010);
    assert.match(big.message, /200000 bytes/);
    const policy = (url: URL) =>
      url.pathname === "/big" ? undefined : `${url.host} is not allowed`;
    const before = s.requests.length;
    const refused = await faultOf(
      fetchInto(s.url("/other"), { urlProblem: policy }),
    );
    assert.equal(refused.code, 9010);
    assert.equal(s.requests.length, before, "refused before connecting");
  });
});

Deno.test("an upload is PUT whole, with credentials answered on challenge; a refusal is 9011", async () => {
  await withServer({
    auth: { scheme: "digest", username: "cpe", password: "pw" },
  }, async (s) => {
    let produced = 0;
    const produce = () => {
      produced++;
      return Promise.resolve({
        stream: new Blob([BYTES]).stream(),
        size: BYTES.byteLength,
      });
    };
    const { bytes } = await uploadFile(
      s.url("/up/cfg"),
      { username: "cpe", password: "pw" },
      produce,
    );
    assert.equal(bytes, BYTES.byteLength);
    assert.deepStrictEqual(s.upload("/up/cfg"), BYTES);
    assert.equal(produced, 2, "produced again after the challenge");
    const wrong = await faultOf(
      uploadFile(s.url("/up/x"), { username: "cpe", password: "no" }, produce),
    );
    assert.equal(wrong.code, 9012);
  });
  await withServer({ maxUploadBytes: 10 }, async (s) => {
    const refused = await faultOf(
      uploadFile(s.url("/u"), NONE, () =>
        Promise.resolve({
          stream: new Blob([BYTES]).stream(),
          size: BYTES.byteLength,
        })),
    );
    assert.equal(refused.code, 9011);
    assert.match(refused.message, /413/);
  });
});
