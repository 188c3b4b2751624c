import { MonitorchError } from '@monitorch/core';
import { seededPermutation } from './seeded-random.js';
import type { TensorDataset } from './tensor-dataset.js';

/**
 * Splits a dataset into disjoint random parts, like `torch.utils.data.random_split`.
 * `sizes` are sample counts summing to the dataset length, or fractions summing to 1 (the
 * remainder of rounding goes to the first parts, one sample each, as PyTorch does). The same
 * seed always gives the same split. Each part is a copy.
 *
 * @example
 * ```ts
 * const [train, val] = randomSplit(data, [0.7, 0.3], 42);
 * ```
 * @throws MonitorchError `INVALID_ARGUMENT` when the sizes do not add up
 */
export function randomSplit(dataset: TensorDataset, sizes: readonly number[], seed: number): TensorDataset[] {
  const n = dataset.length;
  const counts = toCounts(sizes, n);
  const order = seededPermutation(n, seed);
  const parts: TensorDataset[] = [];
  let start = 0;
  for (const c of counts) {
    parts.push(dataset.subset(order.subarray(start, start + c)));
    start += c;
  }
  return parts;
}

function toCounts(sizes: readonly number[], n: number): number[] {
  const bad = sizes.some((s) => !Number.isFinite(s) || s < 0);
  const total = sizes.reduce((a, b) => a + b, 0);
  const fractions = !bad && sizes.length > 0 && Math.abs(total - 1) < 1e-9 && sizes.every((s) => s <= 1);
  if (fractions && total !== n) {
    const counts = sizes.map((f) => Math.floor(f * n));
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i] = (counts[i] as number) + 1;
    return counts;
  }
  if (bad || !sizes.every(Number.isInteger) || total !== n) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `randomSplit: sizes [${sizes.join(', ')}] must be sample counts adding up to the dataset length ${n}, or fractions adding up to 1.`,
      { sizes, length: n },
    );
  }
  return [...sizes];
}
