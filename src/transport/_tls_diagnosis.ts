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
    /** Who the peer is, for the words ("the ACS", "the file server"). */
    readonly peer?: string;
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
    return certificateReason((error as Error).message, options.peer);
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
 * What rustls's reason tokens mean to whoever runs the CPE, with what to do.
 * The token stays at the front: it is what a search engine knows.
 */
const CERTIFICATE_REASONS: readonly (readonly [RegExp, string])[] = [
  [
    /CaUsedAsEndEntity/,
    "CaUsedAsEndEntity: the ACS presents a CA certificate as its own (typically a self-signed certificate made with basicConstraints CA:TRUE) that is not among the trusted CAs; name that certificate with --ca-file, or give the ACS one issued by a CA you trust",
  ],
  [
    /^UnknownIssuer$/,
    "UnknownIssuer: the ACS certificate does not chain to a trusted CA (name its CA with --ca-file, or check the chain the ACS sends)",
  ],
  [
    /^Expired\b/,
    "Expired: the ACS certificate has expired (or this device's clock is ahead)",
  ],
  [
    /^NotValidYet\b/,
    "NotValidYet: the ACS certificate is not valid yet (or this device's clock is behind)",
  ],
  [
    /^(UnsupportedSignatureAlgorithm|BadSignature)/,
    "$1: the ACS certificate's signature cannot be verified",
  ],
  [/^Revoked$/, "Revoked: the ACS certificate has been revoked"],
];

/**
 * The precise reason in a message of Deno's TLS stack (`peer` names who
 * presented the certificate): the part after
 * "invalid peer certificate:", without the advice to bypass checks that Deno
 * appends (the agent never does that), and put in words where rustls's
 * token alone would puzzle an operator.
 *
 * @example
 * ```ts
 * import { certificateReason } from "./_tls_diagnosis.ts";
 * certificateReason("invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))");
 * // "CaUsedAsEndEntity: the ACS presents a CA certificate as its own …"
 * ```
 */
export function certificateReason(
  message: string,
  peer = "the ACS",
): string {
  const detail = message.split("\n")
    .filter((line) => !line.trim().startsWith("hint:")).join(" ").trim();
  const match = /invalid peer certificate: (.*)$/.exec(detail);
  const reason = match ? match[1] : detail;
  for (const [pattern, words] of CERTIFICATE_REASONS) {
    const found = pattern.exec(reason);
    if (found) {
      return words.replace("$1", found[1] ?? "").replaceAll("the ACS", peer);
    }
  }
  return reason;
}
