/**
 * cwmp-agent: a TLS-first TR-069 (CWMP) agent for customer premises equipment.
 *
 * This module re-exports the public API: the CWMP message layer
 * (`src/cwmp/`), the data-model engine (`src/datamodel/`), device adapters
 * and their contract suite (`src/device/`), the agent-owned parameters and
 * state and the agent runtime (`src/agent/`), the RPC handlers (`src/rpc/`),
 * the session engine (`src/session/`), HTTP towards the ACS
 * (`src/transport/`), TLS profiles and pins (`src/tls/`), the connection-request listener (`src/connreq/`) and
 * the fixture ACS for testing devices (`src/acs/`).
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
export * from "./src/state/mod.ts";
export * from "./src/datamodel/mod.ts";
export * from "./src/device/mod.ts";
export * from "./src/management/mod.ts";
export * from "./src/agent/mod.ts";
export * from "./src/rpc/mod.ts";
export * from "./src/session/mod.ts";
export * from "./src/transport/mod.ts";
export * from "./src/tls/mod.ts";
export * from "./src/connreq/mod.ts";
export * from "./src/nat/mod.ts";
export * from "./src/transfer/mod.ts";
export * from "./src/local/mod.ts";
export * from "./src/acs/fixture.ts";
export * from "./src/acs/file_server.ts";
export * from "./src/acs/stun_server.ts";
export * from "./src/acs/xsd.ts";
export * from "./src/codegen/mod.ts";
