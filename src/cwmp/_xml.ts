/**
 * The one place that touches the XML parser. Everything else works on the
 * small {@linkcode XmlElement} tree below, so replacing xmldom means replacing
 * this file only.
 */
import { DOMParser } from "@xmldom/xmldom";
import { CwmpFault } from "./faults.ts";

/** An attribute: local name, namespace URI and value. */
export interface XmlAttribute {
  readonly name: string;
  readonly ns: string | null;
  readonly value: string;
}

/** An element reduced to what the decoder needs. */
export interface XmlElement {
  /** Local name, without prefix. */
  readonly name: string;
  /** Namespace URI, or null for unqualified elements. */
  readonly ns: string | null;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** Concatenated text and CDATA of the direct children. */
  readonly text: string;
}

// Node types from the DOM standard.
const ELEMENT = 1, TEXT = 3, CDATA = 4;

interface DomNode {
  readonly nodeType: number;
  readonly nodeValue: string | null;
  readonly localName: string | null;
  readonly namespaceURI: string | null;
  readonly childNodes: { readonly length: number; [i: number]: DomNode };
  readonly attributes?: { readonly length: number; [i: number]: DomNode };
}

/**
 * Parses well-formed, namespace-correct XML into an {@linkcode XmlElement}
 * tree. Any parser error or warning about broken markup is a
 * `malformed_xml` fault; the input must have passed the guard first.
 */
export function parseXml(text: string): XmlElement {
  let problem: string | undefined;
  const parser = new DOMParser({
    onError(level: string, message: string) {
      if (level !== "warning") {
        problem ??= message;
        throw new Error(message);
      }
    },
  });
  let root: DomNode | null | undefined;
  try {
    root = parser.parseFromString(text, "text/xml")
      .documentElement as unknown as DomNode | null;
  } catch (cause) {
    throw CwmpFault.decode(
      "malformed_xml",
      `Malformed XML: ${problem ?? cause}`,
      {
        cause,
      },
    );
  }
  if (!root) throw CwmpFault.decode("malformed_xml", "Malformed XML: no root");
  return convert(root);
}

function convert(node: DomNode): XmlElement {
  const children: XmlElement[] = [];
  let text = "";
  const nodes = node.childNodes;
  for (let i = 0; i < nodes.length; i++) {
    const child = nodes[i];
    switch (child.nodeType) {
      case ELEMENT:
        children.push(convert(child));
        break;
      case TEXT:
      case CDATA:
        text += child.nodeValue ?? "";
        break;
    }
  }
  const attributes: XmlAttribute[] = [];
  const attrs = node.attributes;
  if (attrs) {
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i];
      attributes.push({
        name: a.localName ?? "",
        ns: a.namespaceURI,
        value: a.nodeValue ?? "",
      });
    }
  }
  return {
    name: node.localName ?? "",
    ns: node.namespaceURI,
    attributes,
    children,
    text,
  };
}

/** The value of an attribute with the given local name (and namespace). */
export function attribute(
  element: XmlElement,
  name: string,
  ns?: string,
): string | undefined {
  for (const a of element.attributes) {
    if (a.name === name && (ns === undefined || a.ns === ns)) return a.value;
  }
  return undefined;
}
