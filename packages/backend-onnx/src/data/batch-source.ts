import { DataLoader, type Batch } from './data-loader.js';

/** Batches to train or evaluate on: a {@link DataLoader} (preferred) or any iterable of batches. */
export type BatchSource = DataLoader | Iterable<Batch>;

/** One pass over a {@link BatchSource}. */
export interface OpenedBatches {
  /** The batches, pulled one at a time. */
  readonly batches: Iterator<Batch>;
  /** How many there are, when the source knows (a loader does; an iterable may not). */
  readonly total: number | undefined;
  /**
   * Whether the batches are fresh copies the engine may take: a loader's are, so they can be
   * moved to the worker without a copy; arrays of an iterable may still be the caller's.
   */
  readonly owned: boolean;
}

/**
 * Opens a pass over `source`. A loader yields the order of trainer epoch `epoch`, so a resumed
 * run sees the same order as an uninterrupted one.
 */
export function openBatches(source: BatchSource, epoch: number): OpenedBatches {
  if (source instanceof DataLoader) return { batches: source.batches(epoch), total: source.length, owned: true };
  return { batches: source[Symbol.iterator](), total: undefined, owned: false };
}

/** A batch with arrays of its own, for a run that may move (detach) them. */
export function copyBatch(b: Batch): Batch {
  return { x: b.x.slice(), xShape: b.xShape, y: b.y.slice(), yShape: b.yShape, size: b.size };
}
