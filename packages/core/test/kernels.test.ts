import t from 'tap';
import {
  MonitorchError,
  activeCountPerChannel,
  activeCountPerNeuron,
  l2,
  max,
  min,
  nonFinite,
  reduce,
  SeriesStats,
  sum,
  sumSquares,
  type ActiveCountResult,
} from '@monitorch/core';
import { mulberry32 } from '../../../test/helpers/prng.js';

const f32 = (xs: number[]): Float32Array => new Float32Array(xs);
const f64 = (xs: number[]): Float64Array => new Float64Array(xs);
const EPS = 1e-8;

/** monitorch's batch sample from per-channel counts: mean rate and fraction of dead channels. */
function rates(r: ActiveCountResult): { rate: number[]; activation: number; death: number } {
  const rate = Array.from(r.counts, (k) => k / r.size);
  const activation = rate.reduce((a, b) => a + b, 0) / rate.length;
  const death = rate.filter((x) => x === 0).length / rate.length;
  return { rate, activation, death };
}

/** Independent reference: walks every multi-index and picks the channel coordinate. */
function naiveCounts(data: ArrayLike<number>, shape: number[], channelDim: number, eps: number) {
  const channels = shape[channelDim] ?? 1;
  const counts = new Array<number>(channels).fill(0);
  const finite = new Array<number>(channels).fill(0);
  let nonFinite = 0;
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < data.length; flat++) {
    const x = data[flat] as number;
    const c = shape.length === 1 && channelDim !== 0 ? 0 : (index[channelDim] as number);
    if (!Number.isFinite(x)) nonFinite++;
    else {
      finite[c] = (finite[c] as number) + 1;
      if (Math.abs(x) > eps) counts[c] = (counts[c] as number) + 1;
    }
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      if ((index[d] as number) < (shape[d] as number)) break;
      index[d] = 0;
    }
  }
  const size = channels === 0 ? 0 : data.length / channels;
  // The per-unit finite counts are part of the answer only when some entry is not finite.
  return nonFinite > 0 ? { counts, size, nonFinite, finite } : { counts, size, nonFinite };
}

const prng = mulberry32;

t.test('worked example A: conv output [2,3,2,2]', (t) => {
  // sample-major, then channel, then H, W
  const data = f32([
    0.5, 0, 0, 2, /* ch1 */ 0, 0, 0, 0, /* ch2 */ 1, 1, 1, 1e-9, 0, 0, 0, 3, /* ch1 */ 0, 0, 0, 0, /* ch2 */ -1, 0, 0,
    0,
  ]);
  const r = activeCountPerChannel(data, [2, 3, 2, 2], EPS);
  t.same(Array.from(r.counts), [3, 0, 4]);
  t.equal(r.size, 8);
  t.equal(r.nonFinite, 0);
  const s = rates(r);
  t.same(s.rate, [0.375, 0, 0.5]);
  t.ok(Math.abs(s.activation - 0.291667) < 1e-6);
  t.equal(s.death, 1 / 3);
  t.end();
});

t.test('worked example B: [2,3,2] channel-last and channel-first', (t) => {
  const data = f32([1, 0, 0, 0, 2, 0, /* sample 1 */ 0, 0, 3, 0, 0, 0]);
  const last = activeCountPerChannel(data, [2, 3, 2], EPS, true);
  t.same(Array.from(last.counts), [3, 0]);
  t.equal(last.size, 6);
  t.same([rates(last).activation, rates(last).death], [0.25, 0.5]);
  const first = activeCountPerChannel(data, [2, 3, 2], EPS);
  t.same(Array.from(first.counts), [1, 1, 1]);
  t.equal(first.size, 4);
  t.same([rates(first).activation, rates(first).death], [0.25, 0]);
  t.end();
});

