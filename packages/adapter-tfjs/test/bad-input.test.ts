// Bad input gets a typed error naming what is missing; nothing is left patched after a refusal.
import t, { type Test } from 'tap';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Inspector, reduce, type ReductionRequest } from '@monitorch/core';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { TfjsAdapter, watch } from '@monitorch/adapter-tfjs';
import { RecordingLens, tinyMlp } from './helpers.js';

/** A MonitorchError with this code whose message says every one of `words` (for `tt.throws`). */
const typed = (code: string, ...words: string[]) => ({
  name: 'MonitorchError',
  code,
  message: new RegExp(words.map((w) => `(?=[\\s\\S]*${escape(w)})`).join('')),
});
const escape = (w: string): string => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

t.test('something that is not a tfjs LayersModel', async (tt) => {
  const inspector = new Inspector({ lenses: [new OutputActivation()], logger: null });
  tt.throws(() => watch({}, inspector), typed('INVALID_ARGUMENT', 'tf.LayersModel', 'layers', 'trainableWeights'));
  tt.throws(() => new TfjsAdapter(null), typed('INVALID_ARGUMENT', 'got null'));
  const graphModelLike = { execute: () => undefined, inputs: [], outputs: [] };
  tt.throws(() => new TfjsAdapter(graphModelLike), typed('INVALID_ARGUMENT', 'graph model'));
  tt.equal(inspector.attached, false, 'nothing attached');
  await inspector.close();
});

/** Attaching an Inspector whose one lens asks `request` is refused with `words` in the message. */
async function refused(tt: Test, request: ReductionRequest, ...words: string[]): Promise<void> {
  await tf.setBackend('cpu');
  const model = tinyMlp();
  const inspector = new Inspector({ lenses: [new RecordingLens([request])], logger: null });
  tt.throws(() => watch(model, inspector), typed('UNSUPPORTED', ...words));
  tt.equal(inspector.attached, false, 'not attached');
  tt.ok(
    model.layers.every((l) => !Object.keys(l).includes('call')),
    'no layer left patched',
  );
  await inspector.close();
  model.dispose();
}

t.test('a lens that needs what tfjs cannot give', async (tt) => {
  await refused(
    tt,
    { select: { of: 'outputGradient', modules: {} }, reduction: { op: 'l2' } },
    'outputGradient',
    '@monitorch/backend-onnx',
  );
  await refused(
    tt,
    { select: { of: 'output', modules: {} }, reduction: { op: 'histogram', lo: -1, hi: 1, bins: 4 } },
    'histogram',
    'parameter snapshots',
  );
  await refused(
    tt,
    { select: { of: 'output', modules: { names: ['lin1'] } }, reduction: { op: 'sum' } },
    'module "lin1"',
    'lin1.relu',
  );
});

t.test('singularRatio on snapshots: refused while core has no kernel, else answered by it', async (tt) => {
  let kernel = true;
  try {
    reduce(new Float32Array([1, 0, 0, 1]), [2, 2], { op: 'singularRatio' });
  } catch {
    kernel = false;
  }
  const request = { select: { of: 'parameter', parameters: ['weight'] }, reduction: { op: 'singularRatio' } } as const;
  if (!kernel) {
    await refused(tt, request, 'singularRatio', 'kernel');
    return;
  }
  const model = tinyMlp();
  const lens = new RecordingLens([request]);
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(new TfjsAdapter(model));
  inspector.events.emitter.emit('snapshot', 'request');
  tt.equal(lens.events.length, 2, 'one answer per weight');
  await inspector.close();
});
