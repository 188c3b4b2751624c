/**
 * The browser example's page script: the controls, the Inspector with the seed's three lenses
 * fed by the training worker's reports, the figure (the CLI's figure code, drawn on this page's
 * DOM) redrawn after every epoch, the progress line, and the downloads. Bundled by the
 * example's server; never imported in Node.
 */
import { tableToIPC } from 'apache-arrow';
import { Inspector } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { formatDuration, renderFigure } from '@monitorch/viz/browser';
import type { BrowserCase, BrowserDevice, FromWorker, ToWorker, TrainingConfig } from './protocol.js';
import { WorkerAdapter } from './worker-adapter.js';

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`The page has no #${id}.`);
  return element as T;
};

const ui = {
  case: byId<HTMLSelectElement>('case'),
  dropout: byId<HTMLInputElement>('dropout'),
  epochs: byId<HTMLInputElement>('epochs'),
  batch: byId<HTMLInputElement>('batch'),
  limit: byId<HTMLInputElement>('limit'),
  device: byId<HTMLSelectElement>('device'),
  start: byId<HTMLButtonElement>('start'),
  stop: byId<HTMLButtonElement>('stop'),
  progress: byId<HTMLElement>('progress'),
  note: byId<HTMLElement>('note'),
  figure: byId<HTMLElement>('figure'),
  downloadRun: byId<HTMLButtonElement>('download-run'),
  downloadFigure: byId<HTMLButtonElement>('download-figure'),
  downloadPng: byId<HTMLButtonElement>('download-png'),
  files: byId<HTMLElement>('files'),
};

/** The page's state, also on `document.body.dataset` for whoever watches the page (tests). */
function setState(state: 'idle' | 'running' | 'done' | 'stopped' | 'error', message?: string): void {
  document.body.dataset['state'] = state;
  ui.start.disabled = state === 'running';
  ui.stop.disabled = state !== 'running';
  if (message !== undefined) ui.progress.textContent = message;
}

let worker: Worker | undefined;
let inspector: Inspector | undefined;
let figureSvg = '';
const fileUrls: string[] = [];

ui.note.textContent = crossOriginIsolated
  ? ''
  : 'This page is not cross-origin isolated, so WASM runs on one thread (serve it with COOP/COEP headers for threads).';

void detectWebGpu();
ui.case.addEventListener('change', () => {
  ui.limit.disabled = ui.case.value !== 'mnist';
});
ui.limit.disabled = ui.case.value !== 'mnist';
ui.start.addEventListener('click', start);
ui.stop.addEventListener('click', () => stop('stopped'));
ui.downloadRun.addEventListener('click', () => {
  for (const link of Array.from(ui.files.querySelectorAll('a'))) link.click();
});
ui.downloadFigure.addEventListener('click', () => {
  if (figureSvg !== '') download(new Blob([figureSvg], { type: 'image/svg+xml' }), 'figure.svg');
});
ui.downloadPng.addEventListener('click', () => {
  if (figureSvg !== '') void figurePng(figureSvg).then((png) => download(png, 'figure.png'));
});
setState('idle');

/** Offers `webgpu` only when the browser gives a WebGPU adapter. */
async function detectWebGpu(): Promise<void> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = gpu === undefined ? null : await gpu.requestAdapter().catch(() => null);
  const option = ui.device.querySelector<HTMLOptionElement>('option[value="webgpu"]');
  if (option !== null) {
    option.disabled = adapter === null;
    option.textContent = adapter === null ? 'webgpu (no adapter in this browser)' : 'webgpu';
  }
  document.body.dataset['webgpu'] = adapter === null ? 'no' : 'yes';
}

function readConfig(): TrainingConfig {
  const number = (input: HTMLInputElement, min: number, max: number): number => {
    const value = Number(input.value);
    if (!Number.isFinite(value) || value < min || value > max)
      throw new Error(`${input.name} must be between ${min} and ${max}.`);
    return value;
  };
  return {
    case: ui.case.value as BrowserCase,
    dropout: number(ui.dropout, 0, 0.95),
    epochs: Math.round(number(ui.epochs, 1, 500)),
    batchSize: Math.round(number(ui.batch, 1, 4096)),
    limit: Math.round(number(ui.limit, 1, 60_000)),
    device: ui.device.value as BrowserDevice,
    seed: 42,
  };
}

