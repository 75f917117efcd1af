/**
 * Access to the Broadband Forum schemas in ../shared/bbf and the
 * "Validating a message" recipe of its README: xmllint with the offline
 * catalog, plus the check that every Header/Body child is in a namespace a
 * schema covers (lax content in other namespaces would pass unchecked).
 */
import { DOMParser } from "@xmldom/xmldom";
import { fileURLToPath } from "node:url";

/** ../shared/bbf next to the repository, or CWMP_BBF_DIR. */
export const BBF_DIR: string = Deno.env.get("CWMP_BBF_DIR") ??
  fileURLToPath(new URL("../../../shared/bbf", import.meta.url));

const VALIDATED_NAMESPACES = new Set([
  "urn:dslforum-org:cwmp-1-0",
  "urn:dslforum-org:cwmp-1-1",
  "urn:dslforum-org:cwmp-1-2",
  "http://schemas.xmlsoap.org/soap/envelope/",
]);

/**
 * Why schema validation cannot run here (no xmllint, no ../shared/bbf), or
 * undefined when it can. On a machine with only Node.js the XSD tests are
 * skipped with this reason printed; under CI (CI set) they run and fail
 * instead, since .ci/run installs xmllint.
 */
export function xsdUnavailable(): string | undefined {
  try {
    Deno.statSync(`${BBF_DIR}/validate/cwmp-envelope.xsd`);
  } catch {
    return `the Broadband Forum schemas are not at ${BBF_DIR} (set CWMP_BBF_DIR)`;
  }
  try {
    new Deno.Command("xmllint", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
  } catch {
    return "xmllint is not installed (Debian: apt-get install libxml2-utils)";
  }
  return undefined;
}

/** Options for Deno.test that skip, with the reason printed, when validation cannot run. */
export function xsdTestOptions(): { ignore: boolean } {
  const reason = xsdUnavailable();
  const skip = reason !== undefined && !Deno.env.get("CI");
  if (skip) console.warn(`XSD validation tests skipped: ${reason}`);
  return { ignore: skip };
}

/** The result of validating one message. */
export interface Validation {
  readonly valid: boolean;
  /** xmllint's and the namespace check's complaints about this message. */
  readonly errors: string[];
}

/**
 * Validates many envelopes with one xmllint run. `xsd:base64` is rewritten
 * to `xsd:base64Binary` first: XML Schema has no type of the conventional
 * CWMP name (digest §2.2).
 */
export async function validateEnvelopes(
  messages: ReadonlyMap<string, string>,
): Promise<Map<string, Validation>> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-xsd-" });
  try {
    const files = new Map<string, string>();
    let i = 0;
    for (const [name, xml] of messages) {
      const file = `${dir}/m${i++}.xml`;
      files.set(file, name);
      await Deno.writeTextFile(
        file,
        xml.replaceAll('xsi:type="xsd:base64"', 'xsi:type="xsd:base64Binary"'),
      );
    }
    const output = await new Deno.Command("xmllint", {
      args: [
        "--nonet",
        "--noout",
        "--schema",
        `${BBF_DIR}/validate/cwmp-envelope.xsd`,
        ...files.keys(),
      ],
      env: { XML_CATALOG_FILES: `${BBF_DIR}/validate/catalog.xml` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stderr) +
      new TextDecoder().decode(output.stdout);
    const results = new Map<string, Validation>();
    for (const [file, name] of files) {
      const errors = text.split("\n").filter((line) =>
        line.startsWith(file) && !line.endsWith(" validates")
      );
      const validates = text.includes(`${file} validates`);
      const stray = strayNamespaces(messages.get(name)!);
      if (stray.length > 0) {
        errors.push(`elements in unvalidated namespaces: ${stray.join(", ")}`);
      }
      results.set(name, { valid: validates && stray.length === 0, errors });
    }
    return results;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function strayNamespaces(xml: string): string[] {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const stray: string[] = [];
  const envelope = doc.documentElement;
  for (const part of Array.from(envelope?.childNodes ?? [])) {
    if (part.nodeType !== 1) continue;
    for (const child of Array.from(part.childNodes)) {
      const el = child as unknown as {
        nodeType: number;
        namespaceURI: string | null;
        localName: string;
      };
      if (
        el.nodeType === 1 && !VALIDATED_NAMESPACES.has(el.namespaceURI ?? "")
      ) {
        stray.push(`${el.localName} (${el.namespaceURI})`);
      }
    }
  }
  return stray;
}
