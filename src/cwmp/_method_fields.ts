/**
 * The argument types the CWMP methods (`methods.ts`) share: lengths and
 * enumerations from the BBF schemas, and the structures several methods
 * carry.
 *
 * @module
 */
import type { CwmpNamespaceName } from "./namespaces.ts";
import {
  field,
  type Fields,
  optional,
  type RequiredField,
  type StringType,
  type StructType,
  t,
} from "./schema.ts";

/** A method's request and response arguments and where it was introduced. */
export interface MethodSpec {
  /** The oldest CWMP namespace whose schema defines the method. */
  readonly since: CwmpNamespaceName;
  /** Arguments of the request. */
  readonly request: Fields;
  /** Arguments of the response. */
  readonly response: Fields;
}

export const commandKey = t.string(32);
export const parameterKey = t.string(32);
export const path = t.string(256);
export const url256 = t.string(256);
export const fileType = t.string(64);
export const unsignedInt = t.unsignedInt();
export const status = t.int([0, 1]);
export const notification = t.int([0, 1, 2, 3, 4, 5, 6]);
export const transferState = t.int([1, 2, 3]);
// Real ACSes leave out empty credentials and names in transfer requests; the
// decoder fills in the empty value instead of faulting (the encoder always
// writes them, as the schema requires).
export const empty = { default: "" } as const;

export const accessList = t.stringArray(64);

export const parameterValueList = t.array(
  "ParameterValueStruct",
  "cwmp:ParameterValueStruct",
  t.parameterValueStruct(),
);

/** DeviceIdStruct: who the CPE is. */
export const DeviceIdStruct: StructType<{
  readonly manufacturer: RequiredField<StringType>;
  readonly oui: RequiredField<StringType>;
  readonly productClass: RequiredField<StringType>;
  readonly serialNumber: RequiredField<StringType>;
}> = t.struct({
  manufacturer: field("Manufacturer", t.string(64)),
  oui: field("OUI", t.string(6)),
  productClass: field("ProductClass", t.string(64)),
  serialNumber: field("SerialNumber", t.string(64)),
});

/** EventStruct: one event code with its CommandKey. */
export const EventStruct: StructType<{
  readonly eventCode: RequiredField<StringType>;
  readonly commandKey: RequiredField<StringType>;
}> = t.struct({
  eventCode: field("EventCode", t.string(64)),
  commandKey: field("CommandKey", commandKey),
});

export const transferCompleteFault = t.struct({
  faultCode: field("FaultCode", unsignedInt),
  faultString: field("FaultString", t.string(256)),
});

export const deploymentUnitFault = t.struct({
  faultCode: field("FaultCode", unsignedInt),
  faultString: optional("FaultString", t.string()),
});

export const opResultFields = {
  uuid: field("UUID", t.string(36)),
  deploymentUnitRef: field("DeploymentUnitRef", t.string()),
  version: field("Version", t.string(32)),
  currentState: field(
    "CurrentState",
    t.string(undefined, ["Installed", "Uninstalled", "Failed"]),
  ),
  resolved: field("Resolved", t.boolean()),
  executionUnitRefList: field("ExecutionUnitRefList", t.string()),
  startTime: field("StartTime", t.dateTime()),
  completeTime: field("CompleteTime", t.dateTime()),
  fault: field("Fault", deploymentUnitFault),
} as const;
