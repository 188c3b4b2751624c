import { escapeMarkup } from '../escape.js';

/**
 * The runs page's HTML: a list of the runs of a directory (paged), each with a box to tick it
 * into the overlay figure below. No inline script (the CSP allows scripts from this server only).
 *
 * @param title - page heading (escaped here)
 */
export function runsPageHtml(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeMarkup(title)}</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font-family: system-ui, sans-serif; background: #fafafa; color: #222; }
  header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ddd; padding: 8px 16px; display: flex; gap: 24px; align-items: baseline; z-index: 1; }
  h1 { font-size: 16px; margin: 0; }
  #status { font-size: 12px; color: #888; margin-left: auto; }
  main { padding: 12px 16px; }
  table { border-collapse: collapse; font-size: 13px; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
  th, td { text-align: left; padding: 3px 10px; border-bottom: 1px solid #eee; white-space: nowrap; }
  td.num { font-variant-numeric: tabular-nums; text-align: right; }
  tr.running td.status { color: #2ca02c; }
  tr.crashed td.status { color: #d62728; }
  #pager { margin: 8px 0; display: flex; gap: 12px; align-items: baseline; font-size: 13px; }
  #figure { margin-top: 12px; }
  #figure svg { display: block; max-width: 100%; height: auto; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
  #hint { color: #666; font-size: 13px; }
</style>
</head>
<body>
<header>
  <h1>${escapeMarkup(title)}</h1>
  <span id="status">connecting…</span>
</header>
<main>
  <div id="pager"><button id="prev" type="button">‹ previous</button><span id="range"></span><button id="next" type="button">next ›</button></div>
  <table id="runs"><thead><tr><th></th><th>run</th><th>started</th><th>status</th><th>epochs</th><th>final loss</th><th>metrics</th></tr></thead><tbody></tbody></table>
  <p id="hint">Tick runs to overlay them in one figure.</p>
  <div id="figure" data-version="0" data-runs=""></div>
</main>
<script src="/runs.js"></script>
</body>
</html>
`;
}

/**
 * The runs page's script. The server announces which runs changed (server-sent events); the
 * page then re-fetches the one page of the list it shows, and the overlay figure only when a
 * ticked run changed. Every text goes in with `textContent`; the SVG is parsed as XML.
 */
export const RUNS_PAGE_JS = `'use strict';
(() => {
  const PAGE = 50;
  const body = document.querySelector('#runs tbody');
  const figure = document.getElementById('figure');
  const statusEl = document.getElementById('status');
  const rangeEl = document.getElementById('range');
  const prev = document.getElementById('prev');
  const next = document.getElementById('next');
  const hint = document.getElementById('hint');
  const ticked = [];
  let offset = 0;
  let total = 0;
  let figureVersion = 0;
  const busy = { list: false, figure: false };
  const again = { list: false, figure: false };

  function when(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d.getTime()) ? '' : d.toLocaleString();
  }
  function cell(tr, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    tr.appendChild(td);
    return td;
  }

  // Runs at most one fetch of each kind at a time; a change during one runs it once more after.
  async function once(kind, work) {
    if (busy[kind]) { again[kind] = true; return; }
    busy[kind] = true;
    try {
      do { again[kind] = false; await work(); } while (again[kind]);
    } catch (e) {
      statusEl.textContent = String(e && e.message || e);
    } finally {
      busy[kind] = false;
    }
  }

  function loadList() {
    return once('list', async () => {
      const res = await fetch('/runs.json?offset=' + offset + '&limit=' + PAGE, { cache: 'no-store' });
      if (!res.ok) throw new Error('run list: HTTP ' + res.status);
      const page = await res.json();
      total = page.total;
      const rows = page.rows.map((r) => {
        const tr = document.createElement('tr');
        tr.className = r.status;
        tr.dataset.name = r.name;
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.checked = ticked.includes(r.name);
        box.setAttribute('aria-label', 'overlay ' + r.label);
        box.addEventListener('change', () => {
          const i = ticked.indexOf(r.name);
          if (box.checked && i < 0) ticked.push(r.name);
          if (!box.checked && i >= 0) ticked.splice(i, 1);
          loadFigure();
        });
        cell(tr, '').appendChild(box);
        const label = cell(tr, r.label, 'label');
        if (r.label !== r.name) label.title = r.name;
        cell(tr, when(r.created));
        cell(tr, r.status, 'status');
        cell(tr, String(r.epochs), 'num epochs');
        cell(tr, r.error ? 'unreadable: ' + r.error : r.loss.join(' · '));
        cell(tr, r.metrics.join(' · '));
        return tr;
      });
      body.replaceChildren(...rows);
      rangeEl.textContent = total === 0 ? 'no runs yet' : (offset + 1) + '–' + (offset + page.rows.length) + ' of ' + total + ' runs';
      prev.disabled = offset === 0;
      next.disabled = offset + PAGE >= total;
    });
  }

  function loadFigure() {
    return once('figure', async () => {
      if (ticked.length === 0) {
        figure.replaceChildren();
        figure.dataset.runs = '';
        hint.hidden = false;
        return;
      }
      hint.hidden = true;
      // The names this figure is for: ticking may change while it is fetched.
      const names = ticked.slice();
      const query = names.map((n) => 'run=' + encodeURIComponent(n)).join('&');
      const res = await fetch('/figure.svg?' + query, { cache: 'no-store' });
      if (!res.ok) throw new Error('figure: HTTP ' + res.status);
      const doc = new DOMParser().parseFromString(await res.text(), 'image/svg+xml');
      const svg = doc.documentElement;
      if (!svg || svg.nodeName !== 'svg') throw new Error('figure: not an SVG document');
      figure.replaceChildren(document.importNode(svg, true));
      figure.dataset.runs = names.join('\\n');
      figureVersion += 1;
      figure.dataset.version = String(figureVersion);
    });
  }

  prev.addEventListener('click', () => { offset = Math.max(0, offset - PAGE); loadList(); });
  next.addEventListener('click', () => { if (offset + PAGE < total) { offset += PAGE; loadList(); } });

  const events = new EventSource('/events');
  events.addEventListener('hello', () => { statusEl.textContent = 'live'; loadList(); });
  events.addEventListener('changed', (e) => {
    const changed = JSON.parse(e.data).runs;
    loadList();
    if (changed.some((n) => ticked.includes(n))) loadFigure();
  });
  events.addEventListener('error', () => { statusEl.textContent = 'reconnecting…'; });
  events.addEventListener('stopped', () => { events.close(); statusEl.textContent = 'stopped: the server was closed'; });
})();
`;
