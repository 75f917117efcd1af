/**
 * `agent decode`: shows how the agent reads a CWMP message.
 *
 * @module
 */
import { decodeAcsMessage, decodeCpeMessage } from "../cwmp/decode.ts";
import { CwmpFault } from "../cwmp/faults.ts";
import { DEFAULT_DECODE_LIMITS } from "../cwmp/limits.ts";
import type { AcsMessage, CpeMessage } from "../cwmp/messages.ts";
import { type CommandIo, parseCommand, readSource } from "./io.ts";

/** Help text of `agent decode`. */
export const DECODE_USAGE =
  `Usage: agent decode [--from acs|cpe] [--max-bytes N] FILE|-

Decodes one CWMP SOAP message (from FILE, or standard input with -) and
prints it as JSON: namespace, header, kind, method and arguments.

  --from acs     the message was sent by an ACS (default): requests for the
                 CPE, responses to CPE requests, ACS faults
  --from cpe     the message was sent by a CPE: Inform, responses, CPE faults
  --max-bytes N  reject bodies larger than N bytes (default ${DEFAULT_DECODE_LIMITS.maxBytes})

Exit status: 0 decoded; 2 rejected (the JSON names the CWMP fault code, the
reason and the HTTP status a server would answer with); 1 usage error.
`;

/**
 * Runs `agent decode` with its arguments.
 *
 * @example
 * ```ts
 * import { decodeCommand } from "./decode.ts";
 * const out: string[] = [];
 * const code = await decodeCommand(["-"], {
 *   readFile: () => Promise.reject(new Error("unused")),
 *   stdin: new Blob([""]).stream(),
 *   stdout: (t) => out.push(t),
 *   stderr: (t) => out.push(t),
 * });
 * console.log(code, out.join("")); // 0 {"kind":"empty",...}
 * ```
 */
export async function decodeCommand(
  args: readonly string[],
  io: CommandIo,
): Promise<number> {
  const parsed = parseCommand("decode", DECODE_USAGE, args, {
    from: { type: "string", default: "acs" },
    "max-bytes": { type: "string" },
  }, io);
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    io.stderr(`agent decode: expected one FILE or -\n\n${DECODE_USAGE}`);
    return 1;
  }
  if (values.from !== "acs" && values.from !== "cpe") {
    io.stderr(`agent decode: --from must be acs or cpe, got ${values.from}\n`);
    return 1;
  }
  const maxBytes = values["max-bytes"] === undefined
    ? DEFAULT_DECODE_LIMITS.maxBytes
    : Number(values["max-bytes"]);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    io.stderr(`agent decode: --max-bytes must be a positive integer\n`);
    return 1;
  }

  const source = positionals[0];
  let input: Uint8Array;
  try {
    input = await readSource(source, io, maxBytes);
  } catch (error) {
    io.stderr(
      `agent decode: cannot read ${source}: ${(error as Error).message}\n`,
    );
    return 1;
  }

  try {
    const decode = values.from === "acs" ? decodeAcsMessage : decodeCpeMessage;
    io.stdout(
      JSON.stringify(
        describe(decode(input, { limits: { maxBytes } })),
        null,
        2,
      ) + "\n",
    );
    return 0;
  } catch (error) {
    if (!(error instanceof CwmpFault)) throw error;
    io.stdout(
      JSON.stringify(
        {
          rejected: true,
          fault: error.code,
          reason: error.reason ?? null,
          message: error.message,
          httpStatus: error.httpStatus,
          method: error.method ?? null,
          id: error.requestId ?? null,
        },
        null,
        2,
      ) + "\n",
    );
    return 2;
  }
}

function describe(message: AcsMessage | CpeMessage): Record<string, unknown> {
  const { namespace, header, body } = message;
  const base = {
    namespace: namespace ? `cwmp-${namespace}` : null,
    header,
    kind: body.kind,
  };
  switch (body.kind) {
    case "empty":
      return base;
    case "fault":
      return {
        ...base,
        fault: {
          code: body.faultCode,
          string: body.faultString,
          parameterFaults: body.parameterFaults,
        },
      };
    default:
      return { ...base, method: body.method, arguments: body.args };
  }
}
