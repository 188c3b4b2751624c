import { dropoutLabel } from '../shared/cli-options.js';
import { percent } from '../shared/last-epoch.js';
import type { MnistRunResult } from './train-mnist.js';

/**
 * A plain-text comparison of MNIST runs side by side: epochs, `val_accuracy` (on the test set),
 * and per layer the output death rate and the weight-gradient death rate in each run's last epoch.
 *
 * @example
 * ```text
 * run (dropout)   epochs  stopped early val_accuracy (test set)
 * 0,0,0           14      yes           98.91 %
 * 0.5,0.5,0.2     21      yes           98.62 %
 *
 * layer            output death (0,0,0 | 0.5,0.5,0.2)   gradient death (0,0,0 | 0.5,0.5,0.2)
 * conv.relu2       49.2 % | 31.0 %                      –
 * ```
 */
export function comparisonTable(runs: readonly MnistRunResult[]): string {
  const lines: string[] = [];
  // `val_accuracy`, as the per-epoch lines call it; the seed measures it on the test set.
  const head = ['run (dropout)'.padEnd(16), 'epochs'.padEnd(8), 'stopped early'.padEnd(14), 'val_accuracy (test set)'];
  lines.push(head.join(''));
  for (const r of runs) {
    lines.push(
      [
        dropoutLabel(r.dropout).padEnd(16),
        String(r.epochs.length).padEnd(8),
        (r.stoppedEarly ? 'yes' : 'no').padEnd(14),
        `${(r.testAccuracy * 100).toFixed(2)} %`,
      ].join(''),
    );
  }
  lines.push('');
  const labels = runs.map((r) => dropoutLabel(r.dropout)).join(' | ');
  const col = Math.max(24, labels.length + 4);
  lines.push(
    ['layer'.padEnd(16), `output death (${labels})`.padEnd(col + 16), `weight-gradient death (${labels})`].join(''),
  );
  const modules = [...new Set(runs.flatMap((r) => [...r.lastEpoch.keys()]))];
  for (const m of modules) {
    const out = runs.map((r) => percent(r.lastEpoch.get(m)?.outputDeath)).join(' | ');
    const grad = runs.map((r) => percent(r.lastEpoch.get(m)?.weightGradientDeath)).join(' | ');
    lines.push([m.padEnd(16), out.padEnd(col + 16), grad].join(''));
  }
  return lines.join('\n');
}
