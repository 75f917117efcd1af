/**
 * The one place that touches the XML parser. Everything else works on the
 * small {@linkcode XmlElement} tree below, so replacing the parser means
 * replacing this file only.
 *
 * The parser is @rgrove/parse-xml: an ES module (no Node compatibility
 * layer at import), strict about what XML 1.0 forbids, no DTD processing,
 * and about a quarter of xmldom's heap per element. It does not resolve
 * namespaces; this reader does, as Namespaces in XML 1.0 says.
 */
import {
  parseXml as parse,
  XmlCdata,
  XmlElement as ParsedElement,
  XmlText,
} from "@rgrove/parse-xml";
import { CwmpFault } from "./faults.ts";
import { type LiftedStrings, liftStringRun } from "./_string_runs.ts";

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

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/** Prefix → namespace URI in scope ("" for the default namespace). */
type Scope = ReadonlyMap<string, string>;

const ROOT_SCOPE: Scope = new Map([["xml", XML_NS], ["xmlns", XMLNS_NS]]);

/**
 * Parses well-formed, namespace-correct XML into an {@linkcode XmlElement}
 * tree. Any parser error, or a prefix that no declaration binds, is a
 * `malformed_xml` fault; the input must have passed the guard first.
 */
export function parseXml(text: string): XmlElement {
  const lifted = liftStringRun(text);
  if (!lifted) return parseTree(text);
  const root = parseTree(lifted.text);
  const restored = restoreRun(root, lifted);
  if (!restored) {
    throw CwmpFault.decode(
      "malformed_xml",
      "Malformed XML: a list of <string> elements outside any element",
    );
  }
  return restored;
}

/**
 * `element` with the marker of `lifted` replaced by its items, or undefined
 * when the marker is not inside it (or is the element itself: the list
 * would then have been the document's top level, which XML forbids).
 */
function restoreRun(
  element: XmlElement,
  lifted: LiftedStrings,
): XmlElement | undefined {
  const children = element.children;
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (child.name === lifted.marker && child.children.length === 0) {
      const items = lifted.items.map((text): XmlElement => ({
        name: "string",
        ns: child.ns,
        attributes: NO_ATTRIBUTES,
        children: NO_CHILDREN,
        text,
      }));
      return {
        ...element,
        children: [...children.slice(0, i), ...items, ...children.slice(i + 1)],
      };
    }
    const inside = restoreRun(child, lifted);
    if (inside) {
      return {
        ...element,
        children: [...children.slice(0, i), inside, ...children.slice(i + 1)],
      };
    }
  }
  return undefined;
}

function parseTree(text: string): XmlElement {
  let root: ParsedElement | null;
  try {
    root = parse(text, { preserveCdata: false }).root;
  } catch (cause) {
    throw CwmpFault.decode(
      "malformed_xml",
      `Malformed XML: ${(cause as Error).message.split("\n")[0]}`,
      { cause },
    );
  }
  if (!root) throw CwmpFault.decode("malformed_xml", "Malformed XML: no root");
  return convert(root, ROOT_SCOPE);
}

function localName(qname: string): string {
  const colon = qname.indexOf(":");
  return colon < 0 ? qname : qname.slice(colon + 1);
}

function prefixOf(qname: string): string {
  const colon = qname.indexOf(":");
  return colon < 0 ? "" : qname.slice(0, colon);
}

function resolve(scope: Scope, prefix: string, what: string): string | null {
  const uri = scope.get(prefix);
  if (uri !== undefined) return uri === "" ? null : uri;
  if (prefix === "") return null;
  throw CwmpFault.decode(
    "malformed_xml",
    `Malformed XML: the prefix "${prefix}" of ${what} is not declared`,
  );
}

// Most elements of a large message (a <string> of a name list, a <Value>)
// have no attributes or no element children: they share these.
const NO_ATTRIBUTES: readonly XmlAttribute[] = Object.freeze([]);
const NO_CHILDREN: readonly XmlElement[] = Object.freeze([]);
// What stands in the parser's tree for an element already converted.
const CONVERTED = new XmlText("");

function convert(node: ParsedElement, outer: Scope): XmlElement {
  // Declarations on this element apply to it and everything inside it.
  let scope = outer;
  const declared = node.attributes;
  let attributeCount = 0;
  for (const name in declared) {
    attributeCount++;
    if (name === "xmlns" || name.startsWith("xmlns:")) {
      if (scope === outer) scope = new Map(outer);
      (scope as Map<string, string>).set(
        name === "xmlns" ? "" : name.slice(6),
        declared[name],
      );
    }
  }
  const ns = resolve(scope, prefixOf(node.name), `<${node.name}>`);
  let attributes = NO_ATTRIBUTES;
  if (attributeCount > 0) {
    const list: XmlAttribute[] = [];
    for (const name in declared) {
      const p = prefixOf(name);
      list.push({
        name: name === "xmlns" ? "xmlns" : localName(name),
        // Unprefixed attributes are in no namespace (not the default one).
        ns: name === "xmlns"
          ? XMLNS_NS
          : p === ""
          ? null
          : resolve(scope, p, `attribute ${name}`),
        value: declared[name],
      });
    }
    attributes = list;
  }
  let children: XmlElement[] | undefined;
  let text = "";
  const parsed = node.children;
  for (let i = 0; i < parsed.length; i++) {
    const child = parsed[i];
    if (child instanceof ParsedElement) {
      (children ??= []).push(convert(child, scope));
      // The parser's node is let go once converted, so that a large message
      // is held as one whole tree at a time, not two.
      parsed[i] = CONVERTED;
    } else if (child instanceof XmlText || child instanceof XmlCdata) {
      text += child.text;
    }
  }
  return {
    name: localName(node.name),
    ns,
    attributes,
    children: children ?? NO_CHILDREN,
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
