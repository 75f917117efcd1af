/** What `agent run` refuses at start, with a message that names the culprit. */
import assert from "node:assert/strict";
import { runAgent } from "../_helpers/cli.ts";
import { pemProblem } from "../../src/cli/pem_check.ts";

const CERTS = new URL("../../certs/", import.meta.url).pathname;

async function refusal(args: string[], files: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    const result = await runAgent(
      [
        "run",
        "--state-dir",
        `${dir}/state`,
        "--cr-port",
        "0",
        ...args.map((a) => a.replace("$DIR", dir)),
      ],
      undefined,
      20_000,
    );
    assert.equal(result.code, 1, result.stderr);
    assert.doesNotMatch(result.stderr, /agent started/);
    return { dir, stderr: result.stderr };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a config file that is not JSON is named in the error", async () => {
  const { dir, stderr } = await refusal(["--config", "$DIR/agent.json"], {
    "agent.json": '{ "acs-url": "https://acs.example.net/", }',
  });
  assert.match(
    stderr,
    new RegExp(`the config file ${dir}/agent\\.json is not valid JSON: `),
  );
  const missing = await refusal(["--config", "$DIR/none.json"]);
  assert.match(
    missing.stderr,
    new RegExp(`cannot read the config file ${missing.dir}/none\\.json`),
  );
});

Deno.test("a garbage --ca-file, --cert-file or key is refused at start, naming flag and file", async () => {
  const { stderr } = await refusal([
    "--acs-url",
    "http://127.0.0.1:9/acs",
    "--ca-file",
    "$DIR/ca.pem",
    "--log-format",
    "json",
  ], { "ca.pem": "this is not a certificate\n" });
  assert.match(
    stderr,
    /"problem":"--ca-file \/tmp\/[^ ]+\/ca\.pem contains no PEM certificate"/,
  );
  const bad = await refusal([
    "--acs-url",
    "http://127.0.0.1:9/acs",
    "--cert-file",
    `${CERTS}cpe-client.chain.pem`,
    "--key-file",
    "$DIR/key.pem",
    "--log-format",
    "json",
  ], {
    "key.pem":
      "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
  });
  assert.match(
    bad.stderr,
    /"problem":"--key-file [^ ]+key\.pem is not a PEM private key/,
  );
});

Deno.test("pemProblem: what counts as a certificate and a key", () => {
  const root = Deno.readTextFileSync(`${CERTS}root-ca.crt`);
  assert.equal(pemProblem("ca-file", root), undefined);
  assert.equal(
    pemProblem(
      "ca-file",
      Deno.readTextFileSync(`${CERTS}acs-server.chain.pem`),
    ),
    undefined,
  );
  assert.match(
    pemProblem(
      "ca-file",
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )!,
    /certificate 1 does not parse/,
  );
  assert.equal(
    pemProblem("key-file", Deno.readTextFileSync(`${CERTS}cpe-client.key`)),
    undefined,
  );
  assert.match(pemProblem("key-file", root)!, /is not a PEM private key/);
});

Deno.test("--cr-path with dot segments or empty segments is refused", async () => {
  for (const path of ["/../etc", "/cr/./x", "/a//b", "/cr/.."]) {
    const { stderr } = await refusal([
      "--acs-url",
      "http://127.0.0.1:9/acs",
      "--cr-path",
      path,
    ]);
    assert.match(stderr, /cr-path/, path);
    assert.match(stderr, /must not contain `\.` or `\.\.` segments/, path);
  }
});
