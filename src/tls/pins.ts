/**
 * Certificate and public-key pins: a TLS connection is accepted only when
 * some certificate of the chain the ACS presents matches one of the pins
 * (the chain must verify first; a pin narrows trust, it never replaces it).
 *
 * Two spellings, both SHA-256:
 * - `sha256/BASE64`: the SubjectPublicKeyInfo of a certificate, as in HPKP's
 *   `pin-sha256` and curl's `--pinnedpubkey sha256//…`. It survives
 *   re-issuing a certificate with the same key, so it is the one to prefer.
 * - 64 hex digits, colons allowed: the whole certificate, as
 *   `openssl x509 -noout -fingerprint -sha256` prints it.
 *
 * Reading pins needs no certificate parser; matching them does, and lives
 * in `pin_match.ts`, loaded only with the TLS stack that checks them.
 *
 * @module
 */
/** A parsed pin. */
export interface Pin {
  /** What the digest covers. */
  readonly kind: "spki" | "certificate";
  /** The SHA-256 digest. */
  readonly sha256: Uint8Array;
}

/** A pin that cannot be read. */
export class PinError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "PinError";
  }
}

/**
 * Reads a pin in either spelling.
 *
 * @throws {PinError} naming the pin when it is neither spelling or not 32 bytes.
 *
 * @example
 * ```ts
 * import { parsePin } from "./pins.ts";
 * console.log(parsePin("sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").kind); // "spki"
 * ```
 */
export function parsePin(text: string): Pin {
  const trimmed = text.trim();
  if (trimmed.startsWith("sha256/")) {
    let bytes: Uint8Array;
    try {
      bytes = Uint8Array.from(
        atob(trimmed.slice("sha256/".length)),
        (c) => c.charCodeAt(0),
      );
    } catch {
      throw new PinError(`pin ${text}: not base64 after "sha256/"`);
    }
    if (bytes.length !== 32) {
      throw new PinError(
        `pin ${text}: a SHA-256 digest is 32 bytes, this is ${bytes.length}`,
      );
    }
    return { kind: "spki", sha256: bytes };
  }
  const hex = trimmed.replaceAll(":", "");
  if (/^[0-9a-fA-F]{64}$/.test(hex)) {
    return {
      kind: "certificate",
      sha256: Uint8Array.from(
        hex.match(/../g)!,
        (pair) => parseInt(pair, 16),
      ),
    };
  }
  throw new PinError(
    `pin ${text}: expected sha256/BASE64 (public key) or 64 hex digits (certificate)`,
  );
}
