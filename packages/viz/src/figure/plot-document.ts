import { parseHTML } from 'linkedom';

let sharedDocument: Document | undefined;

/**
 * The DOM Observable Plot draws into. In Node there is none, so a server-side one (linkedom);
 * one is enough, Plot only creates detached elements in it. Browser bundles get
 * `plot-document-browser.js` instead (package.json `browser` field), which uses the page's own
 * document and leaves linkedom out of the bundle.
 */
export function plotDocument(): Document {
  sharedDocument ??= parseHTML('<!doctype html><html><head></head><body></body></html>').document;
  return sharedDocument;
}
