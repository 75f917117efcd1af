/**
 * HTTP authentication as the test servers (the fixture ACS, the file
 * server) demand it: Basic or Digest with one set of credentials.
 *
 * @module
 */
import type { DigestVerifier } from "../transport/digest_server.ts";

/** The credentials a test server demands. */
export interface ServerAuth {
  readonly scheme: "basic" | "digest";
  readonly username: string;
  readonly password: string;
}

/**
 * The 401 to answer `request` with (its body dropped), or undefined when
 * it carries the credentials.
 */
export async function unauthorized(
  request: Request,
  auth: ServerAuth,
  verifier: DigestVerifier,
  realm: string,
): Promise<Response | undefined> {
  const header = request.headers.get("authorization");
  const url = new URL(request.url);
  let ok: boolean;
  let stale = false;
  if (auth.scheme === "basic") {
    ok = header === `Basic ${btoa(`${auth.username}:${auth.password}`)}`;
  } else {
    const check = verifier.verify(header, {
      method: request.method,
      uri: url.pathname + url.search,
    }, auth);
    ok = check.ok;
    stale = !check.ok && check.stale;
  }
  if (ok) return undefined;
  await request.body?.cancel();
  return new Response(null, {
    status: 401,
    headers: {
      "www-authenticate": auth.scheme === "basic"
        ? `Basic realm="${realm}"`
        : verifier.challenge(stale),
    },
  });
}
