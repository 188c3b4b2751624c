import { escapeMarkup } from '../escape.js';

/**
 * The live page's HTML. No inline script (the CSP allows scripts from this server only), so
 * even a name that slipped through escaping could not run code.
 *
 * @param title - page heading (escaped here)
 */
export function livePageHtml(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeMarkup(title)}</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font-family: system-ui, sans-serif; background: #fafafa; color: #222; }
  header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ddd; padding: 8px 16px; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; z-index: 1; }
  h1 { font-size: 16px; margin: 0; }
  #progress { font-variant-numeric: tabular-nums; color: #444; }
  #status { font-size: 12px; color: #888; margin-left: auto; }
  #status.live::before { content: "● "; color: #2ca02c; }
  #status.lost::before { content: "● "; color: #d62728; }
  #status.finished::before { content: "✓ "; color: #555; }
  #status.stopped::before { content: "■ "; color: #888; }
  main { padding: 16px; }
  #figure svg { display: block; max-width: 100%; height: auto; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
</style>
</head>
<body>
<header>
  <h1>${escapeMarkup(title)}</h1>
  <span id="epoch">waiting for the first epoch</span>
  <span id="progress"></span>
  <span id="status">connecting…</span>
</header>
<main><div id="figure" data-version="-1" data-epoch="0"></div></main>
<script src="/page.js"></script>
</body>
</html>
`;
}

/**
 * The live page's script: listens to server-sent events and swaps in the server-rendered SVG
 * after each closed epoch. Text is set with `textContent` only; the SVG is parsed as XML, so
 * markup in names stays text.
 */
export const LIVE_PAGE_JS = `'use strict';
(() => {
  const figure = document.getElementById('figure');
  const epochEl = document.getElementById('epoch');
  const progressEl = document.getElementById('progress');
  const statusEl = document.getElementById('status');
  let shown = -1;
  let wanted = -1;
  // The epoch the wanted figure belongs to: data-epoch names the epoch the figure on screen
  // shows, so it changes when that figure is in, not when the event announcing it arrives.
  let wantedEpoch = 0;
  let loading = false;
  let over = false;

  function duration(s) {
    if (typeof s !== 'number' || !isFinite(s)) return '?';
    s = Math.round(s);
    if (s < 60) return s + 's';
    const m = Math.floor(s / 60);
    return m + ':' + String(s % 60).padStart(2, '0');
  }
  function num(v) { return typeof v === 'number' && isFinite(v) ? Number(v.toPrecision(4)).toString() : '–'; }

  // ISO time → "14:05:09" today, else the date too (the reader's locale and time zone).
  function when(iso) {
    const d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    const today = d.toDateString() === new Date().toDateString();
    return today ? d.toLocaleTimeString() : d.toLocaleString();
  }

  // The run is over (or its server is gone): no more events, no progress line, no green dot.
  function end(text, className) {
    over = true;
    events.close();
    progressEl.textContent = '';
    statusEl.textContent = text;
    statusEl.className = className;
  }

  function showProgress(p) {
    if (!p || over) return;
    const parts = ['epoch ' + p.epoch, 'batch ' + p.batch + (p.batches ? '/' + p.batches : '')];
    if (p.loss !== undefined) parts.push('loss ' + num(p.loss));
    if (p.rate !== undefined) parts.push(num(p.rate) + ' batch/s');
    if (p.etaSeconds !== undefined) parts.push('ETA ' + duration(p.etaSeconds));
    progressEl.textContent = parts.join(' · ');
  }

  function showEpoch(state) {
    if (state.epoch > 0) {
      epochEl.textContent = 'run ' + state.run + ' · epoch ' + state.epoch + (state.done ? ' · finished' : '');
    }
  }

  async function load(version, epoch) {
    if (version >= wanted) {
      wanted = version;
      if (epoch > 0) wantedEpoch = epoch;
    }
    if (loading) return;
    loading = true;
    try {
      while (shown < wanted) {
        const v = wanted;
        const e = wantedEpoch;
        const res = await fetch('/figure.svg?v=' + v, { cache: 'no-store' });
        if (!res.ok) throw new Error('figure: HTTP ' + res.status);
        const doc = new DOMParser().parseFromString(await res.text(), 'image/svg+xml');
        const svg = doc.documentElement;
        if (!svg || svg.nodeName !== 'svg') throw new Error('figure: not an SVG document');
        figure.replaceChildren(document.importNode(svg, true));
        shown = v;
        figure.dataset.version = String(v);
        figure.dataset.epoch = String(e);
      }
    } catch (e) {
      // A run that finished keeps saying so: its server may be gone, the figure shown is the last.
      if (!over) {
        statusEl.textContent = String(e && e.message || e);
        statusEl.className = 'lost';
      }
    } finally {
      loading = false;
    }
  }

  function onState(e) {
    const state = JSON.parse(e.data);
    showEpoch(state);
    showProgress(state.progress);
    load(state.version, state.epoch);
    // A page opened on a finished run learns it from its first message, so it is never "live".
    if (state.done) end('finished' + (state.finishedAt ? ' ' + when(state.finishedAt) : ''), 'finished');
    else if (!over) { statusEl.textContent = 'live'; statusEl.className = 'live'; }
  }

  const events = new EventSource('/events');
  events.addEventListener('error', () => { if (!over) { statusEl.textContent = 'reconnecting…'; statusEl.className = 'lost'; } });
  events.addEventListener('hello', onState);
  events.addEventListener('epoch', onState);
  events.addEventListener('done', onState);
  events.addEventListener('stopped', () => end('stopped: the server was closed before the run finished', 'stopped'));
  events.addEventListener('progress', (e) => showProgress(JSON.parse(e.data)));
})();
`;
