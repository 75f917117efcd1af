/**
 * The methods a CPE calls on the ACS (Inform, TransferComplete, …) as
 * data, like the ACS's methods in `methods.ts`.
 *
 * @module
 */
import { field, optional, repeated, t } from "./schema.ts";
import {
  commandKey,
  DeviceIdStruct,
  EventStruct,
  fileType,
  type MethodSpec,
  opResultFields,
  parameterValueList,
  transferCompleteFault,
  unsignedInt,
} from "./_method_fields.ts";

/** The RPCs an ACS calls on a CPE, and a CPE on an ACS. */
export const ACS_METHODS = {
  Inform: {
    since: "1-0",
    request: {
      deviceId: field("DeviceId", DeviceIdStruct),
      event: field(
        "Event",
        t.array("EventStruct", "cwmp:EventStruct", EventStruct, { max: 64 }),
      ),
      maxEnvelopes: field("MaxEnvelopes", unsignedInt),
      currentTime: field("CurrentTime", t.dateTime()),
      retryCount: field("RetryCount", unsignedInt),
      parameterList: field("ParameterList", parameterValueList),
    },
    response: { maxEnvelopes: field("MaxEnvelopes", unsignedInt) },
  },
  TransferComplete: {
    since: "1-0",
    request: {
      commandKey: field("CommandKey", commandKey),
      faultStruct: field("FaultStruct", transferCompleteFault),
      startTime: field("StartTime", t.dateTime()),
      completeTime: field("CompleteTime", t.dateTime()),
    },
    response: {},
  },
  AutonomousTransferComplete: {
    since: "1-1",
    request: {
      announceUrl: field("AnnounceURL", t.string(1024)),
      transferUrl: field("TransferURL", t.string(1024)),
      isDownload: field("IsDownload", t.boolean()),
      fileType: field("FileType", fileType),
      fileSize: field("FileSize", unsignedInt),
      targetFileName: field("TargetFileName", t.string(256)),
      faultStruct: field("FaultStruct", transferCompleteFault),
      startTime: field("StartTime", t.dateTime()),
      completeTime: field("CompleteTime", t.dateTime()),
    },
    response: {},
  },
  RequestDownload: {
    since: "1-0",
    request: {
      fileType: field("FileType", fileType),
      fileTypeArg: field(
        "FileTypeArg",
        t.array(
          "ArgStruct",
          "cwmp:ArgStruct",
          t.struct({
            name: field("Name", t.string(64)),
            value: field("Value", t.string(256)),
          }),
          { max: 16 },
        ),
      ),
    },
    response: {},
  },
  Kicked: {
    since: "1-0",
    request: {
      command: field("Command", t.string(32)),
      referer: field("Referer", t.string(64)),
      arg: field("Arg", t.string(256)),
      next: field("Next", t.string(1024)),
    },
    response: { nextUrl: field("NextURL", t.string(1024)) },
  },
  GetRPCMethods: {
    since: "1-0",
    request: {},
    response: {
      methodList: field("MethodList", t.stringArray(64, { min: 1 })),
    },
  },
  DUStateChangeComplete: {
    since: "1-2",
    request: {
      results: repeated("Results", t.struct(opResultFields), 1),
      commandKey: optional("CommandKey", commandKey),
    },
    response: {},
  },
  AutonomousDUStateChangeComplete: {
    since: "1-2",
    request: {
      results: repeated(
        "Results",
        t.struct({
          ...opResultFields,
          operationPerformed: field("OperationPerformed", t.string()),
        }),
        1,
      ),
    },
    response: {},
  },
} as const satisfies Record<string, MethodSpec>;
