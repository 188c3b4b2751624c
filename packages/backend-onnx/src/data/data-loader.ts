import { MonitorchError } from '@monitorch/core';
import { mixSeed, seededPermutation } from './seeded-random.js';
import { gatherSamples, type Labels, type TensorDataset } from './tensor-dataset.js';

/** One batch: fresh arrays (safe to transfer to a worker), batch dimension first. */
export interface Batch {
  /** Samples, flat. */
  readonly x: Float32Array;
  /** `[size, ...sampleShape]`. */
  readonly xShape: readonly number[];
  /** Labels, flat. */
  readonly y: Labels;
  /** `[size, ...labelShape]`. */
  readonly yShape: readonly number[];
  /** Samples in this batch. */
  readonly size: number;
}

/** Options of a {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Samples per batch. */
  readonly batchSize: number;
  /** Visit samples in a new random order every epoch (default `false`). */
  readonly shuffle?: boolean;
  /** Seed of the shuffle (default 0). The order of epoch `e` depends only on (seed, e). */
  readonly seed?: number;
  /** Skip the last batch when it is smaller than `batchSize` (default `false`). */
  readonly dropLast?: boolean;
}

/**
 * Cuts a dataset into batches, like PyTorch's `DataLoader`. With `shuffle`, each epoch has its
 * own order, derived from the seed and the epoch index only, so a resumed run (a checkpoint
 * that says "epoch 2 is next") sees exactly the order an uninterrupted run would have seen.
 *
 * Iterating the loader (`for (const b of loader)`) advances its own epoch counter; the
 * trainer instead asks for {@link DataLoader.batches} of its own epoch index.
 *
 * @example
 * ```ts
 * const loader = new DataLoader(train, { batchSize: 256, shuffle: true, seed: 42 });
 * for (const batch of loader) console.log(batch.size);
 * ```
 */
export class DataLoader implements Iterable<Batch> {
  /** The dataset batched. */
  readonly dataset: TensorDataset;
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether each epoch is shuffled. */
  readonly shuffle: boolean;
  /** Shuffle seed. */
  readonly seed: number;
  /** Whether a short last batch is skipped. */
  readonly dropLast: boolean;
  /** Epochs started by iterating this loader directly (the next one uses this index). */
  epoch = 0;

  /**
   * @param dataset - samples and labels
   * @param options - batch size, shuffle, seed, dropLast
   * @throws MonitorchError `INVALID_ARGUMENT` for a batch size that is not a positive integer
   */
  constructor(dataset: TensorDataset, options: DataLoaderOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `DataLoader: batchSize must be a positive integer, got ${options.batchSize}.`,
        { batchSize: options.batchSize },
      );
    }
    this.dataset = dataset;
    this.batchSize = options.batchSize;
    this.shuffle = options.shuffle ?? false;
    this.seed = options.seed ?? 0;
    this.dropLast = options.dropLast ?? false;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The order in which epoch `epoch` visits the samples. */
  order(epoch: number): Uint32Array {
    const n = this.dataset.length;
    if (!this.shuffle) return Uint32Array.from({ length: n }, (_, i) => i);
    return seededPermutation(n, mixSeed(this.seed, epoch));
  }

  /** The batches of epoch `epoch` (0-based), without touching {@link DataLoader.epoch}. */
  *batches(epoch: number): Generator<Batch> {
    const order = this.order(epoch);
    const count = this.length;
    for (let b = 0; b < count; b++) {
      const idx = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
      const { x, y } = gatherSamples(this.dataset, idx);
      yield {
        x,
        y,
        size: idx.length,
        xShape: [idx.length, ...this.dataset.sampleShape],
        yShape: [idx.length, ...this.dataset.labelShape],
      };
    }
  }

  /** Iterates the next epoch (and advances {@link DataLoader.epoch}). */
  [Symbol.iterator](): Iterator<Batch> {
    const epoch = this.epoch;
    this.epoch += 1;
    return this.batches(epoch);
  }
}
