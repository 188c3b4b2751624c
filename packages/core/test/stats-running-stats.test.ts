import t from 'tap';
import { RunningStats } from '@monitorch/core';
import { mulberry32 } from '../../../test/helpers/prng.js';

const prng = mulberry32;

/** Naive two-pass reference: mean, then the mean of squared deviations (population). */
function twoPass(xs: readonly number[]): { mean: number; variance: number; min: number; max: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
  return { mean, variance, min: Math.min(...xs), max: Math.max(...xs) };
}

function relErr(got: number, want: number): number {
  return want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
}

const rand = prng(7);
const student1 = () => Math.tan(Math.PI * (rand() - 0.5)); // Student-t with 1 dof (Cauchy)
// The §5.1 sequences: [1..9, 0], moderate reals, heavy tails, and two longer series.
const sequences: Record<string, number[]> = {
  'one to nine then zero': [1, 2, 3, 4, 5, 6, 7, 8, 9, 0],
  'ten moderate reals': Array.from({ length: 10 }, () => (rand() - 0.5) * 20),
  'heavy-tailed Student-t(1)': Array.from({ length: 100 }, student1),
  'fifty values': Array.from({ length: 50 }, () => rand() * 3 + 1),
  'hundred values': Array.from({ length: 100 }, () => (rand() + rand() + rand() - 1.5) * 2),
};

t.test('a fresh summary is empty and reports nulls', (t) => {
  const s = new RunningStats();
  t.same([s.count, s.mean, s.variance, s.std, s.nonFinite], [0, 0, 0, 0, 0]);
  t.same(s.summary(), { count: 0, mean: null, std: null, min: null, max: null });
  t.end();
});

for (const [name, xs] of Object.entries(sequences)) {
  t.test(`after every add, Welford equals two passes: ${name}`, (t) => {
    const s = new RunningStats();
    let worstMean = 0;
    let worstVar = 0;
    for (let i = 0; i < xs.length; i++) {
      s.add(xs[i] as number);
      const want = twoPass(xs.slice(0, i + 1));
      t.equal(s.count, i + 1);
      worstMean = Math.max(worstMean, relErr(s.mean, want.mean));
      if (i > 0) worstVar = Math.max(worstVar, relErr(s.variance, want.variance));
      t.equal(s.min, want.min);
      t.equal(s.max, want.max);
    }
    t.ok(worstMean <= 1e-12, `mean within 1e-12 relative (worst ${worstMean})`);
    t.ok(worstVar <= 1e-12, `variance within 1e-12 relative (worst ${worstVar})`);
    t.end();
  });
}

t.test('a large offset does not wreck the variance (where Σx² - n·mean² would)', (t) => {
  const r = prng(99);
  const deviations = Array.from({ length: 1000 }, () => r() - 0.5);
  const xs = deviations.map((d) => 1e6 + d); // exact: |d| < 1 at 1e6 keeps every bit of d
  const want = twoPass(deviations).variance; // shift-invariant, computed without the offset
  const s = RunningStats.of(xs);
  t.ok(relErr(s.variance, want) < 1e-8, `Welford relative error ${relErr(s.variance, want)}`);
  const naive = xs.reduce((a, x) => a + x * x, 0) / xs.length - (xs.reduce((a, x) => a + x, 0) / xs.length) ** 2;
  t.ok(relErr(naive, want) > 1e-6, `the textbook formula is off by ${relErr(naive, want)}`);
  t.end();
});

t.test('check values of semantics §3.2 and example C', (t) => {
  const a = RunningStats.of([1, 2, 3, 4]);
  t.same([a.mean, a.min, a.max], [2.5, 1, 4]);
  t.ok(Math.abs(a.std - 1.118034) < 1e-6);
  const b = RunningStats.of([5, 1, 4, 2, 3, 10]);
  t.ok(Math.abs(b.mean - 4.166667) < 1e-6);
  t.ok(Math.abs(b.std - 2.910708) < 1e-6);
  const activation = RunningStats.of([0.25, 0.375, 1]);
  t.ok(Math.abs(activation.mean - 0.541667) < 1e-6);
  t.ok(Math.abs(activation.variance - 0.107639) < 1e-6);
  t.ok(Math.abs(activation.std - 0.328) < 1e-3);
  t.same([activation.min, activation.max], [0.25, 1]);
  t.ok(Math.abs(RunningStats.of([0.75, 0.5, 0]).mean - 0.416667) < 1e-6);
  t.same(activation.summary(), { count: 3, mean: activation.mean, std: activation.std, min: 0.25, max: 1 });
  t.end();
});

