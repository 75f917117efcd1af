/**
 * Checks that run on raw input before the XML parser sees it: size, UTF-8,
 * characters XML 1.0 allows, no DTD, bounded nesting. They are linear scans that allocate nothing large,
 * so a hostile body is rejected quickly and cheaply.
 */
import { CwmpFault } from "./faults.ts";
import type { DecodeLimits } from "./limits.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Turns raw input into text that is safe to hand to the parser, or throws a
 * {@linkcode CwmpFault} with a decode reason.
 */
export function guardInput(
  input: Uint8Array | string,
  limits: DecodeLimits,
): string {
  let text: string;
  if (typeof input === "string") {
    if (utf8Length(input, limits.maxBytes) > limits.maxBytes) {
      throw tooLarge(limits);
    }
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else {
    if (input.byteLength > limits.maxBytes) throw tooLarge(limits);
    try {
      text = UTF8.decode(input);
    } catch (cause) {
      throw CwmpFault.decode("invalid_utf8", "Body is not valid UTF-8", {
        cause,
      });
    }
  }
  checkCharacters(text);
  scanMarkup(text, limits);
  return text;
}

// XML 1.0 §2.2 Char: TAB, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and the
// supplementary planes. Anything else (NUL and the other C0 controls,
// U+FFFE/U+FFFF, unpaired surrogates) is not XML at all; the parser behind
// _xml.ts passes some of them through, so they are refused here, raw or as a
// character reference.
const FORBIDDEN_RAW =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CHARACTER_REFERENCE = /&#(?:x([0-9A-Fa-f]+)|([0-9]+));/g;

function allowedCodePoint(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff);
}

function checkCharacters(text: string): void {
  const raw = FORBIDDEN_RAW.exec(text);
  if (raw) {
    throw CwmpFault.decode(
      "invalid_character",
      `Character U+${
        raw[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")
      } at offset ${raw.index} is not allowed in XML 1.0`,
    );
  }
  if (!text.includes("&#")) return;
  for (const match of text.matchAll(CHARACTER_REFERENCE)) {
    const digits = match[1] ?? match[2];
    // More digits than any code point has is out of range whatever they say.
    const code = digits.length > 8
      ? Infinity
      : parseInt(digits, match[1] !== undefined ? 16 : 10);
    if (!allowedCodePoint(code)) {
      throw CwmpFault.decode(
        "invalid_character",
        `Character reference ${
          match[0]
        } at offset ${match.index} names a character XML 1.0 does not allow`,
      );
    }
  }
}

function tooLarge(limits: DecodeLimits): CwmpFault {
  return CwmpFault.decode(
    "too_large",
    `Body exceeds the limit of ${limits.maxBytes} bytes`,
  );
}

/** UTF-8 length of a string, stopping early once it passes `stopAbove`. */
function utf8Length(text: string, stopAbove: number): number {
  if (text.length > stopAbove) return text.length;
  if (text.length * 3 <= stopAbove) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= stopAbove; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const LT = 0x3c, GT = 0x3e, SLASH = 0x2f, QUESTION = 0x3f, BANG = 0x21;
const DQUOTE = 0x22, SQUOTE = 0x27;

/**
 * Rejects any DOCTYPE or other markup declaration (entity expansion, external
 * entities) and nesting deeper than `maxDepth`. Malformed markup is left for
 * the parser to report; this scan only needs to be right about well-formed
 * input and never to loop or blow up on the rest.
 */
function scanMarkup(text: string, limits: DecodeLimits): void {
  const maxDepth = limits.maxDepth;
  const n = text.length;
  let depth = 0;
  let elements = 0;
  let i = 0;
  while (i < n) {
    const lt = text.indexOf("<", i);
    if (lt < 0) return;
    const next = text.charCodeAt(lt + 1);
    if (next === SLASH) {
      depth--;
      const gt = text.indexOf(">", lt);
      if (gt < 0) return;
      i = gt + 1;
      continue;
    }
    if (next === QUESTION) {
      const end = text.indexOf("?>", lt + 2);
      if (end < 0) return;
      i = end + 2;
      continue;
    }
    if (next === BANG) {
      if (text.startsWith("<!--", lt)) {
        const end = text.indexOf("-->", lt + 4);
        if (end < 0) return;
        i = end + 3;
        continue;
      }
      if (text.startsWith("<![CDATA[", lt)) {
        const end = text.indexOf("]]>", lt + 9);
        if (end < 0) return;
        i = end + 3;
        continue;
      }
      throw CwmpFault.decode(
        "doctype",
        "Document type declarations and entities are not accepted",
      );
    }
    let j = lt + 1;
    let quote = 0;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === DQUOTE || c === SQUOTE) quote = c;
      else if (c === GT || c === LT) break;
    }
    if (j >= n || text.charCodeAt(j) === LT) return;
    if (++elements > limits.maxElements) {
      throw CwmpFault.decode(
        "too_large",
        `More than ${limits.maxElements} elements in one message`,
      );
    }
    if (text.charCodeAt(j - 1) !== SLASH && ++depth > maxDepth) {
      throw CwmpFault.decode(
        "too_deep",
        `Elements nest deeper than the limit of ${maxDepth}`,
      );
    }
    i = j + 1;
  }
}
