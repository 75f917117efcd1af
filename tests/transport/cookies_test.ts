import assert from "node:assert/strict";
import { CookieJar } from "../../src/transport/cookies.ts";

const SCRIPT = new URL("./_cookie_redirect.ts", import.meta.url).pathname;

Deno.test("cookies stay with the host that set them: a redirect to another host does not carry them, its own cookies go back to it", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1,localhost", "--allow-read", SCRIPT],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const result = JSON.parse(new TextDecoder().decode(stdout));
  if (result.error) {
    console.log(
      `skipped: "localhost" does not reach 127.0.0.1 on this machine (${result.error})`,
    );
    return;
  }
  assert.deepStrictEqual(result.seen, [
    { server: "127.0.0.1", cookie: null },
    { server: "localhost", cookie: null },
    { server: "localhost", cookie: "there=2" },
  ]);
});

Deno.test("the jar follows RFC 6265 host rules: host-only, Domain, Secure, no cookies for other hosts", () => {
  const jar = new CookieJar(() => 0);
  const acs = new URL("https://acs.example.net/cwmp");
  jar.store([
    "host=1",
    "wide=2; Domain=example.net",
    "tls=3; Secure",
    "foreign=4; Domain=evil.example",
    "parent=5; Domain=net.example.net",
  ], acs);
  assert.equal(jar.header(acs), "host=1; wide=2; tls=3");
  assert.equal(jar.header(new URL("https://cdn.example.net/cwmp")), "wide=2");
  assert.equal(
    jar.header(new URL("http://acs.example.net/cwmp")),
    "host=1; wide=2",
  );
  assert.equal(jar.header(new URL("https://evil.example/")), undefined);
  // An IP address takes host-only cookies only.
  const ip = new URL("http://192.0.2.7/acs");
  jar.store(["a=1", "b=2; Domain=0.2.7"], ip);
  assert.equal(jar.header(ip), "a=1");
});
