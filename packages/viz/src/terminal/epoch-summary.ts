import type { PlotSpec, TableRow } from '@monitorch/core';
import { formatValue } from '../figure/format.js';
import { clean } from './clean-text.js';
import { layerFacts, type LayerFactThresholds } from './layer-facts.js';

/** What the terminal prints after an epoch: headline values and warnings not to miss. */
export interface EpochSummary {
  /** e.g. `train loss 0.3212`, `val accuracy 0.9412` */
  readonly values: readonly string[];
  /**
   * One line per table with per-layer numerical or distribution panels (norms, geometry,
   * update ratios, cond, distributions), e.g. `Output Norm: 0.52 (dense.softmax) … 41 (conv.conv1)`.
   */
  readonly details: readonly string[];
  /** e.g. `net.relu2: 81 % dead`, `train loss is not finite` */
  readonly warnings: readonly string[];
}

/** Thresholds of {@link epochSummary}. */
export interface SummaryThresholds extends LayerFactThresholds {
  /** Death rate (share of never-active units) from which a layer is reported (default 0.5). */
  readonly deadShare?: number;
}

/**
 * Summarises one closed epoch from its rows. Headline values are the whole-model rows of each
 * table's big numerical panels (loss, metrics), so a custom lens's loss-like panel shows up too.
 * Details: one line per table with per-layer panels (see `layerFacts`). Warnings: layers whose
 * death rate passed the threshold, a loss that is not finite, any non-finite count above zero,
 * update ratios far above the ~1e-3 rule of thumb and distributions spilling out of their bins.
 *
 * @param rows - the epoch's rows by table name (`EpochClosed.rows`)
 * @param plots - plot specs by table name (from the lenses' table specs)
 */
export function epochSummary(
  rows: ReadonlyMap<string, readonly TableRow[]>,
  plots: ReadonlyMap<string, PlotSpec>,
  thresholds: SummaryThresholds = {},
): EpochSummary {
  const deadShare = thresholds.deadShare ?? 0.5;
  const values: string[] = [];
  const details: string[] = [];
  const warnings: string[] = [];
  for (const [table, tableRows] of rows) {
    const plot = plots.get(table);
    if (plot !== undefined) {
      const facts = layerFacts(tableRows, plot, thresholds);
      if (facts.line !== undefined) details.push(facts.line);
      warnings.push(...facts.warnings);
    }
    const headline = new Set(
      (plot?.panels ?? []).filter((p) => p.size === 'big' && p.kind === 'numerical').flatMap((p) => p.quantities),
    );
    for (const row of tableRows) {
      const quantity = String(row['quantity'] ?? '');
      const module = String(row['module'] ?? '');
      const phase = String(row['phase'] ?? '');
      const mean = row['mean'];
      const finite = typeof mean === 'number' && Number.isFinite(mean);
      const count = typeof row['count'] === 'number' ? row['count'] : 0;
      if (module === '' && headline.has(quantity)) {
        // `val val_accuracy` says the phase twice: a quantity that starts with its phase stands alone.
        const label = quantity.startsWith(`${phase}_`) ? clean(quantity) : `${clean(phase)} ${clean(quantity)}`;
        values.push(`${label} ${finite ? formatValue(mean) : String(mean ?? '–')}`);
      }
      if (quantity === 'loss' && count > 0 && !finite) {
        warnings.push(
          `${clean(phase)} loss is not finite (${mean === null ? 'NaN or ±inf in its batches' : String(mean)})`,
        );
      }
      if (module !== '' && /(^|_)death_rate$/.test(quantity) && finite && mean >= deadShare) {
        const what = quantity === 'death_rate' ? 'dead' : `dead (${clean(quantity.replace(/_?death_rate$/, ''))})`;
        warnings.push(`${clean(module)}: ${Math.round(mean * 100)} % ${what}`);
      }
      if (/non_finite/.test(quantity) && finite && mean > 0) {
        warnings.push(
          `${module === '' ? 'model' : clean(module)}: non-finite values (${clean(quantity)} ${formatValue(mean)})`,
        );
      }
    }
  }
  return { values, details, warnings };
}
