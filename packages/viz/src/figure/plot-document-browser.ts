/**
 * The DOM Observable Plot draws into, in a browser: the page's own document. Browser bundlers
 * substitute this file for `plot-document.js` (package.json `browser` field), so figures drawn
 * in a page need neither linkedom nor any other Node-only module.
 */
export function plotDocument(): Document {
  return document;
}