t.test('worked example C: three [2,4] batches give the documented samples', (t) => {
  const batches = [
    [1, 0, 0, 0, 2, 0, 0, 0],
    [1, 1, 0, 0, 0, 5, 0, 0],
    [1, 1, 1, 1, -1, 1, 1, 1],
  ].map((b) => rates(activeCountPerChannel(f32(b), [2, 4], EPS)));
  t.same(
    batches.map((b) => b.rate),
    [
      [1, 0, 0, 0],
      [0.5, 1, 0, 0],
      [1, 1, 1, 1],
    ],
  );
  t.same(
    batches.map((b) => b.activation),
    [0.25, 0.375, 1],
  );
  t.same(
    batches.map((b) => b.death),
    [0.75, 0.5, 0],
  );
  // folded over the epoch as a lens does
  const epoch = new SeriesStats();
  for (const b of batches) epoch.add(b.activation);
  const s = epoch.summary();
  t.ok(Math.abs((s.mean as number) - 0.541667) < 1e-6);
  t.ok(Math.abs((s.std as number) ** 2 - 0.107639) < 1e-6);
  t.same([s.min, s.max, s.median, s.q1, s.q3], [0.25, 1, 0.375, 0.25, 0.375]);
  t.end();
});

t.test('worked example D: Linear(4→3) gradients and a conv weight gradient', (t) => {
  const w = activeCountPerNeuron(f32([0.1, 0, -0.2, 0, 0, 0, 0, 0, 1e-9, 0.3, 0.3, 0.3]), [3, 4], EPS);
  t.same(Array.from(w.counts), [2, 0, 3]);
  t.equal(w.size, 4);
  t.ok(Math.abs(rates(w).activation - 0.416667) < 1e-6);
  t.equal(rates(w).death, 1 / 3);
  const b = activeCountPerNeuron(f32([0.5, 0, -0.1]), [3], EPS);
  t.same(Array.from(b.counts), [1, 0, 1]);
  t.equal(b.size, 1);
  t.same([rates(b).activation, rates(b).death], [2 / 3, 1 / 3]);
  const conv = activeCountPerNeuron(f32([0, 0, 0.7, 0, 0, 0, 0, 0]), [2, 1, 2, 2], EPS);
  t.same(Array.from(conv.counts), [1, 0]);
  t.equal(conv.size, 4);
  t.same([rates(conv).activation, rates(conv).death], [0.125, 0.5]);
  t.end();
});

t.test('hand-computed layouts', (t) => {
  // [N, F] = [2, 3]
  const nf = activeCountPerChannel(f32([0, 1, 2, 0, 0, -3]), [2, 3], EPS);
  t.same([Array.from(nf.counts), nf.size], [[0, 1, 2], 2]);
  // [N, T, F] = [2, 2, 3] channels-last: features are channels
  const ntf = activeCountPerChannel(f32([1, 0, 0, 0, 0, 5, /* s1 */ 0, 0, 0, 2, 0, 1e-9]), [2, 2, 3], EPS, true);
  t.same([Array.from(ntf.counts), ntf.size], [[2, 0, 1], 4]);
  // [N, H, W, C] = [1, 2, 2, 2] channels-last
  const nhwc = activeCountPerChannel(f32([1, 0, 0, 2, 3, 0, 0, 0]), [1, 2, 2, 2], EPS, true);
  t.same([Array.from(nhwc.counts), nhwc.size], [[2, 1], 4]);
  // [N, C, H, W] = [2, 2, 1, 3]
  const nchw = activeCountPerChannel(f32([1, 2, 0, 0, 0, 0, /* s1 */ 0, 0, 4, -1, -1, -1]), [2, 2, 1, 3], EPS);
  t.same([Array.from(nchw.counts), nchw.size], [[3, 3], 6]);
  // [out, in, kh, kw] = [2, 2, 1, 2] per neuron
  const oikk = activeCountPerNeuron(f32([1, 0, 0, 0, 1, 1, 1, -1]), [2, 2, 1, 2], EPS);
  t.same([Array.from(oikk.counts), oikk.size], [[1, 4], 4]);
  // a 1-D [N] tensor is one channel
  const oneD = activeCountPerChannel(f32([0, 1, 0, 2, 0]), [5], EPS);
  t.same([Array.from(oneD.counts), oneD.size], [[2], 5]);
  const oneDLast = activeCountPerChannel(f32([0, 1, 0, 2, 0]), [5], EPS, true);
  t.same([Array.from(oneDLast.counts), oneDLast.size], [[2], 5]);
  t.end();
});

