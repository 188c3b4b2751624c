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
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
