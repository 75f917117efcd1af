/**
 * A fast path for the one shape that makes an ACS message large: a long
 * list of `<string>…</string>` items, as GenieACS and other ACSs send the
 * ParameterNames of a GetParameterValues or GetParameterAttributes naming
 * every parameter of a device. Parsing 10,000 such items with the general
 * parser took 25–60 ms in a fresh process (its code not yet optimized) and
 * about 8 MB of short-lived objects; lifting them out as below takes about
 * 2 ms.
 *
 * This is not a second XML parser. It recognizes only items that are
 * exactly `<string>` + character data without markup + `</string>`, with
 * nothing but XML white space between them; such a run is well-formed by
 * construction (the guard has already checked every character of the
 * input), and means exactly the string items it spells. The run is replaced
 * by one marker element and the rest of the document goes through the
 * general, strict parser; the items are put back where the marker is. Any
 * other shape — an attribute, a prefix, an entity or character reference, a
 * CR (which XML would normalize), `]]>` — ends the run, and what follows is
 * parsed the general way. A document with a comment, CDATA section or
 * processing instruction before the run is left to the general parser
 * whole, so that a run is never taken from inside one of them.
 *
 * @module
 */

/** Runs shorter than this are left to the general parser: no gain worth having. */
const MIN_ITEMS = 32;
const OPEN = "<string>";
const CLOSE = "</string>";

/** A run of items taken out of a document. */
export interface LiftedStrings {
  /** The document with the run replaced by `<${marker}/>`. */
  readonly text: string;
  /** The element name that stands for the run. */
  readonly marker: string;
  /** The items' text, in document order. */
  readonly items: string[];
}

// A name no sender can know in advance; a document that contains it anyway
// is parsed whole the general way.
const MARKER = `cwmp-agent-run-${
  crypto.getRandomValues(new Uint32Array(2)).join("-")
}`;

/**
 * Takes the first run of at least MIN_ITEMS plain `<string>` items out of
 * `text`, or returns undefined when there is none to take.
 */
export function liftStringRun(text: string): LiftedStrings | undefined {
  let from = text.indexOf(OPEN);
  // Bounded: each pass starts past the run the last one looked at.
  while (from >= 0) {
    const { items, end } = scanRun(text, from);
    if (items.length >= MIN_ITEMS) {
      if (!plainBefore(text, from) || text.includes(MARKER)) return undefined;
      return {
        text: `${text.slice(0, from)}<${MARKER}/>${text.slice(end)}`,
        marker: MARKER,
        items,
      };
    }
    from = text.indexOf(OPEN, Math.max(end, from + OPEN.length));
  }
  return undefined;
}

/** Whether nothing before `at` can open a comment, CDATA section or PI. */
function plainBefore(text: string, at: number): boolean {
  const before = text.slice(0, at);
  if (before.includes("<!")) return false;
  // Only the XML declaration may come first.
  const pi = before.indexOf("<?");
  if (pi < 0) return true;
  return pi === 0 && before.startsWith("<?xml") &&
    before.indexOf("<?", 2) < 0;
}

/** The items of the run that starts at `from`, and where the run ends. */
function scanRun(text: string, from: number): { items: string[]; end: number } {
  const items: string[] = [];
  let end = from;
  let i = from;
  for (;;) {
    if (!text.startsWith(OPEN, i)) break;
    const start = i + OPEN.length;
    const close = text.indexOf("<", start);
    if (close < 0 || !text.startsWith(CLOSE, close)) break;
    const value = text.slice(start, close);
    if (!plainCharacterData(value)) break;
    items.push(value);
    end = close + CLOSE.length;
    i = skipSpace(text, end);
  }
  return { items, end };
}

/** Text that means itself in XML: no reference, no CR, no `]]>`. */
function plainCharacterData(value: string): boolean {
  return !value.includes("&") && !value.includes("\r") &&
    !value.includes("]]>");
}

/** Past XML white space (space, tab, LF; a CR ends a run). */
function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a) break;
    i++;
  }
  return i;
}