t.test('eps boundary: below and exactly eps are inactive, negatives count', (t) => {
  const data = f64([1e-9, -1, 1e-8, -1e-8, 0, 2e-8, -0]);
  t.same(Array.from(activeCountPerChannel(data, [7], 1e-8).counts), [2]);
  t.same(Array.from(activeCountPerNeuron(data, [7], 1e-8).counts), [0, 1, 0, 0, 0, 1, 0]);
  // float32 data against an eps that is exactly a float32 value
  const e = Math.fround(1e-8);
  const d32 = f32([e, -e, 1e-9, -1, 2 * e]);
  t.same(Array.from(activeCountPerChannel(d32, [5], e).counts), [2]);
  // eps 0 counts every non-zero
  t.same(Array.from(activeCountPerChannel(d32, [5], 0).counts), [5]);
  t.end();
});

t.test('NaN and ±Infinity are counted, never active', (t) => {
  const data = f32([NaN, 1, Infinity, -Infinity, 0, 2]);
  const cf = activeCountPerChannel(data, [3, 2], EPS);
  t.same([Array.from(cf.counts), cf.size, cf.nonFinite], [[0, 2], 3, 3]);
  const cl = activeCountPerChannel(data, [1, 3, 2], EPS, true);
  t.same([Array.from(cl.counts), cl.size, cl.nonFinite], [[0, 2], 3, 3]);
  const runs = activeCountPerChannel(data, [1, 2, 3], EPS);
  t.same([Array.from(runs.counts), runs.size, runs.nonFinite], [[1, 1], 3, 3]);
  const neuron = activeCountPerNeuron(data, [2, 3], EPS);
  t.same([Array.from(neuron.counts), neuron.nonFinite], [[1, 1], 3]);
  // per-unit finite entries: the denominators of the rates (docs/semantics-decisions.md)
  t.same(Array.from(cf.finite ?? []), [1, 2]);
  t.same(Array.from(cl.finite ?? []), [1, 2]);
  t.same(Array.from(runs.finite ?? []), [1, 2]);
  t.same(Array.from(neuron.finite ?? []), [1, 2]);
  t.equal(activeCountPerChannel(f32([1, 0]), [2], EPS).finite, undefined, 'all finite: no finite part');
  t.same(nonFinite(data, [6]), { nan: 1, inf: 2 });
  t.same(nonFinite(f32([1, 2]), [2]), { nan: 0, inf: 0 });
  t.end();
});

t.test('Float64Array input gives the same answers as Float32Array', (t) => {
  const xs = [0.5, 0, 0, 2, 0, 0, 0, 0, 1, 1, 1, 1e-9, 0, 0, 0, 3, 0, 0, 0, 0, -1, 0, 0, 0];
  const a = activeCountPerChannel(f64(xs), [2, 3, 2, 2], EPS);
  t.same(Array.from(a.counts), [3, 0, 4]);
  t.equal(a.size, 8);
  t.same(Array.from(activeCountPerChannel(f64(xs), [2, 3, 4], EPS, true).counts), [3, 1, 1, 2]);
  t.ok(Math.abs(sum(f64(xs), [24]) - (7.5 + 1e-9)) < 1e-15);
  t.end();
});

