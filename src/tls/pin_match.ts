/**
 * Matching pins against a certificate chain. It parses certificates with
 * node:crypto, so it is imported only by the node:tls transport (and by
 * tools): an agent that pins nothing never loads it.
 *
 * @module
 */
import { createHash, X509Certificate } from "node:crypto";
import type { Pin } from "./pins.ts";

/**
 * The pin of a DER certificate's public key, in the `sha256/BASE64` spelling.
 *
 * @example
 * ```ts
 * import { spkiPin } from "./pin_match.ts";
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
 * import { chainMatchesPins } from "./pin_match.ts";
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
