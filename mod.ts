/**
 * cwmp-agent: a TLS-first TR-069 (CWMP) agent for customer premises equipment.
 *
 * This module re-exports the public API. Today that is the CWMP message layer
 * (`src/cwmp/`): typed messages, the SOAP codec and CWMP faults.
 *
 * @example
 * ```ts
 * import { CwmpFault, decodeAcsMessage } from "./mod.ts";
 * try {
 *   decodeAcsMessage("<not-soap/>");
 * } catch (error) {
 *   if (error instanceof CwmpFault) console.log(error.code, error.reason); // 9003 "not_envelope"
 * }
 * ```
 *
 * @module
 */
export * from "./src/cwmp/mod.ts";