t.test('non-finite samples are counted, never averaged in', (t) => {
  const s = RunningStats.of([1, NaN, 3, Infinity, -Infinity]);
  t.same([s.count, s.mean, s.variance, s.min, s.max, s.nonFinite], [2, 2, 1, 1, 3, 3]);
  const only = RunningStats.of([NaN]);
  t.same(only.summary(), { count: 0, mean: null, std: null, min: null, max: null });
  t.equal(only.nonFinite, 1);
  t.equal(new RunningStats().merge(s).nonFinite, 3);
  t.end();
});

/** Splits xs into `parts` consecutive pieces at random cut points (pieces may be empty). */
function split(xs: number[], parts: number, r: () => number): number[][] {
  const cuts = Array.from({ length: parts - 1 }, () => Math.floor(r() * (xs.length + 1))).sort((a, b) => a - b);
  const pieces: number[][] = [];
  let from = 0;
  for (const cut of [...cuts, xs.length]) {
    pieces.push(xs.slice(from, cut));
    from = cut;
  }
  return pieces;
}

function shuffle<T>(xs: T[], r: () => number): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

t.test('merging the parts equals the whole (200 random arrays, random splits and orders)', (t) => {
  const r = prng(2024);
  let worstMean = 0;
  let worstVar = 0;
  let failures = 0;
  let emptyParts = 0;
  for (let trial = 0; trial < 200; trial++) {
    const length = Math.floor(r() * 80);
    const scale = [1, 1e-3, 50][Math.floor(r() * 3)] as number;
    const offset = ([0, 3, -20][trial % 3] as number) * scale;
    const xs = Array.from({ length }, () => offset + (r() < 0.1 ? 100 * (r() - 0.5) : r() - 0.5) * scale);
    const whole = RunningStats.of(xs);
    const pieces = split(xs, 1 + Math.floor(r() * 6), r);
    emptyParts += pieces.filter((p) => p.length === 0).length;
    const merged = new RunningStats();
    for (const piece of shuffle(pieces, r)) merged.merge(RunningStats.of(piece));
    // A second shape of merge tree: fold the parts pairwise from the right.
    const tree = shuffle(pieces, r)
      .map((p) => RunningStats.of(p))
      .reduceRight((acc, s) => s.merge(acc), new RunningStats());
    for (const m of [merged, tree]) {
      if (m.count !== whole.count || m.min !== whole.min || m.max !== whole.max) failures++;
      if (whole.count > 0) {
        worstMean = Math.max(worstMean, relErr(m.mean, whole.mean));
        if (whole.variance > 0) worstVar = Math.max(worstVar, relErr(m.variance, whole.variance));
        else if (m.variance > 1e-30) failures++;
      }
    }
  }
  t.equal(failures, 0, 'count, min and max exact');
  t.ok(emptyParts > 20, `empty parts were exercised (${emptyParts})`);
  t.ok(worstMean <= 1e-9, `mean within 1e-9 relative (worst ${worstMean})`);
  t.ok(worstVar <= 1e-9, `variance within 1e-9 relative (worst ${worstVar})`);
  t.end();
});

t.test('merge edge cases: empty sides, self-merge, state round trip', (t) => {
  const a = RunningStats.of([1, 2, 3]);
  t.same(new RunningStats().merge(a).state(), a.state());
  t.same(a.clone().merge(new RunningStats()).state(), a.state());
  const doubled = a.clone().merge(a);
  t.same([doubled.count, doubled.mean, doubled.variance, doubled.min, doubled.max], [6, 2, 2 / 3, 1, 3]);
  const copy = RunningStats.fromState(JSON.parse(JSON.stringify(a.state())) as ReturnType<RunningStats['state']>);
  t.same(copy.state(), a.state());
  copy.add(100);
  t.equal(a.count, 3, 'copies are independent');
  t.end();
});
