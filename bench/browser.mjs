/* global document -- the functions passed to page.evaluate run in the page */
// The seed MNIST CNN's train step (batch 256, the seed's three lenses attached) in the browser
// example's page — onnxruntime-web WASM with threads, in a Web Worker, in Debian's Chromium —
// beside the same step in Node (onnxruntime-node, CPU), measured in one run. Both: median of
// the steps after the first (the first also builds the sessions). Needs /usr/bin/chromium.
import { existsSync } from 'node:fs';
import { Inspector } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { adam, crossEntropy, DataLoader, loadMnist, Trainer } from '@monitorch/backend-onnx';
import { chromium } from 'playwright-core';
import { startBrowserExample } from '../examples/dist/browser/browser-server.js';
import { seedCnn } from '../examples/dist/mnist/seed-cnn.js';
import { areaOptions, isMain } from './cli.mjs';

const CHROMIUM = '/usr/bin/chromium';
const BATCH = 256;
const STEPS = 8;

/** Median step of the Node trainer (worker thread, as `npm start`), steps after the first. */
async function nodeStepMs() {
  const data = await loadMnist({ split: 'train', limit: BATCH * STEPS });
  const trainer = await Trainer.create({
    model: seedCnn([0, 0, 0]),
    inputShape: [-1, 1, 28, 28],
    loss: crossEntropy(),
    optimizer: adam(),
    seed: 42,
  });
  const inspector = new Inspector({
    lenses: [new LossMetrics({ metrics: ['val_accuracy'] }), new OutputActivation(), new ParameterGradientActivation()],
    logger: null,
  });
  inspector.attach(trainer);
  const times = [];
  let last = performance.now();
  await trainer.trainEpoch(new DataLoader(data, { batchSize: BATCH, shuffle: true, seed: 42 }), {
    progress: () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
    },
  });
  await inspector.tickEpoch();
  inspector.detach();
  await inspector.close();
  await trainer.close();
  const steady = times.slice(1).sort((a, b) => a - b);
  return steady[Math.floor((steady.length - 1) / 2)];
}

/** The page's own measurement (median step after the first, in the worker), one MNIST epoch. */
async function pageStepMs() {
  const example = await startBrowserExample();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(example.url);
    await page.selectOption('#case', 'mnist');
    await page.fill('#dropout', '0');
    await page.fill('#epochs', '1');
    await page.fill('#batch', String(BATCH));
    await page.fill('#limit', String(BATCH * STEPS));
    await page.click('#start');
    await page.waitForFunction(() => !['running', 'idle'].includes(document.body.dataset.state ?? ''), undefined, {
      timeout: 0,
      polling: 500,
    });
    const progress = await page.textContent('#progress');
    if ((await page.evaluate(() => document.body.dataset.state)) !== 'done') throw new Error(progress ?? 'failed');
    return {
      ms: Number(await page.evaluate(() => document.body.dataset.stepMs)),
      device: /on ([^)]*\))/.exec(progress ?? '')?.[1],
    };
  } finally {
    await browser.close();
    await example.close();
  }
}

export async function run() {
  if (!existsSync(CHROMIUM)) {
    console.log(`  skipped: ${CHROMIUM} missing (apt-get install -y chromium)`);
    return { skipped: true };
  }
  const node = await nodeStepMs();
  const page = await pageStepMs();
  const result = { nodeStepMs: node, pageStepMs: page.ms, pageDevice: page.device, pageVsNode: page.ms / node };
  console.log(
    `  seed CNN train step, batch ${BATCH}, the seed's three lenses, median of ${STEPS - 1} steps after the first`,
  );
  console.log(`  Node (onnxruntime-node CPU, worker thread)   ${node.toFixed(1).padStart(8)} ms`);
  console.log(
    `  page (onnxruntime-web ${page.device}, Web Worker) ${page.ms.toFixed(1).padStart(8)} ms   → ${result.pageVsNode.toFixed(2)}× Node's`,
  );
  return result;
}

if (isMain(import.meta.url)) {
  areaOptions(
    'browser',
    "The seed CNN's train step in the browser example's page (WASM, threads) beside the same step in Node.",
  );
  await run();
}
