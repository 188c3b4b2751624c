import { spawnSync } from 'node:child_process';
import t from 'tap';
import { histogram, previousDot, reduce, sampleL2, singularRatio, updateRatio } from '@monitorch/core';
import { mulberry32 } from '../../../test/helpers/prng.js';

const f32 = (xs: number[]): Float32Array => new Float32Array(xs);
const f64 = (xs: number[]): Float64Array => new Float64Array(xs);

/** Worked example A (semantics §2.2), conv output [2, 3, 2, 2]. */
const EXAMPLE_A = f32([0.5, 0, 0, 2, 0, 0, 0, 0, 1, 1, 1, 1e-9, 0, 0, 0, 3, 0, 0, 0, 0, -1, 0, 0, 0]);
/** Worked example D (semantics §2.3), a Linear(4→3) weight gradient; ‖G‖ = √0.32. */
const G = [0.1, 0, -0.2, 0, 0, 0, 0, 0, 1e-9, 0.3, 0.3, 0.3];

t.test('sampleL2: worked example of §2.4 (OutputNorm on example A)', (t) => {
  const v = sampleL2(EXAMPLE_A, [2, 3, 2, 2]);
  // Per-sample norms √7.25 and √10.
  t.ok(Math.abs(v - (Math.sqrt(7.25) + Math.sqrt(10)) / 2) < 1e-6);
  t.ok(Math.abs(v - 2.92743) < 1e-6);
  t.ok(Math.abs(v / Math.sqrt(12) - 0.845077) < 1e-6, 'normalised by √numel(y[0])');
  const r = reduce(EXAMPLE_A, [2, 3, 2, 2], { op: 'sampleL2' });
  t.same(r, { op: 'sampleL2', value: v });
  t.end();
});

t.test('sampleL2: rank 1, empty batch, non-finite, overflow, scalar', (t) => {
  t.equal(sampleL2(f32([3, -4, 0]), [3]), 7 / 3, 'rank 1: mean |x_b|');
  t.ok(Number.isNaN(sampleL2(f32([]), [0, 4])), 'no sample to average');
  t.ok(Number.isNaN(sampleL2(f32([1, Number.NaN, 0, 1]), [2, 2])));
  t.ok(Number.isNaN(sampleL2(f32([1, Number.POSITIVE_INFINITY, 0, 1]), [2, 2])));
  const big = sampleL2(f64([3e200, 4e200, 0, 0]), [2, 2]);
  t.ok(Math.abs(big / 2.5e200 - 1) < 1e-12, 'float64 squares overflow: rescaled');
  t.throws(() => sampleL2(f32([1]), []), { code: 'INVALID_ARGUMENT' });
  t.throws(() => sampleL2(f32([1, 2]), [3]), { code: 'SHAPE_MISMATCH' });
  t.end();
});

t.test('previousDot: worked example of §2.6 (G, 2G, −G)', (t) => {
  const shape = [3, 4];
  const tensors = [G, G.map((x) => 2 * x), G.map((x) => -x)].map(f64);
  const norms = [0.565685, 1.131371, 0.565685];
  const cosines: number[] = [];
  let previous: Float64Array | undefined;
  tensors.forEach((x, k) => {
    const r = previousDot(x, shape, previous);
    t.ok(Math.abs(r.norm - (norms[k] as number)) < 1e-6, `norm ${k}`);
    t.ok(Math.abs(r.norm / Math.sqrt(12) - (norms[k] as number) / Math.sqrt(12)) < 1e-6);
    if (r.previousNorm > 0) cosines.push(r.dot / (r.norm * r.previousNorm));
    else t.equal(k, 0, 'only the first has no previous tensor');
    previous = x;
  });
  t.equal(cosines.length, 2, 'first correlation skipped');
  t.ok(Math.abs((cosines[0] as number) - 1) < 1e-12);
  t.ok(Math.abs((cosines[1] as number) + 1) < 1e-12);
  t.ok(Math.abs(0.565685 - Math.sqrt(0.32)) < 1e-6);
  t.end();
});

t.test('previousDot: no previous, other size, hand-computed dot, through reduce()', (t) => {
  t.same(previousDot(f32([3, 4]), [2]), { dot: 0, norm: 5, previousNorm: 0 });
  t.same(previousDot(f32([3, 4]), [2], f32([1, 2, 3])), { dot: 0, norm: 5, previousNorm: 0 });
  t.same(previousDot(f32([1, 2, 3]), [3], f32([4, -5, 6])), {
    dot: 12,
    norm: Math.sqrt(14),
    previousNorm: Math.sqrt(77),
  });
  t.same(reduce(f32([1, 2, 3]), [3], { op: 'previousDot' }, { previous: f32([0, 0, 1]) }), {
    op: 'previousDot',
    dot: 3,
    norm: Math.sqrt(14),
    previousNorm: 1,
  });
  t.ok(Number.isNaN(previousDot(f32([1, Number.NaN]), [2], f32([1, 1])).dot));
  t.end();
});

