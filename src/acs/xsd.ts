/**
 * Schema validation of CWMP envelopes with the Broadband Forum XSDs, the
 * recipe of the BBF schema bundle: xmllint with an offline catalog, plus the
 * check that every Header/Body child is in a namespace a schema covers (lax
 * content in other namespaces would pass unchecked). It needs `xmllint`
 * (Debian: libxml2-utils) and a directory laid out like `shared/bbf`
 * (`schemas/`, `validate/catalog.xml`, `validate/cwmp-envelope.xsd`).
 *
 * @module
 */
import { DOMParser } from "@xmldom/xmldom";

const VALIDATED_NAMESPACES = new Set([
  "urn:dslforum-org:cwmp-1-0",
  "urn:dslforum-org:cwmp-1-1",
  "urn:dslforum-org:cwmp-1-2",
  "http://schemas.xmlsoap.org/soap/envelope/",
]);

/** The result of validating one message. */
export interface Validation {
  /** Whether the message passed both checks. */
  readonly valid: boolean;
  /** xmllint's and the namespace check's complaints about this message. */
  readonly errors: string[];
}

/**
 * Validates many envelopes (name → XML) with one xmllint run against the
 * schemas in `bbfDir`. `xsd:base64` is rewritten
 * to `xsd:base64Binary` first: XML Schema has no type of the conventional
 * CWMP name (digest §2.2).
 *
 * @example
 * ```ts
 * import { validateEnvelopes } from "./xsd.ts";
 * // const results = await validateEnvelopes(new Map([["inform", xml]]), "../shared/bbf");
 * ```
 */
export async function validateEnvelopes(
  messages: ReadonlyMap<string, string>,
  bbfDir: string,
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
        `${bbfDir}/validate/cwmp-envelope.xsd`,
        ...files.keys(),
      ],
      env: { XML_CATALOG_FILES: `${bbfDir}/validate/catalog.xml` },
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
