/**
 * The parameters the agent owns on every device — `ManagementServer.*`
 * with their types, constraints and factory defaults — and the TR-069 flags
 * (Forced Inform, active notification) that the protocol, not the vendor,
 * sets on parameters of the device's own data model.
 *
 * @module
 */
import type { ParameterDefinition } from "../datamodel/definitions.ts";
import { UNKNOWN_TIME } from "../datamodel/types.ts";

/** Store key of the agent-owned parameter values. */
export const AGENT_PARAMETERS_KEY = "agent-parameters";

/** An agent-owned parameter: a definition without its path, with a factory default. */
export type AgentParameterDefinition = Omit<ParameterDefinition, "path"> & {
  readonly default: string;
};

const uint = (min = 0, max?: number) => ({
  base: "unsignedInt" as const,
  ranges: [{ min, max }],
});

/**
 * ManagementServer parameters the agent owns (digest §14.1), with types and
 * factory defaults. The STUN ones join them only with a UDP port
 * (`stun_parameters.ts`); XMPP, lightweight notifications, alias addressing
 * and Kicked are not implemented, so their parameters are not advertised
 * (an ACS must not be told a feature exists that does not).
 */
export const MANAGEMENT_SERVER_PARAMETERS: Readonly<
  Record<string, AgentParameterDefinition>
> = {
  EnableCWMP: { type: { base: "boolean" }, writable: true, default: "true" },
  URL: {
    type: { base: "string", maxLength: 2048 },
    writable: true,
    default: "",
  },
  Username: {
    type: { base: "string", maxLength: 256 },
    writable: true,
    default: "",
  },
  Password: {
    type: { base: "string", maxLength: 256 },
    writable: true,
    hidden: true,
    default: "",
  },
  ScheduleReboot: {
    type: { base: "dateTime" },
    writable: true,
    default: UNKNOWN_TIME,
  },
  DelayReboot: {
    type: { base: "int", ranges: [{ min: -1 }] },
    writable: true,
    default: "-1",
  },
  PeriodicInformEnable: {
    type: { base: "boolean" },
    writable: true,
    default: "true",
  },
  PeriodicInformInterval: { type: uint(1), writable: true, default: "86400" },
  PeriodicInformTime: {
    type: { base: "dateTime" },
    writable: true,
    default: UNKNOWN_TIME,
  },
  ParameterKey: {
    type: { base: "string", maxLength: 32 },
    writable: false,
    forcedInform: true,
    activeNotify: "canDeny",
    default: "",
  },
  ConnectionRequestURL: {
    type: { base: "string", maxLength: 2048 },
    writable: false,
    forcedInform: true,
    activeNotify: "forceDefaultEnabled",
    default: "",
  },
  ConnectionRequestUsername: {
    type: { base: "string", maxLength: 256 },
    writable: true,
    default: "",
  },
  ConnectionRequestPassword: {
    type: { base: "string", maxLength: 256 },
    writable: true,
    hidden: true,
    default: "",
  },
  UpgradesManaged: {
    type: { base: "boolean" },
    writable: true,
    default: "false",
  },
  DefaultActiveNotificationThrottle: {
    type: uint(),
    writable: true,
    default: "0",
  },
  CWMPRetryMinimumWaitInterval: {
    type: uint(1, 65535),
    writable: true,
    default: "5",
  },
  CWMPRetryIntervalMultiplier: {
    type: uint(1000, 65535),
    writable: true,
    default: "2000",
  },
  HTTPConnectionRequestEnable: {
    type: { base: "boolean" },
    writable: true,
    default: "true",
  },
  InstanceWildcardsSupported: {
    type: { base: "boolean" },
    writable: false,
    default: "false",
  },
  // TR-069 §3.4.7 (src/transport/content_coding.ts): Compress (LZW) is
  // left out, as no ACS sends it and the platform has no codec for it.
  HTTPCompressionSupported: {
    type: { base: "string", list: true, enumeration: ["GZIP", "Deflate"] },
    writable: false,
    default: "GZIP,Deflate",
  },
  HTTPCompression: {
    type: { base: "string", enumeration: ["Disabled", "GZIP", "Deflate"] },
    writable: true,
    default: "Disabled",
  },
  SupportedConnReqMethods: {
    type: { base: "string", list: true, enumeration: ["HTTP", "STUN", "XMPP"] },
    writable: false,
    default: "HTTP",
  },
  // Which transfers the device made itself reach the ACS in an
  // AutonomousTransferComplete (TR-181 Device:2.0; off unless the ACS turns
  // it on, and then only for the file types it lists).
  "AutonomousTransferCompletePolicy.Enable": {
    type: { base: "boolean" },
    writable: true,
    default: "false",
  },
  "AutonomousTransferCompletePolicy.TransferTypeFilter": {
    type: { base: "string", enumeration: ["Upload", "Download", "Both"] },
    writable: true,
    default: "Both",
  },
  "AutonomousTransferCompletePolicy.ResultTypeFilter": {
    type: { base: "string", enumeration: ["Success", "Failure", "Both"] },
    writable: true,
    default: "Both",
  },
  "AutonomousTransferCompletePolicy.FileTypeFilter": {
    type: { base: "string", list: true, maxLength: 1024 },
    writable: true,
    default: "",
  },
};

/**
 * Agent-owned values that are found, not set: they are published again at
 * each start, and a stored copy (written along with the settings) is not
 * read back, so that a restart never shows the last run's address.
 */
export const PUBLISHED_PARAMETERS: ReadonlySet<string> = new Set([
  "ConnectionRequestURL",
  "UDPConnectionRequestAddress",
  "NATDetected",
]);

/**
 * TR-069 flags of device parameters (digest §4.3, §9.3): the agent applies
 * them whatever the adapter declares.
 */
const PROTOCOL_FLAGS: Readonly<Record<string, Partial<ParameterDefinition>>> = {
  "DeviceInfo.HardwareVersion": { forcedInform: true },
  "DeviceInfo.SoftwareVersion": {
    forcedInform: true,
    activeNotify: "forceEnabled",
  },
  "DeviceInfo.ProvisioningCode": {
    forcedInform: true,
    activeNotify: "forceEnabled",
  },
  "DeviceSummary": { forcedInform: true },
  "RootDataModelVersion": { forcedInform: true },
  // TR-098: every WAN connection's ExternalIPAddress starts with active
  // notification; the Inform carries the default connection's (inform.ts).
  "WANDevice.{i}.WANConnectionDevice.{i}.WANIPConnection.{i}.ExternalIPAddress":
    { activeNotify: "forceDefaultEnabled" },
  "WANDevice.{i}.WANConnectionDevice.{i}.WANPPPConnection.{i}.ExternalIPAddress":
    { activeNotify: "forceDefaultEnabled" },
  "DeviceInfo.SpecVersion": { forcedInform: true },
  "DeviceInfo.UpTime": { activeNotify: "canDeny" },
};

/** A definition of the device's data model with the flags the protocol sets on it. */
export function withProtocolFlags(
  root: string,
  definition: ParameterDefinition,
): ParameterDefinition {
  const relative = definition.path.slice(root.length + 1);
  const flags = PROTOCOL_FLAGS[relative];
  return flags ? { ...definition, ...flags } : definition;
}