t.test('updateRatio: ‖Δ‖/‖P_before‖ by hand, zero parameter, missing parameter', (t) => {
  t.equal(updateRatio(f64([0.3, 0.4]), [2], f64([3, 4])), Math.hypot(0.3, 0.4) / 5);
  t.equal(reduce(f32([0.3, 0.4]), [1, 2], { op: 'updateRatio' }, { parameter: f32([6, 8]) }).op, 'updateRatio');
  t.equal(updateRatio(f32([1, 0]), [2], f32([0, 0])), Number.POSITIVE_INFINITY, 'a zero bias moved');
  t.ok(Number.isNaN(updateRatio(f32([0, 0]), [2], f32([0, 0]))));
  t.throws(() => updateRatio(f32([1, 0]), [2], f32([1])), { code: 'SHAPE_MISMATCH' });
  t.throws(() => reduce(f32([1, 0]), [2], { op: 'updateRatio' }), {
    code: 'INVALID_ARGUMENT',
    message: /before the step/,
  });
  t.end();
});

/** Row-major product of an [m, k] and a [k, n] matrix. */
function matmul(a: number[], b: number[], m: number, k: number, n: number): number[] {
  const c = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let l = 0; l < k; l++)
      for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j] ?? 0) + a[i * k + l]! * b[l * n + j]!;
  return c;
}

/** A random n×n orthogonal matrix: Gram–Schmidt on seeded random columns. */
function orthogonal(n: number, seed: number): number[] {
  const rnd = mulberry32(seed);
  const q: number[][] = [];
  while (q.length < n) {
    const v = Array.from({ length: n }, () => rnd() - 0.5);
    for (const u of q) {
      const d = v.reduce((s, x, i) => s + x * u[i]!, 0);
      for (let i = 0; i < n; i++) v[i]! -= d * u[i]!;
    }
    const norm = Math.hypot(...v);
    q.push(v.map((x) => x / norm));
  }
  return q.flat();
}

t.test('singularRatio: closed forms', (t) => {
  // Diagonal 3×3 with singular values 4, 2, 0.5 → 0.125.
  const d = singularRatio(f64([4, 0, 0, 0, -2, 0, 0, 0, 0.5]), [3, 3]);
  t.ok(Math.abs(d.sigmaMax - 4) < 1e-12 && Math.abs(d.sigmaMin - 0.5) < 1e-12 && Math.abs(d.value - 0.125) < 1e-12);
  // U · diag(s) · Vᵀ with random orthogonal U (5×5) and V (3×3): σ = s exactly.
  const s = [3, 1.5, 0.01];
  const u = orthogonal(5, 7);
  const v = orthogonal(3, 11);
  const sigma = new Array<number>(15).fill(0);
  s.forEach((x, i) => (sigma[i * 3 + i] = x));
  const vt = Array.from({ length: 9 }, (_, k) => v[(k % 3) * 3 + Math.floor(k / 3)]!);
  const a = matmul(matmul(u, sigma, 5, 5, 3), vt, 5, 3, 3);
  const tall = singularRatio(f64(a), [5, 3]);
  t.ok(Math.abs(tall.sigmaMax - 3) < 1e-10 && Math.abs(tall.sigmaMin - 0.01) < 1e-9, 'tall: Aᵀ·A path');
  const at = Array.from({ length: 15 }, (_, k) => a[(k % 5) * 3 + Math.floor(k / 5)]!);
  const wide = singularRatio(f64(at), [3, 5]);
  t.ok(Math.abs(wide.value - 0.01 / 3) < 1e-9, 'wide: A·Aᵀ path, same σ for the transpose');
  // Conv weight [2, 1, 2, 2] → [2, 4]: rows (1,0,0,0) and (0,0,2,0): σ = 2 and 1.
  t.ok(Math.abs(singularRatio(f32([1, 0, 0, 0, 0, 0, 2, 0]), [2, 1, 2, 2]).value - 0.5) < 1e-12);
  t.end();
});

t.test('singularRatio: rank-deficient → 0, all-zero/non-finite → NaN, rank < 2 refused', (t) => {
  // Row 2 = row 0 + row 1: rank 2 of 3.
  const r = singularRatio(f64([1, 2, 3, 4, 0.5, -1, 7, 0.25, 1.5, 1, 10, 4.25]), [3, 4]);
  t.equal(r.sigmaMin, 0);
  t.equal(r.value, 0);
  t.ok(r.sigmaMax > 0);
  t.equal(singularRatio(f32([1, 2, 3, 2, 4, 6]), [2, 3]).value, 0, 'parallel rows');
  const z = singularRatio(f32([0, 0, 0, 0]), [2, 2]);
  t.ok(Number.isNaN(z.value) && z.sigmaMax === 0);
  t.ok(Number.isNaN(singularRatio(f32([1, Number.NaN, 0, 1]), [2, 2]).value));
  t.ok(Number.isNaN(singularRatio(f32([]), [0, 3]).value));
  t.throws(() => singularRatio(f32([1, 2]), [2]), { code: 'INVALID_ARGUMENT' });
  t.end();
});

