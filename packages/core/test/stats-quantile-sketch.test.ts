import t from 'tap';
import { MonitorchError, QuantileSketch, SeriesStats } from '@monitorch/core';
import { closestObservationRank } from '@monitorch/core/internals';
import { mulberry32 } from '../../../test/helpers/prng.js';

const prng = mulberry32;

/**
 * Brute force, written from the semantics doc's numpy description (0-based): v = n·q − 1.5,
 * f = floor(v), g = v − f; index f when g = 0 and f is odd (floor-mod), else f + 1; clip.
 */
function closestObservation(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const n = sorted.length;
  const v = n * q - 1.5;
  const f = Math.floor(v);
  const g = v - f;
  const odd = ((f % 2) + 2) % 2 === 1;
  const index = Math.min(n - 1, Math.max(0, g === 0 && odd ? f : f + 1));
  return sorted[index] as number;
}

const sketchOf = (xs: Iterable<number>, capacity?: number): QuantileSketch => {
  const q = new QuantileSketch(capacity === undefined ? {} : { capacity });
  for (const x of xs) q.add(x);
  return q;
};

t.test('check values of semantics §3.2 (closest observation, min and Q3 fixed)', (t) => {
  const a = sketchOf([1, 2, 3, 4]);
  t.same([a.median(), a.q1(), a.q3(), a.quantile(0), a.quantile(1)], [2, 1, 3, 1, 4]);
  const b = sketchOf([5, 1, 4, 2, 3, 10]);
  t.same([b.median(), b.q1(), b.q3()], [3, 2, 4]);
  // the n = 1..10 table on data 1..n
  const table: Record<number, [number, number, number]> = {
    1: [1, 1, 1],
    2: [1, 1, 2],
    3: [2, 1, 2],
    4: [2, 1, 3],
    5: [2, 1, 4],
    6: [3, 2, 4],
    10: [5, 2, 8],
  };
  for (let n = 1; n <= 10; n++) {
    const xs = Array.from({ length: n }, (_, i) => i + 1);
    const s = sketchOf(xs.slice().reverse());
    const got = [s.median(), s.q1(), s.q3()];
    t.same(
      got,
      [0.5, 0.25, 0.75].map((q) => closestObservation(xs, q)),
      `n=${n} vs brute force`,
    );
    const row = table[n];
    if (row !== undefined) t.same(got, row, `n=${n} vs the table`);
  }
  // example C: median 0.375, Q1-Q3 (0.25, 0.375)
  const c = sketchOf([0.25, 0.375, 1]);
  t.same([c.median(), c.q1(), c.q3()], [0.375, 0.25, 0.375]);
  t.end();
});

t.test('the rank rule agrees with the brute force on many (n, q)', (t) => {
  let mismatches = 0;
  for (let n = 1; n <= 60; n++) {
    const xs = Array.from({ length: n }, (_, i) => i + 1);
    for (let k = 0; k <= 40; k++) {
      const q = k / 40;
      if (closestObservationRank(n, q) !== closestObservation(xs, q)) mismatches++;
    }
  }
  t.equal(mismatches, 0);
  t.end();
});

t.test('exact mode equals the brute force on random data, ties included', (t) => {
  const r = prng(31);
  let checked = 0;
  let mismatches = 0;
  for (let trial = 0; trial < 60; trial++) {
    const n = 1 + Math.floor(r() * 600);
    const ties = trial % 2 === 0;
    const xs = Array.from({ length: n }, () => (ties ? Math.floor(r() * 10) : (r() - 0.5) * 100));
    const s = sketchOf(xs);
    t.ok(s.isExact);
    for (const q of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1, r(), r(), r()]) {
      checked++;
      if (s.quantile(q) !== closestObservation(xs, q)) mismatches++;
    }
  }
  t.equal(mismatches, 0, `${checked} quantiles checked`);
  t.end();
});

t.test('exact merges equal the whole', (t) => {
  const r = prng(5);
  const xs = Array.from({ length: 3000 }, () => r());
  const whole = sketchOf(xs);
  const merged = sketchOf(xs.slice(2000))
    .merge(sketchOf([]))
    .merge(sketchOf(xs.slice(0, 1200)))
    .merge(sketchOf(xs.slice(1200, 2000)));
  t.ok(merged.isExact);
  t.equal(merged.count, 3000);
  for (const q of [0, 0.01, 0.25, 0.5, 0.75, 0.99, 1]) t.equal(merged.quantile(q), whole.quantile(q));
  t.end();
});

/** Distance from `rank` to the true rank interval of `v` in `sorted` (0 when inside). */
function rankDistance(sorted: Float64Array, v: number, rank: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  const below = lo;
  hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  const atMost = lo;
  return rank < below + 1 ? below + 1 - rank : rank > atMost ? rank - atMost : 0;
}

/** Worst normalised rank error over 201 quantiles. */
function worstRankError(s: QuantileSketch, sorted: Float64Array): number {
  let worst = 0;
  for (let k = 0; k <= 200; k++) {
    const q = k / 200;
    const v = s.quantile(q) as number;
    worst = Math.max(worst, rankDistance(sorted, v, closestObservationRank(sorted.length, q)) / sorted.length);
  }
  return worst;
}

