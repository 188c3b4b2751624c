/**
 * The browser example's training worker: the Trainer on onnxruntime-web (WASM, with threads
 * when the page is cross-origin isolated, or WebGPU), reporting to a connection whose reports
 * are posted to the page, where the Inspector and the lenses run. Bundled by the example's
 * server; never imported in Node.
 */
import * as ort from 'onnxruntime-web';
import { EventEmitter } from 'eventemitter3';
import type { AdapterConnection, AdapterEvents, ReductionRequest } from '@monitorch/core';
import { adam, crossEntropy, DataLoader, Trainer } from '@monitorch/backend-onnx';
import { mnistData, twoDData } from './browser-data.js';
import { browserModel } from './browser-models.js';
import type { FromWorker, ToWorker, TrainingConfig } from './protocol.js';

/** The part of a dedicated worker's global scope used here (the DOM lib types `self` as a window). */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  readonly crossOriginIsolated: boolean;
  readonly location: { readonly origin: string };
  readonly navigator: { readonly hardwareConcurrency: number };
}

const scope = self as unknown as WorkerScope;
const post = (message: FromWorker): void => scope.postMessage(message);

let requests: readonly ReductionRequest[] = [];
const clock = { epoch: 1, step: 0 };
let epochClosed: (() => void) | undefined;

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case 'connect':
      requests = message.requests;
      Object.assign(clock, message.clock);
      return;
    case 'epoch-closed':
      epochClosed?.();
      return;
    case 'start':
      train(message.config).catch((e: unknown) =>
        post({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
      );
  }
};

async function train(config: TrainingConfig): Promise<void> {
  const origin = scope.location.origin;
  ort.env.wasm.wasmPaths = `${origin}/ort/`;
  // Threads need SharedArrayBuffer, which browsers give only to cross-origin isolated pages.
  const isolated = scope.crossOriginIsolated;
  const threads = isolated ? Math.max(1, Math.min(4, scope.navigator.hardwareConcurrency)) : 1;
  ort.env.wasm.numThreads = threads;
  const data =
    config.case === 'mnist' ? await mnistData(`${origin}/data/`, config.limit ?? 60_000) : twoDData(config.seed);
  const { model, sampleShape } = browserModel(config.case, config.dropout);
  const trainer = await Trainer.create({
    model,
    inputShape: [-1, ...sampleShape],
    loss: crossEntropy(),
    optimizer: adam(),
    device: config.device === 'webgpu' ? 'webgpu' : 'cpu',
    seed: config.seed,
    ort,
    worker: false,
  });
  post({
    type: 'ready',
    threads,
    isolated,
    device: config.device === 'webgpu' ? 'webgpu' : `wasm (${threads} thread${threads === 1 ? '' : 's'})`,
  });
  const emitter = new EventEmitter<AdapterEvents>();
  emitter.on('report', (report) => post({ type: 'report', report }));
  const connection: AdapterConnection = { emitter, requests, clock };
  trainer.connect(connection);
  const trainLoader = new DataLoader(data.train, { batchSize: config.batchSize, shuffle: true, seed: config.seed });
  const valLoader = new DataLoader(data.val, { batchSize: config.batchSize });
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      let last = performance.now();
      const stepTimes: number[] = [];
      await trainer.trainEpoch(trainLoader, {
        progress: (p) => {
          const now = performance.now();
          stepTimes.push(now - last);
          last = now;
          clock.step++;
          post({ type: 'progress', epoch, batch: p.batch, batches: p.batches ?? trainLoader.length, loss: p.loss });
        },
      });
      const evaluation = await trainer.evaluate(valLoader);
      const closed = new Promise<void>((resolve) => (epochClosed = resolve));
      post({ type: 'epoch', epoch, valAccuracy: evaluation.accuracy, stepMs: medianStep(stepTimes) });
      await closed;
      clock.epoch = epoch + 1;
    }
    post({ type: 'done' });
  } finally {
    trainer.disconnect();
    await trainer.close();
  }
}

/**
 * The median train step of an epoch, leaving out its first step when there are others: the
 * first one also builds the sessions (graph compilation, WASM or shader setup).
 */
function medianStep(times: readonly number[]): number {
  const steady = (times.length > 1 ? times.slice(1) : [...times]).sort((a, b) => a - b);
  return steady[Math.floor((steady.length - 1) / 2)] ?? Number.NaN;
}