/** σ_max by power iteration on AᵀA (an independent method), and σ_min by inverse-free shift. */
function powerSigmaMax(a: Float32Array, rows: number, cols: number): number {
  let x = new Float64Array(cols).fill(1);
  let sigma = 0;
  for (let it = 0; it < 500; it++) {
    const y = new Float64Array(rows);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y[i]! += a[i * cols + j]! * x[j]!;
    const z = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) z[j]! += a[i * cols + j]! * y[i]!;
    const n = Math.hypot(...z);
    sigma = Math.sqrt(n / Math.hypot(...x));
    x = z.map((v) => v / n);
  }
  return sigma;
}

t.test('singularRatio: σ_max agrees with power iteration on a random conv weight', (t) => {
  const rnd = mulberry32(3);
  const w = Float32Array.from({ length: 16 * 8 * 3 * 3 }, () => rnd() - 0.5);
  const r = singularRatio(w, [16, 8, 3, 3]);
  t.ok(Math.abs(r.sigmaMax / powerSigmaMax(w, 16, 72) - 1) < 1e-9);
  t.ok(r.value > 0 && r.value < 1);
  t.end();
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

t.test(
  'singularRatio: cross-check against numpy (when python3 with numpy is on PATH)',
  { skip: hasNumpy ? false : 'python3 with numpy not available' },
  (t) => {
    const rnd = mulberry32(5);
    const cases: number[][] = [
      [12, 40],
      [40, 12],
      [10, 3, 3, 3],
    ];
    for (const shape of cases) {
      const n = shape.reduce((a, b) => a * b, 1);
      const w = Float64Array.from({ length: n }, () => rnd() * 2 - 1);
      const script =
        'import sys, json, numpy as np\n' +
        'd = json.loads(sys.stdin.read())\n' +
        'a = np.array(d["w"], dtype=np.float64).reshape(d["shape"][0], -1)\n' +
        's = np.linalg.svd(a, compute_uv=False)\n' +
        'print(json.dumps([float(s.min()), float(s.max())]))\n';
      const out = spawnSync('python3', ['-c', script], {
        input: JSON.stringify({ w: Array.from(w), shape }),
        encoding: 'utf8',
      });
      const [lo, hi] = JSON.parse(out.stdout) as [number, number];
      const r = singularRatio(w, shape);
      t.ok(Math.abs(r.sigmaMin / lo - 1) < 1e-9, `σ_min of [${shape.join(', ')}]`);
      t.ok(Math.abs(r.sigmaMax / hi - 1) < 1e-12, `σ_max of [${shape.join(', ')}]`);
    }
    t.end();
  },
);

t.test('histogram: hand-computed bins, edges, outside and non-finite entries', (t) => {
  const x = f32([-1, 0, 0.25, 0.49, 0.5, 0.99, 1, 2, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  const h = histogram(x, [11], 0, 1, 2);
  t.same(Array.from(h.counts), [3, 2], '[0, 0.5) holds 0, 0.25, 0.49; [0.5, 1) holds 0.5, 0.99');
  t.equal(h.below, 1);
  t.equal(h.above, 2, '1 and 2: hi is excluded');
  t.equal(h.nonFinite, 3);
  const r = reduce(x, [11], { op: 'histogram', lo: 0, hi: 1, bins: 2 });
  t.same(r, { op: 'histogram', counts: h.counts, below: 1, above: 2, nonFinite: 3 });
  // Rounding just below hi stays in the last bin; every entry counted once.
  const y = f64([0.3 - 1e-17, 0.1, 0.2, 0.29999999999999993]);
  const k = histogram(y, [4], 0, 0.3, 3);
  t.equal(Array.from(k.counts).reduce((a, b) => a + b, 0) + k.below + k.above + k.nonFinite, 4);
  t.end();
});

t.test('histogram: agrees with a naive edge-by-edge count on random data', (t) => {
  const rnd = mulberry32(9);
  const x = Float32Array.from({ length: 5000 }, () => (rnd() - 0.3) * 8);
  const lo = -1.5;
  const hi = 3.25;
  const bins = 19;
  const h = histogram(x, [50, 100], lo, hi, bins);
  const w = (hi - lo) / bins;
  const naive = new Array<number>(bins).fill(0);
  let below = 0;
  let above = 0;
  for (const v of x) {
    if (v < lo) below++;
    else if (v >= hi) above++;
    else
      for (let k = 0; k < bins; k++)
        if (v >= lo + k * w && (v < lo + (k + 1) * w || k === bins - 1)) {
          naive[k]!++;
          break;
        }
  }
  t.same(Array.from(h.counts), naive);
  t.equal(h.below, below);
  t.equal(h.above, above);
  t.end();
});

t.test('histogram: bad edges and bins are typed errors', (t) => {
  const bad = (lo: number, hi: number, bins: number): void => {
    t.throws(() => histogram(f32([1]), [1], lo, hi, bins), { code: 'INVALID_ARGUMENT' });
  };
  bad(1, 1, 4);
  bad(2, 1, 4);
  bad(Number.NaN, 1, 4);
  bad(0, Number.POSITIVE_INFINITY, 4);
  bad(-1e308, 1e308, 4);
  bad(0, 1, 0);
  bad(0, 1, 2.5);
  bad(0, 1, 1e6);
  t.end();
});
