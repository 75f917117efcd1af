/**
 * The ManagementServer parameters of connection requests through a NAT
 * (TR-069 Annex G; TR-181 Device:2.19), advertised only by an agent that has
 * a UDP Connection Request port: an ACS must not be told of a way to reach
 * the device that does not exist.
 *
 * @module
 */
import {
  type AgentParameterDefinition,
  MANAGEMENT_SERVER_PARAMETERS,
} from "./management_server_parameters.ts";

const text = (maxLength: number) => ({
  base: "string" as const,
  maxLength,
});

/** The Annex G parameters, with their types and factory values. */
export const STUN_PARAMETERS: Readonly<
  Record<string, AgentParameterDefinition>
> = {
  // Published by the agent: the local address and port while STUN is off,
  // the public mapping STUN found while it is on. Active notification may
  // be set: it is how the ACS learns of a new mapping (Annex G.2.2).
  UDPConnectionRequestAddress: {
    type: text(256),
    writable: false,
    default: "",
  },
  STUNEnable: { type: { base: "boolean" }, writable: true, default: "false" },
  // Empty: the host of the ACS URL.
  STUNServerAddress: { type: text(256), writable: true, default: "" },
  STUNServerPort: {
    type: { base: "unsignedInt", ranges: [{ min: 0, max: 65535 }] },
    writable: true,
    default: "3478",
  },
  // Empty: Binding Requests never carry MESSAGE-INTEGRITY.
  STUNUsername: { type: text(256), writable: true, default: "" },
  STUNPassword: {
    type: text(256),
    writable: true,
    hidden: true,
    default: "",
  },
  STUNMaximumKeepAlivePeriod: {
    type: { base: "int", ranges: [{ min: -1 }] },
    writable: true,
    default: "-1",
  },
  STUNMinimumKeepAlivePeriod: {
    type: { base: "unsignedInt", ranges: [{ min: 0 }] },
    writable: true,
    default: "30",
  },
  NATDetected: {
    type: { base: "boolean" },
    writable: false,
    default: "false",
  },
};

/**
 * The agent-owned ManagementServer table: the base one, and with `stun` the
 * Annex G parameters and `STUN` among SupportedConnReqMethods (and, under
 * an `InternetGatewayDevice` root, UDPConnectionRequestAddressNotificationLimit).
 *
 * @example
 * ```ts
 * import { managementServerTable } from "./stun_parameters.ts";
 * console.log(managementServerTable({ stun: true }).SupportedConnReqMethods.default); // "HTTP,STUN"
 * ```
 */
export function managementServerTable(
  options: { readonly stun?: boolean; readonly root?: string },
): Readonly<Record<string, AgentParameterDefinition>> {
  if (!options.stun) return MANAGEMENT_SERVER_PARAMETERS;
  return {
    ...MANAGEMENT_SERVER_PARAMETERS,
    SupportedConnReqMethods: {
      ...MANAGEMENT_SERVER_PARAMETERS.SupportedConnReqMethods,
      default: "HTTP,STUN",
    },
    ...STUN_PARAMETERS,
    // TR-098 has it; Device:2 dropped it (not in 2.19).
    ...(options.root === "InternetGatewayDevice"
      ? {
        UDPConnectionRequestAddressNotificationLimit: {
          type: { base: "unsignedInt", ranges: [{ min: 0 }] },
          writable: true,
          default: "0",
        },
      }
      : {}),
  };
}
