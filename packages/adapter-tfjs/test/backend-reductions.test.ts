// Every reduction the tfjs adapter computes on the backend, against core's CPU kernel on the same
// tensor in the reported layout: counts equal exactly, sums and norms to float32 tolerance.
// Run on tfjs's CPU backend and on its WASM backend (the wasm files ship in the npm package).
import t, { type Test } from 'tap';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { reduce, type Reduction, type ReductionResult } from '@monitorch/core';
import { backendAnswer, floatThreshold, outputLayout, readAnswer, type TensorLayout } from '@monitorch/adapter-tfjs';
import { mulberry32 } from '../../../test/helpers/prng.js';
import { THRESHOLD_EPS, thresholdValues } from './fixtures/threshold-cases.js';

/** Entries with exact zeros, values around eps, and (optionally) NaN/±Inf holes. */
function entries(n: number, seed: number, broken: boolean): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rand();
    out[i] = u < 0.4 ? 0 : u < 0.45 ? Math.fround(1e-8) * (rand() < 0.5 ? 1 : -1) : (rand() - 0.5) * 4;
    if (broken && u > 0.97) out[i] = [Number.NaN, Infinity, -Infinity][i % 3] as number;
  }
  return out;
}

/** The tensor's entries in reported order (what a LoopAdapter would be handed). */
function reportedData(x: tf.Tensor, layout: TensorLayout): Float32Array {
  return tf.tidy(() => tf.transpose(x, [...layout.perm]).dataSync() as Float32Array);
}

async function backendResult(x: tf.Tensor, layout: TensorLayout, r: Reduction, ctx = {}): Promise<ReductionResult> {
  return readAnswer(backendAnswer(x, layout, r, ctx));
}

/** Compares answers: integer fields exactly, float fields to float32 tolerance. */
function same(tt: Test, got: ReductionResult, want: ReductionResult, what: string): void {
  const g = got as unknown as Record<string, unknown>;
  const w = want as unknown as Record<string, unknown>;
  tt.same(Object.keys(g).sort(), Object.keys(w).sort(), `${what}: fields`);
  for (const [k, wv] of Object.entries(w)) {
    const gv = g[k];
    if (wv instanceof Float64Array) tt.same(Array.from(gv as Float64Array), Array.from(wv), `${what}: ${k}`);
    else if (typeof wv === 'number' && ['value', 'dot', 'norm', 'previousNorm'].includes(k)) {
      if (Number.isNaN(wv) || !Number.isFinite(wv)) tt.same(gv, wv, `${what}: ${k}`);
      else
        tt.ok(Math.abs((gv as number) - wv) <= 2e-6 * Math.max(1, Math.abs(wv)), `${what}: ${k} ${String(gv)} ≈ ${wv}`);
    } else tt.same(gv, wv, `${what}: ${k}`);
  }
}

const SHAPES: readonly { tf: number[]; kind: 'output' | 'kernel' | 'plain' }[] = [
  { tf: [6, 3, 4, 5], kind: 'output' }, // NHWC → reported [6, 5, 3, 4]
  { tf: [4, 7, 3], kind: 'output' }, // [N, T, F] → reported [4, 3, 7]
  { tf: [8, 5], kind: 'output' },
  { tf: [9], kind: 'output' },
  { tf: [3, 3, 2, 4], kind: 'kernel' }, // [kh, kw, in, out] → reported [4, 2, 3, 3]
  { tf: [6, 5], kind: 'kernel' }, // dense [in, out] → reported [5, 6]
  { tf: [5], kind: 'plain' }, // a bias
];

function layoutOf(shape: number[], kind: 'output' | 'kernel' | 'plain'): TensorLayout {
  if (kind === 'output') return outputLayout(shape, false);
  const rank = shape.length;
  const perm =
    kind === 'kernel' && rank >= 2
      ? [rank - 1, rank - 2, ...Array.from({ length: rank - 2 }, (_, i) => i)]
      : shape.map((_, i) => i);
  return { shape: perm.map((a) => shape[a] as number), perm };
}

const OPS: readonly Reduction[] = [
  { op: 'activeCount', per: 'channel', eps: 1e-8 },
  { op: 'activeCount', per: 'channel', eps: 1e-8, channelsLast: true },
  { op: 'activeCount', per: 'neuron', eps: 0 },
  { op: 'activeCount', per: 'neuron', eps: 0.1 },
  { op: 'sum' },
  { op: 'sumSquares' },
  { op: 'min' },
  { op: 'max' },
  { op: 'l2' },
  { op: 'nonFinite' },
];

