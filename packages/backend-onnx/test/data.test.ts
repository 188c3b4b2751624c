import t from 'tap';
import { MonitorchError } from '@monitorch/core';
import {
  DataLoader,
  TensorDataset,
  accuracy,
  randomSplit,
  seededPermutation,
  type Batch,
} from '@monitorch/backend-onnx';

function counting(n: number, features = 2): TensorDataset {
  // sample i = [i, -i, …], label i — so every batch says which samples it holds
  const x = new Float32Array(n * features);
  for (let i = 0; i < n; i++) for (let f = 0; f < features; f++) x[i * features + f] = f % 2 === 0 ? i : -i;
  return new TensorDataset(
    x,
    [features],
    Int32Array.from({ length: n }, (_, i) => i),
  );
}

t.test('TensorDataset checks that samples and labels agree', async (t) => {
  t.throws(() => new TensorDataset(new Float32Array(5), [2], new Int32Array(2)), { code: 'SHAPE_MISMATCH' });
  t.throws(() => new TensorDataset(new Float32Array(6), [2], new Int32Array(2)), { code: 'SHAPE_MISMATCH' });
  const d = new TensorDataset(new Float32Array(6), [2], new Float32Array(6), [2]);
  t.equal(d.length, 3);
  t.equal(d.labelSize, 2);
});

t.test('a plain array as x or y is refused at construction, saying how to wrap it', async (t) => {
  const asAny = (v: unknown): Float32Array => v as Float32Array;
  t.throws(() => new TensorDataset(asAny([1, 2, 3, 4]), [2], Int32Array.from([0, 1])), {
    code: 'INVALID_ARGUMENT',
    message: /x must be a Float32Array, got a plain Array\. Wrap it: .*Float32Array\.from\(x\)/,
  });
  t.throws(() => new TensorDataset(asAny(new Float64Array(4)), [2], Int32Array.from([0, 1])), {
    code: 'INVALID_ARGUMENT',
    message: /got a Float64Array/,
  });
  t.throws(() => new TensorDataset(new Float32Array(4), [2], asAny([0, 1])), {
    code: 'INVALID_ARGUMENT',
    message: /y must be an Int32Array .* got a plain Array/,
  });
  t.equal(new TensorDataset(Float32Array.from([1, 2, 3, 4]), [2], Int32Array.from([0, 1])).length, 2);
});

t.test('an unshuffled loader visits samples in order, last batch short', async (t) => {
  const loader = new DataLoader(counting(10), { batchSize: 4 });
  const batches = [...loader];
  t.same(
    batches.map((b) => b.size),
    [4, 4, 2],
  );
  t.same(
    batches.map((b) => b.xShape),
    [
      [4, 2],
      [4, 2],
      [2, 2],
    ],
  );
  t.same(Array.from(batches[2]!.y), [8, 9]);
  t.same(Array.from(batches[2]!.x), [8, -8, 9, -9]);
  t.equal(loader.length, 3);
});

t.test('dropLast skips the short batch', async (t) => {
  const loader = new DataLoader(counting(10), { batchSize: 4, dropLast: true, shuffle: true, seed: 3 });
  const batches = [...loader];
  t.same(
    batches.map((b) => b.size),
    [4, 4],
  );
  t.equal(loader.length, 2);
  t.equal(new Set(batches.flatMap((b) => Array.from(b.y))).size, 8, 'no sample twice');
});

t.test('a shuffled epoch covers every sample exactly once, samples stay with their labels', async (t) => {
  const n = 103;
  const loader = new DataLoader(counting(n), { batchSize: 8, shuffle: true, seed: 7 });
  for (let epoch = 0; epoch < 3; epoch++) {
    const seen = new Int32Array(n);
    for (const b of loader) {
      for (let k = 0; k < b.size; k++) {
        const label = b.y[k]!;
        seen[label]! += 1;
        t.equal(b.x[2 * k], label, 'x and y stay paired');
      }
    }
    t.ok(
      seen.every((c) => c === 1),
      `epoch ${epoch}: each sample once`,
    );
  }
});

t.test('the shuffle is reproducible from (seed, epoch) and differs between epochs', async (t) => {
  const a = new DataLoader(counting(50), { batchSize: 50, shuffle: true, seed: 42 });
  const b = new DataLoader(counting(50), { batchSize: 50, shuffle: true, seed: 42 });
  const c = new DataLoader(counting(50), { batchSize: 50, shuffle: true, seed: 43 });
  const a0 = Array.from([...a][0]!.y);
  const a1 = Array.from([...a][0]!.y);
  t.same(Array.from([...b][0]!.y), a0, 'same seed, same first epoch');
  t.same(Array.from([...b][0]!.y), a1, 'same seed, same second epoch');
  t.notSame(a0, a1, 'epochs differ');
  t.notSame(Array.from([...c][0]!.y), a0, 'seeds differ');
  t.same(Array.from((a.batches(1).next().value as Batch).y), a1, 'batches(epoch) replays an epoch');
  t.notSame(
    a0,
    Array.from({ length: 50 }, (_, i) => i),
    'actually shuffled',
  );
});

t.test('seededPermutation is a permutation', async (t) => {
  const p = seededPermutation(1000, 1);
  t.same(
    Array.from(p).sort((x, y) => x - y),
    Array.from({ length: 1000 }, (_, i) => i),
  );
});

t.test('randomSplit: disjoint, complete, reproducible; fractions like PyTorch', async (t) => {
  const data = counting(80);
  const [train, val] = randomSplit(data, [56, 24], 42);
  t.equal(train!.length, 56);
  t.equal(val!.length, 24);
  const all = [...Array.from(train!.y), ...Array.from(val!.y)].sort((a, b) => a - b);
  t.same(
    all,
    Array.from({ length: 80 }, (_, i) => i),
  );
  for (let k = 0; k < val!.length; k++) t.equal(val!.x[2 * k], val!.y[k]);
  const [train2] = randomSplit(data, [56, 24], 42);
  t.same(Array.from(train2!.y), Array.from(train!.y));
  const parts = randomSplit(counting(10), [0.7, 0.3], 1);
  t.same(
    parts.map((p) => p.length),
    [7, 3],
  );
  const odd = randomSplit(counting(10), [0.33, 0.33, 0.34], 1);
  t.same(
    odd.map((p) => p.length),
    [4, 3, 3],
    'remainder goes to the first parts',
  );
  t.throws(() => randomSplit(data, [50, 20], 1), MonitorchError);
});

t.test('accuracy takes argmax per row, first index on ties', async (t) => {
  const preds = new Float32Array([0.1, 0.9, 0.8, 0.2, 0.5, 0.5]);
  t.equal(accuracy(preds, new Int32Array([1, 0, 0])), 1);
  t.equal(accuracy(preds, new Int32Array([1, 1, 1])), 1 / 3);
  t.throws(() => accuracy(new Float32Array(5), new Int32Array(2)), { code: 'SHAPE_MISMATCH' });
});