t.test('§3.4 reduce_activation_to_activation_rates vectors, as counts / size', (t) => {
  const cube = [1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1];
  const perChannel = (xs: number[], shape: number[]) => {
    const r = activeCountPerChannel(f32(xs), shape, EPS);
    return Array.from(r.counts, (k) => k / r.size);
  };
  const perNeuron = (xs: number[], shape: number[]) => {
    const r = activeCountPerNeuron(f32(xs), shape, EPS);
    return Array.from(r.counts, (k) => k / r.size);
  };
  t.same(perChannel([1, 0, 1], [1, 3]), [1, 0, 1]);
  t.same(perChannel([1, 1, 0, 0, 0, 0, 1, 1], [2, 4]), [0.5, 0.5, 0.5, 0.5]);
  t.same(perChannel(cube, [3, 3, 2]), [0.5, 1 / 3, 2 / 3]);
  t.same(perNeuron([1, 0, 1], [1, 3]), [2 / 3]);
  t.same(perNeuron([1, 1, 0, 0, 0, 0, 1, 1], [2, 4]), [0.5, 0.5]);
  t.same(perNeuron(cube, [3, 3, 2]), [0.5, 0.5, 0.5]);
  t.end();
});

t.test('shape and argument errors carry stable codes', (t) => {
  const data = f32([1, 2, 3, 4, 5]);
  const caught = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    return undefined;
  };
  const mismatch = (fn: () => unknown) => {
    const e = caught(fn);
    t.ok(
      e instanceof MonitorchError &&
        e.code === 'SHAPE_MISMATCH' &&
        /\b6\b/.test(e.message) &&
        /\b5\b/.test(e.message) &&
        e.details.expected === 6 &&
        e.details.actual === 5,
      String(e),
    );
  };
  mismatch(() => activeCountPerChannel(data, [2, 3], EPS));
  mismatch(() => activeCountPerNeuron(data, [2, 3], EPS));
  mismatch(() => sum(data, [2, 3]));
  mismatch(() => reduce(data, [3, 2], { op: 'l2' }));
  const invalid = (fn: () => unknown) => {
    const e = caught(fn);
    t.ok(e instanceof MonitorchError && e.code === 'INVALID_ARGUMENT', String(e));
  };
  invalid(() => activeCountPerChannel(data, [5, -1], EPS));
  invalid(() => activeCountPerChannel(data, [2.5, 2], EPS));
  invalid(() => activeCountPerChannel(data, [5], -1));
  invalid(() => activeCountPerChannel(data, [5], NaN));
  invalid(() => activeCountPerChannel(f32([1]), [], EPS));
  invalid(() => reduce(data, [5], { op: 'median' } as unknown as { op: 'sum' }));
  invalid(() => reduce(data, [5], { op: 'activeCount', per: 'row', eps: EPS } as unknown as { op: 'sum' }));
  // a scalar is fine for the whole-tensor reductions
  t.equal(sum(f32([4]), []), 4);
  t.end();
});

