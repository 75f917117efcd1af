/**
 * A connection request as an ACS sends one: a GET answered with a Digest
 * challenge, then the GET with credentials.
 *
 * @module
 */
import {
  digestAuthorization,
  parseDigestChallenge,
  randomNonce,
} from "../transport/digest.ts";

/**
 * Sends a connection request (HTTP GET with Digest authentication) to a
 * CPE, as an ACS does, and returns the final HTTP status. `client` carries
 * the CA and client certificate for an HTTPS listener.
 *
 * @example
 * ```ts
 * import { sendConnectionRequest } from "./connection_request_client.ts";
 * // const status = await sendConnectionRequest("http://127.0.0.1:7547/cr", "acs", "secret"); // 200
 * ```
 */
export async function sendConnectionRequest(
  url: string,
  username: string,
  password: string,
  client?: Deno.HttpClient,
): Promise<number> {
  const first = await fetch(url, {
    signal: AbortSignal.timeout(10_000),
    ...(client ? { client } : {}),
  });
  await first.body?.cancel();
  if (first.status !== 401) return first.status;
  const challenge = parseDigestChallenge(
    first.headers.get("www-authenticate"),
  );
  if (!challenge) return first.status;
  const target = new URL(url);
  const authorization = digestAuthorization({
    challenge,
    username,
    password,
    method: "GET",
    uri: target.pathname + target.search,
    cnonce: randomNonce(),
    nc: 1,
  });
  const second = await fetch(url, {
    headers: { authorization },
    signal: AbortSignal.timeout(10_000),
    ...(client ? { client } : {}),
  });
  await second.body?.cancel();
  return second.status;
}
