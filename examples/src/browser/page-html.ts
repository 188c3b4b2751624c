import { escapeMarkup } from '@monitorch/viz';

/**
 * The browser example's page: controls, progress line, figure and downloads. Static apart from
 * the title (escaped); everything else is filled in by `page.js`. Laid out for a phone first
 * (one column), with the controls in a row on wider screens.
 */
export function browserPageHtml(title: string): string {
  const t = escapeMarkup(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${t}</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; padding: 12px; color: #222; background: #fff; }
  h1 { font-size: 1.2em; margin: 0 0 8px; }
  form { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px 12px; align-items: end; }
  label { display: flex; flex-direction: column; font-size: 0.85em; color: #555; }
  input, select, button { font: inherit; padding: 6px 8px; min-height: 36px; box-sizing: border-box; width: 100%; }
  .buttons { grid-column: 1 / -1; display: flex; gap: 8px; }
  .buttons button { flex: 1; }
  #progress { font-variant-numeric: tabular-nums; min-height: 1.4em; margin: 10px 0 4px; }
  #note:empty { display: none; }
  #note { background: #fff4d6; border: 1px solid #e8c66b; padding: 6px 8px; font-size: 0.9em; }
  #figure { overflow-x: auto; border-top: 1px solid #ddd; margin-top: 8px; -webkit-overflow-scrolling: touch; }
  #figure svg { display: block; }
  .downloads { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0; }
  .downloads button { width: auto; }
  #files { font-size: 0.85em; word-break: break-all; }
  #files a { margin-right: 8px; }
  @media (min-width: 900px) {
    form { grid-template-columns: repeat(7, minmax(0, 1fr)) auto; }
    .buttons { grid-column: auto; }
  }
</style>
</head>
<body data-state="idle">
<h1>${t}</h1>
<form onsubmit="return false">
  <label>Case <select id="case" name="case"><option value="2d">2D (seed MLP)</option><option value="mnist">MNIST (seed CNN)</option></select></label>
  <label>Dropout <input id="dropout" name="dropout" type="number" min="0" max="0.95" step="0.05" value="0"></label>
  <label>Epochs <input id="epochs" name="epochs" type="number" min="1" max="500" value="10"></label>
  <label>Batch size <input id="batch" name="batch size" type="number" min="1" max="4096" value="8"></label>
  <label>MNIST images <input id="limit" name="MNIST images" type="number" min="1" max="60000" value="60000"></label>
  <label>Device <select id="device" name="device"><option value="wasm">wasm</option><option value="webgpu" disabled>webgpu</option></select></label>
  <div class="buttons"><button id="start" type="button">Start</button><button id="stop" type="button" disabled>Stop</button></div>
</form>
<p id="note" role="note"></p>
<p id="progress" aria-live="polite">Choose a case and press Start.</p>
<div class="downloads">
  <button id="download-run" type="button">Download run</button>
  <button id="download-figure" type="button">Download figure</button>
  <button id="download-png" type="button">Download PNG</button>
  <span id="files"></span>
</div>
<div id="figure"></div>
<script type="module" src="/page.js"></script>
</body>
</html>
`;
}
