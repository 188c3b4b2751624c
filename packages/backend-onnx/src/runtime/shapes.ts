import { MonitorchError } from '@monitorch/core';

/** `[N, 1, 28, 28]`-style text for a shape; `-1` (the batch dimension) prints as `N`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? 'N' : String(d))).join(', ')}]`;
}

/**
 * Checks a batch shape against a graph input shape (`-1` matches any size).
 *
 * @throws MonitorchError `SHAPE_MISMATCH` naming both shapes and what to change
 */
export function checkShape(expected: readonly number[], actual: readonly number[], what: 'input' | 'labels'): void {
  const ok = expected.length === actual.length && expected.every((d, i) => d < 0 || d === actual[i]);
  if (ok) return;
  const fix =
    what === 'input'
      ? 'Give the dataset samples of the shape the first layer takes (TensorDataset sampleShape), or declare the model with a matching inputShape.'
      : 'Give one label per sample, shaped as the loss expects (class indices for crossEntropy/nll, targets shaped like the output for mse/bce).';
  throw new MonitorchError(
    'SHAPE_MISMATCH',
    `The model's ${what} must have shape ${formatShape(expected)} but the batch has ${formatShape(actual)}. ${fix}`,
    { expected: [...expected], actual: [...actual], what },
  );
}

/**
 * Checks that every class label is an index the model can output.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` naming the first bad label, its sample and the range
 */
export function checkLabelRange(labels: Int32Array, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label >= 0 && label < classes) continue;
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `Label ${label} of sample ${i} in this batch is out of range: the model outputs ${classes} classes, so labels must be integers in 0..${classes - 1}. Check the dataset's labels or the width of the last layer.`,
      { label, sample: i, classes },
    );
  }
}