t.test('whole-tensor reductions', (t) => {
  const xs = [3, -4, 0.5, 0, 12, -0.25, 1];
  const data = f32(xs);
  const shape = [7];
  t.equal(sum(data, shape), 12.25);
  t.equal(sumSquares(data, shape), 9 + 16 + 0.25 + 144 + 0.0625 + 1);
  t.equal(l2(data, shape), Math.sqrt(170.3125));
  t.equal(min(data, shape), -4);
  t.equal(max(data, shape), 12);
  t.same(reduce(data, shape, { op: 'sum' }), { op: 'sum', value: 12.25 });
  t.same(reduce(data, shape, { op: 'sumSquares' }), { op: 'sumSquares', value: 170.3125 });
  t.same(reduce(data, shape, { op: 'l2' }), { op: 'l2', value: Math.sqrt(170.3125) });
  t.same(reduce(data, shape, { op: 'min' }), { op: 'min', value: -4 });
  t.same(reduce(data, shape, { op: 'max' }), { op: 'max', value: 12 });
  t.same(reduce(f32([NaN, Infinity]), [2], { op: 'nonFinite' }), { op: 'nonFinite', nan: 1, inf: 1 });
  const ac = reduce(f32([0, 1, 2, 0]), [2, 2], { op: 'activeCount', per: 'channel', eps: EPS });
  t.same(ac.op === 'activeCount' ? [Array.from(ac.counts), ac.size] : null, [[1, 1], 2]);
  const acl = reduce(f32([0, 1, 2, 0, 0, 0]), [1, 3, 2], {
    op: 'activeCount',
    per: 'channel',
    eps: EPS,
    channelsLast: true,
  });
  t.same(acl.op === 'activeCount' ? Array.from(acl.counts) : null, [1, 1]);
  const acn = reduce(f32([0, 1, 2, 0]), [2, 2], { op: 'activeCount', per: 'neuron', eps: 1.5 });
  t.same(acn.op === 'activeCount' ? Array.from(acn.counts) : null, [0, 1]);
  // NaN is never hidden behind a plausible extreme; empty tensors give the fold identities
  t.ok(Number.isNaN(min(f32([1, NaN, -2]), [3])));
  t.ok(Number.isNaN(max(f32([1, NaN, -2]), [3])));
  t.equal(min(f32([1, -Infinity]), [2]), -Infinity);
  t.equal(max(f32([1, Infinity]), [2]), Infinity);
  t.equal(min(f32([]), [0]), Infinity);
  t.equal(max(f32([]), [2, 0]), -Infinity);
  t.equal(sum(f32([]), [0]), 0);
  // float64 squares that overflow are rescaled: a finite tensor gets a finite norm
  t.ok(Math.abs(l2(f64([3e200, 4e200]), [2]) / 5e200 - 1) < 1e-15);
  t.equal(l2(f64([Infinity, 1]), [2]), Infinity);
  t.end();
});

t.test('random shapes and layouts agree with an index-walking reference', (t) => {
  const rand = prng(20240611);
  const cases: { shape: number[]; last?: boolean; neuron?: boolean }[] = [
    { shape: [3, 5, 4, 6] },
    { shape: [4, 7] },
    { shape: [2, 3, 5, 9], last: true },
    { shape: [3, 11, 1], last: true },
    { shape: [5, 4, 1] },
    { shape: [2, 5000], last: true }, // more channels than one block of the strided loop
    { shape: [700, 1], last: true },
    { shape: [6, 4, 3, 3], neuron: true },
    { shape: [9], neuron: true },
    { shape: [0, 3, 2] },
    { shape: [2, 0, 3], last: true },
  ];
  for (const { shape, last = false, neuron = false } of cases) {
    for (const poison of [false, true]) {
      const length = shape.reduce((a, b) => a * b, 1);
      const xs = Array.from({ length }, () => {
        const u = rand();
        if (poison && u < 0.03) return [NaN, Infinity, -Infinity][Math.floor(rand() * 3)] as number;
        return u < 0.5 ? 0 : u < 0.55 ? 5e-9 : (rand() - 0.5) * 4;
      });
      for (const data of [f32(xs), f64(xs)]) {
        const got = neuron ? activeCountPerNeuron(data, shape, EPS) : activeCountPerChannel(data, shape, EPS, last);
        const channelDim = neuron ? 0 : last ? shape.length - 1 : shape.length === 1 ? -1 : 1;
        const want = naiveCounts(data, shape, channelDim, EPS);
        t.same(
          {
            counts: Array.from(got.counts),
            size: got.size,
            nonFinite: got.nonFinite,
            ...(got.nonFinite > 0 ? { finite: Array.from(got.finite ?? []) } : {}),
          },
          want,
          `${JSON.stringify(shape)} last=${last} neuron=${neuron} poison=${poison} ${data.constructor.name}`,
        );
      }
    }
  }
  t.end();
});
