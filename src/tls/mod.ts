/**
 * TLS towards the ACS: the build-time profiles and what they allow, and
 * certificate/public-key pins.
 *
 * @example
 * ```ts
 * import { parsePin } from "./mod.ts";
 * console.log(parsePin("sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").kind); // "spki"
 * ```
 *
 * @module
 */
export * from "./pins.ts";
export * from "./pin_match.ts";
export * from "./profile.ts";
