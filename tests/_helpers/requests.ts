/** ACS requests that tests script into the fixture ACS. */
import type { AcsRequest } from "../../src/cwmp/messages.ts";
import type { AcsRequestArgs } from "../../src/cwmp/methods.ts";

/** SetParameterValues of `[name, value]` pairs. */
export function spv(
  pairs: readonly (readonly [string, string])[],
  parameterKey = "",
): AcsRequest {
  return {
    kind: "request",
    method: "SetParameterValues",
    args: {
      parameterList: pairs.map(([name, value]) => ({ name, value })),
      parameterKey,
    },
  };
}

/** GetParameterValues of `names`. */
export function gpv(...names: string[]): AcsRequest {
  return {
    kind: "request",
    method: "GetParameterValues",
    args: { parameterNames: names },
  };
}

/** SetParameterAttributes turning `name`'s notification to `notification`. */
export function spa(name: string, notification: number): AcsRequest {
  return {
    kind: "request",
    method: "SetParameterAttributes",
    args: {
      parameterList: [{
        name,
        notificationChange: true,
        notification,
        accessListChange: false,
        accessList: [],
      }],
    },
  };
}

/** ScheduleInform `delaySeconds` from now. */
export function scheduleInform(
  delaySeconds: number,
  commandKey: string,
): AcsRequest {
  return {
    kind: "request",
    method: "ScheduleInform",
    args: { delaySeconds, commandKey },
  };
}

/** Reboot with `commandKey`. */
export function reboot(commandKey: string): AcsRequest {
  return { kind: "request", method: "Reboot", args: { commandKey } };
}

/** Download of `url` with `commandKey` (the other arguments as GenieACS leaves them). */
export function download(
  commandKey: string,
  fileType: string,
  url: string,
  more: Partial<AcsRequestArgs<"Download">> = {},
): AcsRequest {
  return {
    kind: "request",
    method: "Download",
    args: {
      commandKey,
      fileType,
      url,
      username: "",
      password: "",
      fileSize: 0,
      targetFileName: "",
      delaySeconds: 0,
      successUrl: "",
      failureUrl: "",
      ...more,
    },
  };
}

/**
 * A simulated firmware image of `version` (`boot: fail` when it must not
 * come up; `applyMs`: how long writing it to flash takes).
 */
export function firmwareImage(
  version: string,
  boots = true,
  applyMs = 0,
): Uint8Array {
  return new TextEncoder().encode(
    `CWMP-SIM-FIRMWARE 1\nversion: ${version}\nboot: ${
      boots ? "ok" : "fail"
    }\napply-ms: ${applyMs}\n\n${"payload ".repeat(4096)}`,
  );
}