function start(): void {
  let config: TrainingConfig;
  try {
    config = readConfig();
  } catch (e) {
    setState('error', e instanceof Error ? e.message : String(e));
    return;
  }
  stop();
  clearFiles();
  figureSvg = '';
  ui.figure.replaceChildren();
  document.body.dataset['epochsDrawn'] = '0';
  delete document.body.dataset['stepMs'];
  const current = new Worker('/worker.js', { type: 'module' });
  worker = current;
  const watching = new Inspector({
    lenses: [new LossMetrics({ metrics: ['val_accuracy'] }), new OutputActivation(), new ParameterGradientActivation()],
    logger: null,
  });
  inspector = watching;
  const adapter = new WorkerAdapter((message: ToWorker) => current.postMessage(message));
  watching.attach(adapter);
  const progress = new EtaLine(config.epochs);
  let device = config.device as string;
  current.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    switch (message.type) {
      case 'ready':
        device = message.device;
        setState('running', `training on ${device}…`);
        return;
      case 'report':
        adapter.report(message.report);
        return;
      case 'progress':
        ui.progress.textContent = `${device} · ${progress.line(message)}`;
        return;
      case 'epoch':
        void closeEpoch(watching, current, message, config);
        return;
      case 'done':
        setState('done', `done: ${config.epochs} epoch(s) on ${device} in ${formatDuration(progress.elapsed())}`);
        current.terminate();
        return;
      case 'error':
        setState('error', `training failed: ${message.message}`);
        current.terminate();
    }
  };
  current.onerror = (event) => setState('error', `the training worker failed: ${event.message}`);
  setState('running', 'loading data and compiling the graphs…');
  current.postMessage({ type: 'start', config } satisfies ToWorker);
}

/** Closes the worker's epoch in the Inspector, redraws the figure and lets the worker go on. */
async function closeEpoch(
  watching: Inspector,
  current: Worker,
  message: Extract<FromWorker, { type: 'epoch' }>,
  config: TrainingConfig,
): Promise<void> {
  watching.pushMetric('val_accuracy', message.valAccuracy);
  await watching.tickEpoch();
  if (watching !== inspector) return; // stopped meanwhile
  const title = `${config.case === 'mnist' ? 'MNIST, seed CNN' : '2D, seed MLP'} · dropout ${config.dropout}`;
  const figure = renderFigure(watching.allTables(), { tooltips: true, title });
  figureSvg = figure.svg;
  ui.figure.innerHTML = figure.svg; // our own renderer's output: every data text is escaped there
  updateFiles(watching);
  document.body.dataset['epochsDrawn'] = String(message.epoch);
  document.body.dataset['stepMs'] = message.stepMs.toFixed(3);
  current.postMessage({ type: 'epoch-closed' } satisfies ToWorker);
}

function stop(state?: 'stopped'): void {
  worker?.terminate();
  worker = undefined;
  inspector?.detach();
  inspector = undefined;
  if (state !== undefined) setState(state, `stopped; the figure and the files hold the closed epochs`);
}

/** One Arrow IPC file per lens table, the same tables (and schemas) a Node run writes. */
function updateFiles(watching: Inspector): void {
  clearFiles();
  for (const [name, table] of watching.allTables()) {
    const url = URL.createObjectURL(
      new Blob([tableToIPC(table, 'file') as Uint8Array<ArrayBuffer>], { type: 'application/vnd.apache.arrow.file' }),
    );
    fileUrls.push(url);
    const link = document.createElement('a');
    link.href = url;
    link.download = `${name}.arrow`;
    link.textContent = `${name}.arrow`; // a text node: names are never parsed as markup
    ui.files.append(link, ' ');
  }
}

function clearFiles(): void {
  for (const url of fileUrls.splice(0)) URL.revokeObjectURL(url);
  ui.files.replaceChildren();
}

/**
 * The figure as a PNG, rasterised by the browser itself (the CLI uses resvg, which is Node
 * only): the SVG is drawn as an image onto a canvas twice its size, for sharp text.
 */
async function figurePng(svg: string): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth * scale;
    canvas.height = image.naturalHeight * scale;
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('this browser gives no 2D canvas');
    context.scale(scale, scale);
    context.drawImage(image, 0, 0);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob === null ? reject(new Error('PNG encoding failed')) : resolve(blob)), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

function download(blob: Blob, name: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** The progress line: epoch, batch, loss and the time left for the whole run. */
class EtaLine {
  private readonly started = performance.now();
  private batchesDone = 0;
  private lastEpoch = 0;
  private lastBatch = 0;

  constructor(private readonly epochs: number) {}

  elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  line(p: { epoch: number; batch: number; batches: number; loss: number }): string {
    if (p.epoch !== this.lastEpoch) this.lastBatch = 0;
    this.batchesDone += p.batch - this.lastBatch;
    [this.lastEpoch, this.lastBatch] = [p.epoch, p.batch];
    const total = this.epochs * p.batches;
    const eta = (this.elapsed() / this.batchesDone) * (total - this.batchesDone);
    return (
      `epoch ${p.epoch}/${this.epochs} · batch ${p.batch}/${p.batches} · loss ${p.loss.toFixed(4)} · ` +
      `ETA ${formatDuration(eta)}`
    );
  }
}
