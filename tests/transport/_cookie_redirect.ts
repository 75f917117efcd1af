/**
 * Run by cookies_test.ts in its own process, with network access to both
 * names of the loopback host: an ACS on 127.0.0.1 sets a cookie and
 * redirects to "localhost" (another host for cookies, the same socket).
 * Prints what each server received, as JSON.
 */
import { AcsClient } from "../../src/transport/acs_client.ts";

const seen: { server: string; cookie: string | null }[] = [];
const second = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  (request) => {
    seen.push({ server: "localhost", cookie: request.headers.get("cookie") });
    return new Response(null, {
      status: 200,
      headers: { "set-cookie": "there=2; Path=/" },
    });
  },
);
const first = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  (request) => {
    seen.push({ server: "127.0.0.1", cookie: request.headers.get("cookie") });
    return new Response(null, {
      status: 307,
      headers: {
        location: `http://localhost:${second.addr.port}/acs`,
        "set-cookie": "here=1; Path=/",
      },
    });
  },
);
try {
  const client = new AcsClient(`http://127.0.0.1:${first.addr.port}/acs`, {
    timeoutMs: 5000,
  });
  await client.post("<inform/>", { soapAction: true });
  await client.post("", { soapAction: false });
  client.close();
} catch (error) {
  console.log(JSON.stringify({ error: String(error) }));
  Deno.exit(0);
} finally {
  await first.shutdown();
  await second.shutdown();
}
console.log(JSON.stringify({ seen }));
