import { MonitorchError } from '@monitorch/core';
import type { Labels } from './tensor-dataset.js';

/**
 * Fraction of samples whose highest-scoring class (argmax over the last dimension, first
 * index on ties, as `torch.argmax`) equals the label, as in the seed's `validate_one_epoch`.
 *
 * @example
 * ```ts
 * accuracy(new Float32Array([0.1, 0.9, 0.8, 0.2]), new Int32Array([1, 1])); // 0.5
 * ```
 * @param predictions - scores `[N, C]`, flat
 * @param labels - class indices `[N]`
 * @throws MonitorchError `SHAPE_MISMATCH` when the predictions are not `labels.length` rows
 */
export function accuracy(predictions: Float32Array | Float64Array, labels: Labels): number {
  const n = labels.length;
  if (n === 0) return Number.NaN;
  const c = predictions.length / n;
  if (!Number.isInteger(c) || c < 1) {
    throw new MonitorchError(
      'SHAPE_MISMATCH',
      `accuracy: ${predictions.length} prediction values do not form ${n} rows (one per label). Pass scores of shape [N, classes].`,
      { predictions: predictions.length, labels: n },
    );
  }
  return correctCount(predictions, labels, c) / n;
}

/** Number of rows whose argmax equals the label. */
export function correctCount(predictions: Float32Array | Float64Array, labels: Labels, classes: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    let bestValue = predictions[i * classes] as number;
    for (let k = 1; k < classes; k++) {
      const v = predictions[i * classes + k] as number;
      if (v > bestValue) {
        bestValue = v;
        best = k;
      }
    }
    if (best === labels[i]) correct++;
  }
  return correct;
}
