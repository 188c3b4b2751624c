import type { Inspector } from '@monitorch/core';

/** An Arrow table as the Inspector and `readRun` return it. */
export type Table = ReturnType<Inspector['table']>;

/** One layer's quantities (`death_rate`, `weight_death_rate`, …) in one epoch, by name. */
export type LayerValues = ReadonlyMap<string, number>;

/**
 * The per-layer means of a lens table in its last epoch (or the given one), phase `train` by
 * default: module → quantity → mean. Whole-model rows (module `''`) are left out.
 *
 * @example
 * ```ts
 * const rates = lastEpochValues(inspector.table(outputLens));
 * rates.get('relu2')?.get('death_rate'); // e.g. 0.56
 * ```
 */
export function lastEpochValues(
  table: Table,
  options: { phase?: string; epoch?: number } = {},
): Map<string, LayerValues> {
  const phase = options.phase ?? 'train';
  const rows = table.toArray() as {
    epoch: number;
    phase: string;
    module: string;
    quantity: string;
    mean: number | null;
  }[];
  const epoch = options.epoch ?? Math.max(0, ...rows.filter((r) => r.phase === phase).map((r) => r.epoch));
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (r.epoch !== epoch || r.phase !== phase || r.module === '' || r.mean === null) continue;
    let layer = out.get(r.module);
    if (layer === undefined) {
      layer = new Map();
      out.set(r.module, layer);
    }
    layer.set(r.quantity, r.mean);
  }
  return out;
}

/** A quantity's mean per epoch for one layer (phase `train` by default), in epoch order. */
export function seriesOf(
  table: Table,
  module: string,
  quantity: string,
  phase = 'train',
): { epoch: number; value: number }[] {
  const rows = table.toArray() as {
    epoch: number;
    phase: string;
    module: string;
    quantity: string;
    mean: number | null;
  }[];
  return rows
    .filter((r) => r.module === module && r.quantity === quantity && r.phase === phase && r.mean !== null)
    .map((r) => ({ epoch: r.epoch, value: r.mean as number }))
    .sort((a, b) => a.epoch - b.epoch);
}

/** `0.5612` → `56.1 %`; NaN/undefined → `–`. */
export function percent(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(digits)} %`;
}
