/**
 * Node's TLS layer in Deno reports most certificate failures as one code
 * ("unable to verify the first certificate"). After such a failure the
 * client explains it by a second handshake with Deno's own TLS, which names
 * the reason (UnknownIssuer, Expired, NotValidYet, extended key usage, name).
 * The handshake presents no client certificate and sends no application data,
 * and its result only words the log line: the connection was already refused.
 *
 * @module
 */

/** What a certificate-verification failure was, or undefined when Deno's TLS accepts the peer. */
export async function diagnoseCertificateFailure(
  url: URL,
  options: {
    readonly caCerts: readonly string[];
    readonly timeoutMs: number;
  },
): Promise<string | undefined> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port || 443);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let conn: Deno.TlsConn | undefined;
  try {
    const attempt = (async () => {
      conn = await Deno.connectTls({
        hostname,
        port,
        caCerts: [...options.caCerts],
      });
      await conn.handshake();
    })();
    await Promise.race([
      attempt,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("no answer to the diagnostic handshake")),
          options.timeoutMs,
        );
      }),
    ]);
    return undefined;
  } catch (error) {
    return certificateReason((error as Error).message);
  } finally {
    clearTimeout(timer);
    try {
      conn?.close();
    } catch {
      // Already closed.
    }
  }
}

/**
 * The precise reason in a message of Deno's TLS stack: the part after
 * "invalid peer certificate:", without the advice to bypass checks that Deno
 * appends (the agent never does that).
 */
export function certificateReason(message: string): string {
  const detail = message.split("\n")
    .filter((line) => !line.trim().startsWith("hint:")).join(" ").trim();
  const match = /invalid peer certificate: (.*)$/.exec(detail);
  return match ? match[1] : detail;
}
