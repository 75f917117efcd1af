/** Which file servers `agent run` lets a transfer use, under each TLS profile. */
import assert from "node:assert/strict";
import { resolveConfig } from "../../src/config/agent_config.ts";
import { transferUrlRefusal } from "../../src/cli/run_device.ts";
import type { TlsProfile } from "../../src/tls/profile.ts";

const lab: TlsProfile = { name: "lab", caCerts: [], clientCertRequired: false };
const strict: TlsProfile = {
  name: "strict",
  caCerts: ["PEM"],
  clientCertRequired: true,
};

Deno.test("file servers: the ACS hosts by default, exactly the named ones otherwise; http only under lab", () => {
  const byDefault = resolveConfig({}, {
    "state-dir": "/s",
    "acs-url": "https://acs.example.net/cwmp",
  });
  const url = (text: string) => new URL(text);
  assert.equal(
    transferUrlRefusal(byDefault, lab, url("https://acs.example.net/fw.bin")),
    undefined,
  );
  const other = transferUrlRefusal(
    byDefault,
    lab,
    url("https://cdn.example.net/fw.bin"),
  );
  assert.equal(other?.code, 9001);
  assert.match(
    other!.reason,
    /cdn\.example\.net:443 is not among the file servers this agent may use \(acs\.example\.net:443; name it in file-servers\)/,
  );

  const named = resolveConfig({}, {
    "state-dir": "/s",
    "acs-url": "https://acs.example.net/cwmp",
    "file-servers": "*.cdn.example.net:443,files.example.org",
  });
  assert.equal(
    transferUrlRefusal(named, strict, url("https://eu.cdn.example.net/fw.bin")),
    undefined,
  );
  assert.equal(
    transferUrlRefusal(named, strict, url("https://files.example.org:8443/x")),
    undefined,
  );
  assert.equal(
    transferUrlRefusal(named, strict, url("https://acs.example.net/x"))?.code,
    9001,
    "the ACS is not a file server once others are named",
  );
  assert.equal(
    transferUrlRefusal(named, strict, url("https://eu.cdn.example.net:8443/x"))
      ?.code,
    9001,
    "the port counts",
  );
  const plain = transferUrlRefusal(
    named,
    strict,
    url("http://files.example.org/x"),
  );
  assert.equal(plain?.code, 9013);
  assert.match(
    plain!.reason,
    /strict TLS profile transfers files over https only/,
  );
  assert.equal(
    transferUrlRefusal(named, lab, url("http://files.example.org/x")),
    undefined,
  );
});
