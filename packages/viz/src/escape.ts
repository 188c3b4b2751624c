/**
 * Escapes text for an XML/HTML text node or a double-quoted attribute value.
 *
 * Module, metric and title strings come from users' models (a module may be named anything),
 * so every string we place in markup ourselves goes through here.
 *
 * @param text - any string
 * @returns the string with `& < > " '` replaced by entities
 */
export function escapeMarkup(text: string): string {
  return xmlSafeText(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * Characters XML 1.0 forbids even as character references (C0 controls other than tab, line
 * feed and carriage return, and U+FFFE/U+FFFF). A module named with one would make the whole
 * SVG unreadable ("not an SVG document", resvg's "non-XML character").
 */
// Matching control characters is the point here, so the lint rule against them does not apply.
// eslint-disable-next-line no-control-regex
const NON_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * Makes any text well-formed XML character data: each character XML forbids becomes its
 * visible Unicode control picture (U+0001 → ␁), or U+FFFD for U+FFFE/U+FFFF, so the name
 * still shows that something odd is in it.
 *
 * @param text - any string (a module name, a metric, a whole serialized SVG)
 */
export function xmlSafeText(text: string): string {
  return text.replace(NON_XML, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : '\uFFFD';
  });
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
