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
import { parseXml } from "../cwmp/_xml.ts";

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
  let envelope;
  try {
    envelope = parseXml(xml);
  } catch {
    return [];
  }
  const stray: string[] = [];
  for (const part of envelope.children) {
    for (const el of part.children) {
      if (!VALIDATED_NAMESPACES.has(el.ns ?? "")) {
        stray.push(`${el.name} (${el.ns})`);
      }
    }
  }
  return stray;
}
