/**
 * Every response and fault the RPC handlers produce validates against the
 * official XSDs, in each CWMP namespace.
 */
import assert from "node:assert/strict";
import {
  type AcsRequest,
  CPE_METHODS,
  type CwmpNamespaceName,
  encodeCpeMessage,
  handleRequest,
  namespaceIncludes,
} from "../../mod.ts";
import { cpeBodyFor } from "../../src/session/namespace_forms.ts";
import { validateEnvelopes, xsdTestOptions } from "../_helpers/bbf.ts";
import { simContext } from "../_helpers/device.ts";

const spa = (name: string, notification: number) => ({
  name,
  notificationChange: true,
  notification,
  accessListChange: true,
  accessList: ["Subscriber"],
});

const REQUESTS: [string, unknown][] = [
  ["GetRPCMethods", {}],
  ["GetParameterNames", { parameterPath: "", nextLevel: false }],
  ["GetParameterNames", { parameterPath: "Device.", nextLevel: true }],
  ["GetParameterNames", {
    parameterPath: "Device.DeviceInfo.SerialNumber",
    nextLevel: true,
  }],
  ["GetParameterNames", { parameterPath: "Device.Nope.", nextLevel: false }],
  ["GetParameterValues", { parameterNames: [""] }],
  ["GetParameterValues", { parameterNames: ["Device.Nope"] }],
  ["SetParameterValues", {
    parameterList: [{ name: "Device.Time.NTPServer1", value: "ntp <&> é" }],
    parameterKey: "k1",
  }],
  [
    "SetParameterValues",
    {
      parameterList: [
        { name: "Device.Nope", value: "1" },
        { name: "Device.WiFi.Radio.1.Enable", value: "maybe" },
        { name: "Device.WiFi.Radio.1.Channel", value: "999" },
        { name: "Device.DeviceInfo.SerialNumber", value: "x" },
      ],
      parameterKey: "k2",
    },
  ],
  ["SetParameterValues", {
    parameterList: [{ name: "Device.Time.NTPServer1", value: "a" }, {
      name: "Device.Time.NTPServer1",
      value: "b",
    }],
    parameterKey: "",
  }],
  ["SetParameterAttributes", { parameterList: [spa("Device.Time.", 1)] }],
  ["SetParameterAttributes", {
    parameterList: [spa("Device.DeviceInfo.UpTime", 2)],
  }],
  ["GetParameterAttributes", {
    parameterNames: ["Device.Time.", "Device.DeviceInfo."],
  }],
  ["GetParameterAttributes", { parameterNames: ["Device.Nope."] }],
  ["AddObject", { objectName: "Device.IP.Interface.", parameterKey: "add" }],
  ["AddObject", { objectName: "Device.DeviceInfo.", parameterKey: "" }],
  ["AddObject", { objectName: "Device.DNS.Client.Server.", parameterKey: "" }],
  ["AddObject", { objectName: "Device.DNS.Client.Server.", parameterKey: "" }],
  ["AddObject", { objectName: "Device.DNS.Client.Server.", parameterKey: "" }],
  ["DeleteObject", {
    objectName: "Device.IP.Interface.3.",
    parameterKey: "del",
  }],
  ["DeleteObject", {
    objectName: "Device.IP.Interface.3.",
    parameterKey: "del",
  }],
  ["ScheduleInform", { delaySeconds: 60, commandKey: "si" }],
  ["ScheduleInform", { delaySeconds: 0, commandKey: "si" }],
  ["Reboot", { commandKey: "rb" }],
  ["FactoryReset", {}],
  ["ChangeDUState", {}],
  ["Download", {
    commandKey: "fw",
    fileType: "1 Firmware Upgrade Image",
    url: "https://files.example.net/fw.bin",
    username: "",
    password: "",
    fileSize: 1000,
    targetFileName: "",
    delaySeconds: 3600,
    successUrl: "",
    failureUrl: "",
  }],
  ["Download", {
    commandKey: "ftp",
    fileType: "2 Web Content",
    url: "ftp://files.example.net/ui.tar",
    username: "",
    password: "",
    fileSize: 0,
    targetFileName: "",
    delaySeconds: 0,
    successUrl: "",
    failureUrl: "",
  }],
  ["Upload", {
    commandKey: "cfg",
    fileType: "3 Vendor Configuration File 1",
    url: "https://files.example.net/up/cfg",
    username: "u",
    password: "p",
    delaySeconds: 3600,
  }],
  ["ScheduleDownload", {
    commandKey: "night",
    fileType: "X 00D09E Bootloader",
    url: "https://files.example.net/bl.bin",
    username: "",
    password: "",
    fileSize: 0,
    targetFileName: "bl.bin",
    timeWindowList: [{
      windowStart: 3600,
      windowEnd: 7200,
      windowMode: "2 Immediately",
      userMessage: "",
      maxRetries: 2,
    }],
  }],
  ["GetQueuedTransfers", {}],
  ["GetAllQueuedTransfers", {}],
  ["CancelTransfer", { commandKey: "none" }],
  ["CancelTransfer", { commandKey: "night" }],
];

Deno.test(
  "every RPC response and fault validates against the XSDs in cwmp-1-0, 1-1 and 1-2",
  xsdTestOptions(),
  async () => {
    const context = await simContext();
    const messages = new Map<string, string>();
    const faultCodes = new Set<number>();
    for (const [i, [method, args]] of REQUESTS.entries()) {
      const { body } = await handleRequest(
        { kind: "request", method, args } as AcsRequest,
        context,
      );
      if (body.kind === "fault") faultCodes.add(body.faultCode);
      const since = (CPE_METHODS as Record<string, { since: string }>)[method]
        ?.since ?? "1-0";
      for (const namespace of ["1-0", "1-1", "1-2"] as CwmpNamespaceName[]) {
        // A method newer than the namespace is refused before it is handled.
        if (!namespaceIncludes(namespace, since as CwmpNamespaceName)) continue;
        messages.set(
          `${i} ${method} cwmp-${namespace}`,
          encodeCpeMessage({
            namespace,
            header: { id: `r${i}` },
            body: cpeBodyFor(namespace, body),
          }),
        );
      }
    }
    assert.deepStrictEqual([...faultCodes].sort(), [
      9000,
      9003,
      9004,
      9005,
      9009,
      9013,
    ]);
    const results = await validateEnvelopes(messages);
    const failures = [...results].filter(([, r]) => !r.valid);
    assert.deepStrictEqual(
      failures.map(([name, r]) => `${name}: ${r.errors.join(" | ")}`),
      [],
    );
  },
);
