import type { Phase } from '../phase.js';
import type { TableRow } from '../tables/table-spec.js';

/** The worst entry found by {@link worst} and its value. */
export interface Worst<E> {
  readonly entry: E;
  readonly value: number;
}

/**
 * The entry whose value is worst by `worse` (the first in the given order on ties); entries
 * whose value is null (no finite sample) are skipped.
 *
 * @param entries - candidates, in row order
 * @param value - the compared value of an entry
 * @param worse - true when `a` is worse than `b`
 */
export function worst<E>(
  entries: readonly E[],
  value: (entry: E) => number | null,
  worse: (a: number, b: number) => boolean,
): Worst<E> | undefined {
  let found: Worst<E> | undefined;
  for (const entry of entries) {
    const v = value(entry);
    if (v === null) continue;
    if (found === undefined || worse(v, found.value)) found = { entry, value: v };
  }
  return found;
}

/**
 * A whole-model row (module `''`) holding one sample, the worst layer's value: its summary
 * cells all equal that value, `count` is 1, and `cells` fills the lens's own columns (which
 * layer was worst, nulls for the per-layer columns).
 */
export function oneValueRow(epoch: number, phase: Phase, quantity: string, value: number, cells: TableRow): TableRow {
  return {
    epoch,
    phase,
    module: '',
    quantity,
    mean: value,
    std: 0,
    min: value,
    max: value,
    count: 1,
    median: value,
    q1: value,
    q3: value,
    ...cells,
  };
}
