/**
 * Escaping of text for XML element content.
 *
 * @module
 */

// Everything that is not printable ASCII, tab or newline, plus & < >.
const NEEDS_ESCAPE = /[^\t\n\x20-\x7e]|[&<>]/;
const ESCAPABLE = /[^\t\n\x20-\x7e]|[&<>]/gu;

/**
 * Escapes text for element content. `&`, `<` and `>` become entity
 * references; every character outside printable ASCII becomes a character
 * reference, as TR-069 §3.4.1 recommends, so the bytes on the wire are plain
 * ASCII whatever the value. Carriage return is kept as `&#xD;` so it survives
 * XML line-end normalisation. Characters that XML 1.0 cannot carry at all
 * (C0 controls other than tab, newline and carriage return, lone surrogates,
 * U+FFFE and U+FFFF) are replaced by U+FFFD rather than producing a document
 * no parser accepts.
 *
 * @example
 * ```ts
 * import { escapeXml } from "./xml_escape.ts";
 * console.log(escapeXml("a<b & é")); // "a&lt;b &amp; &#xE9;"
 * ```
 */
export function escapeXml(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(ESCAPABLE, escapeChar);
}

function escapeChar(ch: string): string {
  switch (ch) {
    case "&":
      return "&amp;";
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
  }
  const cp = ch.codePointAt(0)!;
  const allowed = cp === 0xd || (cp >= 0x7f && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
  return allowed ? `&#x${cp.toString(16).toUpperCase()};` : "&#xFFFD;";
}
