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
 * @module
 */
import { createHash, X509Certificate } from "node:crypto";

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

/**
 * The pin of a DER certificate's public key, in the `sha256/BASE64` spelling.
 *
 * @example
 * ```ts
 * import { spkiPin } from "./pins.ts";
 * const der = new Uint8Array(); // a certificate's DER bytes
 * // console.log(spkiPin(der)); // "sha256/…"
 * ```
 */
export function spkiPin(der: Uint8Array): string {
  return `sha256/${btoa(String.fromCharCode(...digests(der).spki))}`;
}

function digests(
  der: Uint8Array,
): { spki: Uint8Array; certificate: Uint8Array } {
  const certificate = new X509Certificate(der);
  const spki = certificate.publicKey.export({ type: "spki", format: "der" });
  return {
    spki: new Uint8Array(createHash("sha256").update(spki).digest()),
    certificate: new Uint8Array(createHash("sha256").update(der).digest()),
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

/**
 * Whether some certificate of a chain (DER, leaf first) matches some pin.
 * An empty pin list matches every chain: pinning is off. A certificate that
 * cannot be parsed matches nothing.
 *
 * @example
 * ```ts
 * import { chainMatchesPins } from "./pins.ts";
 * console.log(chainMatchesPins([], [])); // true
 * ```
 */
export function chainMatchesPins(
  chain: readonly Uint8Array[],
  pins: readonly Pin[],
): boolean {
  if (pins.length === 0) return true;
  for (const der of chain) {
    let digest: { spki: Uint8Array; certificate: Uint8Array };
    try {
      digest = digests(der);
    } catch {
      continue;
    }
    for (const pin of pins) {
      if (
        sameBytes(
          pin.sha256,
          digest[pin.kind === "spki" ? "spki" : "certificate"],
        )
      ) {
        return true;
      }
    }
  }
  return false;
}
