/**
 * One Upload attempt of a file a vendor names (`--upload-files`): the bytes
 * reach the server whole, also when an authentication challenge makes the
 * agent send the file a second time (that the file is closed each time is
 * `file_stream_test.ts`'s to show).
 */
import assert from "node:assert/strict";
import { FileServer } from "../../src/acs/file_server.ts";
import type { QueuedTransfer } from "../../src/state/transfers.ts";
import { attemptUpload } from "../../src/transfer/run_transfer.ts";
import { TransferSpool } from "../../src/transfer/spool.ts";

function entry(url: string, username = "", password = ""): QueuedTransfer {
  return {
    id: "u1",
    method: "Upload",
    commandKey: "log-1",
    fileType: "X 00D09E Log",
    url,
    username,
    password,
    fileSize: 0,
    targetFileName: "",
    notBefore: new Date(0).toISOString(),
    state: 2,
    attempts: 1,
  };
}

Deno.test("an upload of a named file sends it whole, read in pieces, and again after a challenge", async () => {
  const dir = await Deno.makeTempDir();
  // Larger than one read (256 KiB) and not a multiple of it.
  const bytes = new Uint8Array(3 * 1024 * 1024 + 12_345).map((_, i) =>
    (i * 7 + (i >> 11)) & 0xff
  );
  await Deno.writeFile(`${dir}/log.bin`, bytes);
  const server = new FileServer({
    auth: { scheme: "digest", username: "cpe", password: "pw" },
  });
  await server.start();
  try {
    let lastProgress = 0;
    const outcome = await attemptUpload(
      entry(server.url("/up/log.bin"), "cpe", "pw"),
      {
        adapter: undefined,
        spool: new TransferSpool(`${dir}/spool`),
        client: {},
        maxDownloadBytes: 1 << 30,
        progress: (n) => lastProgress = n,
        applying: () => Promise.resolve(),
        uploadFiles: { "X 00D09E Log": `${dir}/log.bin` },
      },
    );
    assert.deepStrictEqual(outcome, {
      ok: true,
      bytes: bytes.byteLength,
      reboot: false,
    });
    assert.deepStrictEqual(server.upload("/up/log.bin"), bytes);
    assert.equal(lastProgress, bytes.byteLength);
    // The challenge came first: the file was sent twice.
    assert.equal(
      server.requests.filter((r) => r.method === "PUT").length,
      2,
    );
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an upload of a named file that is missing is 9011 naming it", async () => {
  const dir = await Deno.makeTempDir();
  const server = new FileServer();
  await server.start();
  try {
    const outcome = await attemptUpload(entry(server.url("/up/x")), {
      adapter: undefined,
      spool: new TransferSpool(`${dir}/spool`),
      client: {},
      maxDownloadBytes: 1 << 30,
      progress: () => {},
      applying: () => Promise.resolve(),
      uploadFiles: { "X 00D09E Log": `${dir}/absent.bin` },
    });
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.equal(outcome.faultCode, 9011);
      assert.match(outcome.faultString, /absent\.bin|No such file/);
    }
    assert.equal(server.requests.length, 0);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
