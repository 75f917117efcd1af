/**
 * Every CWMP method as data: its arguments, its response and the namespace
 * that introduced it. Element names, order, lengths and enumerations follow
 * the BBF schemas cwmp-1-0.xsd … cwmp-1-4.xsd.
 *
 * @module
 */
import { field, type FieldsOf, optional, repeated, t } from "./schema.ts";
import {
  accessList,
  commandKey,
  empty,
  fileType,
  type MethodSpec,
  notification,
  parameterKey,
  parameterValueList,
  path,
  status,
  transferState,
  unsignedInt,
  url256,
} from "./_method_fields.ts";
import type { ACS_METHODS } from "./acs_methods.ts";

export {
  DeviceIdStruct,
  EventStruct,
  type MethodSpec,
} from "./_method_fields.ts";
export { ACS_METHODS } from "./acs_methods.ts";

/** The arguments and responses of the RPCs an ACS calls on a CPE. */
export const CPE_METHODS = {
  GetRPCMethods: {
    since: "1-0",
    request: {},
    response: {
      methodList: field("MethodList", t.stringArray(64, { min: 1 })),
    },
  },
  SetParameterValues: {
    since: "1-0",
    request: {
      parameterList: field("ParameterList", parameterValueList),
      parameterKey: field("ParameterKey", parameterKey),
    },
    response: { status: field("Status", status) },
  },
  GetParameterValues: {
    since: "1-0",
    request: {
      parameterNames: field("ParameterNames", t.stringArray(256, { min: 1 })),
    },
    response: { parameterList: field("ParameterList", parameterValueList) },
  },
  GetParameterNames: {
    since: "1-0",
    request: {
      parameterPath: field("ParameterPath", path),
      nextLevel: field("NextLevel", t.boolean()),
    },
    response: {
      parameterList: field(
        "ParameterList",
        t.array(
          "ParameterInfoStruct",
          "cwmp:ParameterInfoStruct",
          t.struct({
            name: field("Name", path),
            writable: field("Writable", t.boolean()),
          }),
        ),
      ),
    },
  },
  SetParameterAttributes: {
    since: "1-0",
    request: {
      parameterList: field(
        "ParameterList",
        t.array(
          "SetParameterAttributesStruct",
          "cwmp:SetParameterAttributesStruct",
          t.struct({
            name: field("Name", path),
            notificationChange: field("NotificationChange", t.boolean()),
            // GenieACS sends <Notification></Notification> with
            // NotificationChange false (an access-list-only change): a value
            // whose Change flag is false is ignored, as the spec says.
            notification: field("Notification", notification, {
              onlyWhen: "notificationChange",
            }),
            accessListChange: field("AccessListChange", t.boolean()),
            accessList: field("AccessList", accessList, {
              onlyWhen: "accessListChange",
            }),
          }),
          { min: 1 },
        ),
      ),
    },
    response: {},
  },
  GetParameterAttributes: {
    since: "1-0",
    request: {
      parameterNames: field("ParameterNames", t.stringArray(256, { min: 1 })),
    },
    response: {
      parameterList: field(
        "ParameterList",
        t.array(
          "ParameterAttributeStruct",
          "cwmp:ParameterAttributeStruct",
          t.struct({
            name: field("Name", path),
            notification: field("Notification", notification),
            accessList: field("AccessList", accessList),
          }),
        ),
      ),
    },
  },
  AddObject: {
    since: "1-0",
    request: {
      objectName: field("ObjectName", path),
      parameterKey: field("ParameterKey", parameterKey),
    },
    response: {
      instanceNumber: field("InstanceNumber", t.unsignedInt(undefined, 1)),
      status: field("Status", status),
    },
  },
  DeleteObject: {
    since: "1-0",
    request: {
      objectName: field("ObjectName", path),
      parameterKey: field("ParameterKey", parameterKey),
    },
    response: { status: field("Status", status) },
  },
  Reboot: {
    since: "1-0",
    request: { commandKey: field("CommandKey", commandKey) },
    response: {},
  },
  Download: {
    since: "1-0",
    request: {
      commandKey: field("CommandKey", commandKey),
      fileType: field("FileType", fileType),
      url: field("URL", url256),
      username: field("Username", t.string(256), empty),
      password: field("Password", t.string(256), empty),
      fileSize: field("FileSize", unsignedInt, { default: "0" }),
      targetFileName: field("TargetFileName", t.string(256), empty),
      delaySeconds: field("DelaySeconds", unsignedInt),
      successUrl: field("SuccessURL", url256, empty),
      failureUrl: field("FailureURL", url256, empty),
    },
    response: {
      status: field("Status", status),
      startTime: field("StartTime", t.dateTime()),
      completeTime: field("CompleteTime", t.dateTime()),
    },
  },
  Upload: {
    since: "1-0",
    request: {
      commandKey: field("CommandKey", commandKey),
      fileType: field("FileType", fileType),
      url: field("URL", url256),
      username: field("Username", t.string(256), empty),
      password: field("Password", t.string(256), empty),
      delaySeconds: field("DelaySeconds", unsignedInt),
    },
    response: {
      status: field("Status", status),
      startTime: field("StartTime", t.dateTime()),
      completeTime: field("CompleteTime", t.dateTime()),
    },
  },
  FactoryReset: { since: "1-0", request: {}, response: {} },
  GetQueuedTransfers: {
    since: "1-0",
    request: {},
    response: {
      transferList: field(
        "TransferList",
        t.array(
          "QueuedTransferStruct",
          "cwmp:QueuedTransferStruct",
          t.struct({
            commandKey: field("CommandKey", commandKey),
            state: field("State", transferState),
          }),
          { max: 16 },
        ),
      ),
    },
  },
  GetAllQueuedTransfers: {
    since: "1-1",
    request: {},
    response: {
      transferList: field(
        "TransferList",
        t.array(
          "AllQueuedTransferStruct",
          "cwmp:AllQueuedTransferStruct",
          t.struct({
            commandKey: field("CommandKey", commandKey),
            state: field("State", transferState),
            isDownload: field("IsDownload", t.boolean()),
            fileType: field("FileType", fileType),
            fileSize: field("FileSize", unsignedInt),
            targetFileName: field("TargetFileName", t.string(256)),
          }),
          { max: 16 },
        ),
      ),
    },
  },
  ScheduleInform: {
    since: "1-0",
    request: {
      delaySeconds: field("DelaySeconds", unsignedInt),
      commandKey: field("CommandKey", commandKey),
    },
    response: {},
  },
  SetVouchers: {
    since: "1-0",
    request: {
      voucherList: field(
        "VoucherList",
        t.array("base64", "soap-enc:base64", t.base64(), { min: 1 }),
      ),
    },
    response: {},
  },
  GetOptions: {
    since: "1-0",
    request: { optionName: field("OptionName", t.string(64)) },
    response: {
      optionList: field(
        "OptionList",
        t.array(
          "OptionStruct",
          "cwmp:OptionStruct",
          t.struct({
            optionName: field("OptionName", t.string(64)),
            voucherSn: field("VoucherSN", unsignedInt),
            state: field("State", t.unsignedInt([0, 1, 2, 3])),
            mode: field("Mode", t.int([0, 1, 2])),
            startDate: field("StartDate", t.dateTime()),
            expirationDate: optional("ExpirationDate", t.dateTime()),
            isTransferable: field("IsTransferable", t.int([0, 1])),
          }),
        ),
      ),
    },
  },
  ScheduleDownload: {
    since: "1-2",
    request: {
      commandKey: field("CommandKey", commandKey),
      fileType: field("FileType", fileType),
      url: field("URL", url256),
      username: field("Username", t.string(256), empty),
      password: field("Password", t.string(256), empty),
      fileSize: field("FileSize", unsignedInt, { default: "0" }),
      targetFileName: field("TargetFileName", t.string(256), empty),
      timeWindowList: field(
        "TimeWindowList",
        t.array(
          "TimeWindowStruct",
          "cwmp:TimeWindowStruct",
          t.struct({
            windowStart: field("WindowStart", unsignedInt),
            windowEnd: field("WindowEnd", unsignedInt),
            windowMode: field("WindowMode", t.string(64)),
            userMessage: field("UserMessage", t.string(256), empty),
            maxRetries: field("MaxRetries", t.int()),
          }),
          { min: 1, max: 2 },
        ),
      ),
    },
    response: {},
  },
  CancelTransfer: {
    since: "1-2",
    request: { commandKey: field("CommandKey", commandKey) },
    response: {},
  },
  ChangeDUState: {
    since: "1-2",
    request: {
      operations: repeated(
        "Operations",
        t.choice({
          InstallOpStruct: {
            url: field("URL", t.string(1024)),
            uuid: optional("UUID", t.string(36)),
            username: optional("Username", t.string(256)),
            password: optional("Password", t.string(256)),
            executionEnvRef: optional("ExecutionEnvRef", t.string(256)),
          },
          UpdateOpStruct: {
            uuid: optional("UUID", t.string(36)),
            version: optional("Version", t.string(32)),
            url: optional("URL", t.string(1024)),
            username: optional("Username", t.string(256)),
            password: optional("Password", t.string(256)),
          },
          UninstallOpStruct: {
            uuid: field("UUID", t.string(36)),
            version: optional("Version", t.string(32)),
            executionEnvRef: optional("ExecutionEnvRef", t.string(256)),
          },
        }),
        1,
      ),
      commandKey: optional("CommandKey", commandKey),
    },
    response: {},
  },
} as const satisfies Record<string, MethodSpec>;

/** Names of the RPCs an ACS calls on a CPE. */
export type CpeMethod = keyof typeof CPE_METHODS;
/** Names of the RPCs a CPE calls on an ACS. */
export type AcsMethod = keyof typeof ACS_METHODS;

/** Arguments of a request an ACS sends to a CPE (a CPE method's request). */
export type AcsRequestArgs<M extends CpeMethod> = FieldsOf<
  typeof CPE_METHODS[M]["request"]
>;
/** Arguments of a CPE's response to an ACS request. */
export type CpeResponseArgs<M extends CpeMethod> = FieldsOf<
  typeof CPE_METHODS[M]["response"]
>;
/** Arguments of a request a CPE sends to an ACS (an ACS method's request). */
export type CpeRequestArgs<M extends AcsMethod> = FieldsOf<
  typeof ACS_METHODS[M]["request"]
>;
/** Arguments of an ACS's response to a CPE request. */
export type AcsResponseArgs<M extends AcsMethod> = FieldsOf<
  typeof ACS_METHODS[M]["response"]
>;