t.test('sketch mode on 1e6 samples stays within its rank error and memory bounds', (t) => {
  const r = prng(1e6);
  const n = 1_000_000;
  const data = new Float64Array(n);
  const s = new QuantileSketch();
  for (let i = 0; i < n; i++) {
    // a skewed, multi-modal stream with a slow drift, so order matters
    const x = (i % 3) + r() ** 3 + i * 1e-7;
    data[i] = x;
    s.add(x);
  }
  const k = s.capacity;
  t.equal(s.count, n);
  t.notOk(s.isExact);
  const bound = QuantileSketch.maxRankError(n, k);
  t.equal(bound, 8 / 4096, 'documented a-priori bound for n = 1e6, k = 4096');
  t.ok(s.rankError() > 0 && s.rankError() <= bound, `guaranteed error ${s.rankError()} <= ${bound}`);
  const measured = worstRankError(s, data.slice().sort());
  t.ok(measured <= s.rankError(), `measured ${measured} <= guaranteed ${s.rankError()}`);
  t.ok(s.retained <= k * (Math.floor(Math.log2(n / k)) + 2), `retained ${s.retained} numbers`);
  t.comment(
    `n=1e6 k=4096: measured rank error ${measured}, guaranteed ${s.rankError()}, a priori ${bound}, retained ${s.retained}`,
  );
  t.end();
});

t.test('small-capacity sketches: sorted and reversed streams, and merge trees', (t) => {
  const k = 32;
  const n = 50_000;
  for (const [name, make] of [
    ['increasing', (i: number) => i],
    ['decreasing', (i: number) => n - i],
    ['ties', (i: number) => i % 7],
  ] as const) {
    const data = Float64Array.from({ length: n }, (_, i) => make(i));
    const s = sketchOf(data, k);
    const measured = worstRankError(s, data.slice().sort());
    t.ok(s.rankError() <= QuantileSketch.maxRankError(n, k), `${name}: guaranteed ${s.rankError()} within a priori`);
    t.ok(measured <= s.rankError(), `${name}: measured ${measured} <= guaranteed ${s.rankError()}`);
    t.ok(s.retained <= k * (Math.floor(Math.log2(n / k)) + 2), `${name}: retained ${s.retained}`);
  }
  // eight workers with uneven shares, merged as a tree
  const r = prng(8);
  const all: number[] = [];
  const parts: QuantileSketch[] = [];
  for (let w = 0; w < 8; w++) {
    const part = new QuantileSketch({ capacity: k });
    const m = 1000 + Math.floor(r() * 12_000);
    for (let i = 0; i < m; i++) {
      const x = w + r() * 4; // overlapping ranges per worker
      all.push(x);
      part.add(x);
    }
    parts.push(part);
  }
  const merged = (parts[0] as QuantileSketch)
    .merge(parts[1] as QuantileSketch)
    .merge((parts[2] as QuantileSketch).merge(parts[3] as QuantileSketch))
    .merge(
      (parts[4] as QuantileSketch)
        .merge(parts[5] as QuantileSketch)
        .merge((parts[6] as QuantileSketch).merge(parts[7] as QuantileSketch)),
    );
  t.equal(merged.count, all.length);
  const measured = worstRankError(merged, Float64Array.from(all).sort());
  t.ok(
    merged.rankError() <= QuantileSketch.maxRankError(all.length, k),
    `merged guaranteed ${merged.rankError()} within a priori`,
  );
  t.ok(measured <= merged.rankError(), `merged measured ${measured} <= guaranteed ${merged.rankError()}`);
  t.ok(merged.retained <= k * (Math.floor(Math.log2(all.length / k)) + 2), `merged retained ${merged.retained}`);
  t.end();
});

t.test('non-finite, empty, and argument errors', (t) => {
  const s = sketchOf([NaN, 3, Infinity, 1, -Infinity, 2]);
  t.same([s.count, s.nonFinite, s.median(), s.quantile(0), s.quantile(1)], [3, 3, 2, 1, 3]);
  const empty = new QuantileSketch();
  t.same([empty.median(), empty.q1(), empty.q3(), empty.rankError()], [null, null, null, 0]);
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      return e instanceof MonitorchError ? e.code : 'other';
    }
    return undefined;
  };
  t.equal(
    code(() => s.quantile(1.5)),
    'INVALID_ARGUMENT',
  );
  t.equal(
    code(() => s.quantile(NaN)),
    'INVALID_ARGUMENT',
  );
  t.equal(
    code(() => new QuantileSketch({ capacity: 7 })),
    'INVALID_ARGUMENT',
  );
  t.equal(
    code(() => new QuantileSketch({ capacity: 4 })),
    'INVALID_ARGUMENT',
  );
  t.end();
});

t.test('SeriesStats: the summary lenses write', (t) => {
  const activation = new SeriesStats();
  for (const x of [0.25, 0.375, 1]) activation.add(x);
  const sum = activation.summary();
  t.same([sum.count, sum.min, sum.max, sum.median, sum.q1, sum.q3], [3, 0.25, 1, 0.375, 0.25, 0.375]);
  t.ok(Math.abs((sum.mean as number) - 0.541667) < 1e-6);
  t.ok(Math.abs((sum.std as number) ** 2 - 0.107639) < 1e-6);
  t.same(new SeriesStats().summary(), {
    count: 0,
    mean: null,
    std: null,
    min: null,
    max: null,
    median: null,
    q1: null,
    q3: null,
  });
  const other = new SeriesStats();
  other.add(NaN);
  other.add(4);
  activation.merge(other);
  const merged = activation.summary();
  t.same([merged.count, activation.nonFinite, merged.max, merged.median, merged.q3], [4, 1, 4, 0.375, 1]);
  t.end();
});
