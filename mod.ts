/**
 * cwmp-agent: a TLS-first TR-069 (CWMP) agent for customer premises equipment.
 *
 * This module re-exports the public API: the CWMP message layer
 * (`src/cwmp/`), the data-model engine (`src/datamodel/`), device adapters
 * and their contract suite (`src/device/`), the agent-owned parameters and
 * state (`src/agent/`) and the RPC handlers (`src/rpc/`).
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
export * from "./src/datamodel/mod.ts";
export * from "./src/device/mod.ts";
export * from "./src/agent/mod.ts";
export * from "./src/rpc/mod.ts";
