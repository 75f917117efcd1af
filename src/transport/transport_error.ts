/**
 * The one error an HTTP exchange with the ACS fails with.
 *
 * @module
 */

/**
 * Why an exchange failed; the session treats every one as a failure.
 *
 * @example
 * ```ts
 * import { TransportError } from "./transport_error.ts";
 * const error = new TransportError("tls", "TLS with acs:443 failed: expired");
 * console.log(error.kind); // "tls"
 * ```
 */
export class TransportError extends Error {
  /** A short machine-readable kind. */
  readonly kind:
    | "network"
    | "tls"
    | "timeout"
    | "auth"
    | "redirect"
    | "too_large"
    | "http";
  /** The HTTP status, for `http` and `auth`. */
  readonly status?: number;
  /** Creates the error. */
  constructor(
    kind: TransportError["kind"],
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "TransportError";
    this.kind = kind;
    this.status = options.status;
  }
}