for (const backend of ['cpu', 'wasm']) {
  t.test(`${backend}: every op equals core's kernel on the reported layout`, async (tt) => {
    tt.ok(await tf.setBackend(backend), `${backend} backend starts`);
    const before = tf.memory().numTensors;
    let seed = 1;
    for (const { tf: shape, kind } of SHAPES) {
      for (const broken of [false, true]) {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = tf.tensor(entries(n, seed++, broken), shape);
        const layout = layoutOf(shape, kind);
        const data = reportedData(x, layout);
        for (const r of OPS) {
          const what = `${JSON.stringify(r)} of tf ${JSON.stringify(shape)} (${broken ? 'with NaN/Inf' : 'finite'})`;
          same(tt, await backendResult(x, layout, r), reduce(data, layout.shape, r), what);
        }
        x.dispose();
      }
    }
    tt.equal(tf.memory().numTensors, before, 'no tensor left behind');
  });

  t.test(`${backend}: sampleL2, previousDot and updateRatio by their closed forms`, async (tt) => {
    await tf.setBackend(backend);
    const x = tf.tensor([3, 4, 0, 0, 1, 0, 0, 0], [2, 2, 2, 1]); // NHWC, per-sample norms 5 and 1
    const layout = outputLayout(x.shape, false);
    same(tt, await backendResult(x, layout, { op: 'sampleL2' }), { op: 'sampleL2', value: 3 }, 'sampleL2');
    const withNaN = tf.tensor([3, Number.NaN], [2, 1]);
    const sampleNaN = await backendResult(withNaN, outputLayout([2, 1], false), { op: 'sampleL2' });
    same(tt, sampleNaN, { op: 'sampleL2', value: Number.NaN }, 'sampleL2 of a NaN entry');
    const a = tf.tensor([1, 2, 2], [3]);
    const b = tf.tensor([2, 0, 1], [3]);
    const plain = { shape: [3], perm: [0] };
    same(
      tt,
      await backendResult(a, plain, { op: 'previousDot' }),
      { op: 'previousDot', dot: 0, norm: 3, previousNorm: 0 },
      'first',
    );
    same(
      tt,
      await backendResult(b, plain, { op: 'previousDot' }, { previous: a }),
      { op: 'previousDot', dot: 4, norm: Math.sqrt(5), previousNorm: 3 },
      'against the previous tensor',
    );
    same(
      tt,
      await backendResult(b, plain, { op: 'updateRatio' }, { before: a }),
      { op: 'updateRatio', value: Math.sqrt(5) / 3 },
      'updateRatio = |Δ| / |before|',
    );
    tf.dispose([x, withNaN, a, b]);
  });
}

t.test('the float32 threshold counts exactly what core counts, where fround(eps) rounds up', async (tt) => {
  await tf.setBackend('cpu');
  tt.ok(Math.fround(0.1) > 0.1, 'fround(0.1) rounds up');
  const t32 = floatThreshold(0.1);
  tt.ok(t32 < 0.1 && Math.fround(t32) === t32, 'the threshold is a float32 below 0.1');
  tt.equal(floatThreshold(0.5), 0.5, 'an exact float32 stays');
  const x = tf.tensor([Math.fround(0.1), t32, 0.2, -Math.fround(0.1)], [4]);
  const r = { op: 'activeCount', per: 'neuron', eps: 0.1 } as const;
  const got = await backendResult(x, { shape: [4], perm: [0] }, r);
  const want = reduce(x.dataSync() as Float32Array, [4], r);
  same(tt, got, want, 'entries at fround(0.1) are active, as core says');
  tt.same(Array.from((want as { counts: Float64Array }).counts), [1, 0, 1, 1], 'core: 0.1f > 0.1');
  x.dispose();
});

for (const backend of ['cpu', 'wasm']) {
  t.test(`${backend}: entries at and next to the threshold, for every way the mask is computed`, async (tt) => {
    await tf.setBackend(backend);
    for (const eps of THRESHOLD_EPS) {
      const values = thresholdValues(eps);
      const x = tf.tensor(values, [values.length]);
      const r = { op: 'activeCount', per: 'neuron', eps } as const;
      const layout = { shape: [values.length], perm: [0] };
      same(tt, await backendResult(x, layout, r), reduce(x.dataSync() as Float32Array, layout.shape, r), `eps ${eps}`);
      x.dispose();
    }
  });
}
