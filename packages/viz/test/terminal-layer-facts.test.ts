import t from 'tap';
import { Writable } from 'node:stream';
import type { PlotSpec, TableRow } from '@monitorch/core';
import { TerminalReporter, epochSummary } from '@monitorch/viz';
import { COND_PLOT, GRADIENT_GEOMETRY_PLOT, OUTPUT_NORM_PLOT, UPDATE_GEOMETRY_PLOT } from './fixtures/norm-tables.js';
import { DISTRIBUTION_PANEL } from './fixtures/distribution-table.js';

const DISTRIBUTION_PLOT: PlotSpec = { panels: [DISTRIBUTION_PANEL] };

const row = (r: Partial<TableRow> & { quantity: string; module: string }): TableRow => ({
  epoch: 3,
  phase: 'train',
  mean: null,
  std: null,
  min: null,
  max: null,
  count: 235,
  ...r,
});

/** Rows of one epoch of every issue-14 table, with hand-picked values. */
function epochRows(): Map<string, TableRow[]> {
  return new Map([
    [
      'output-norm',
      [
        row({ module: 'conv.conv1', quantity: 'output_norm', mean: 41.2 }),
        row({ module: 'dense.lin1', quantity: 'output_norm', mean: 7.05 }),
        row({ module: 'dense.softmax', quantity: 'output_norm', mean: 0.52 }),
        // Shares are a big relations panel: not part of the line.
        row({ module: 'conv.conv1', quantity: 'output_norm_share', mean: 0.9 }),
        // Val rows are left out while the table has train rows.
        row({ phase: 'val', module: 'dense.softmax', quantity: 'output_norm', mean: 1e-3 }),
      ],
    ],
    [
      'parameter-gradient-geometry',
      [
        row({ module: 'conv.conv1', quantity: 'weight_gradient_norm', mean: 0.0021 }),
        row({ module: 'dense.lin2', quantity: 'weight_gradient_norm', mean: 0.094 }),
        row({ module: 'conv.conv1', quantity: 'weight_gradient_correlation', mean: 0.31 }),
      ],
    ],
    [
      'parameter-update-geometry',
      [
        row({ module: 'dense.lin1', quantity: 'weight_update_norm', mean: 0.02 }),
        row({ module: 'dense.lin1', quantity: 'weight_update_ratio', mean: 0.0023 }),
        row({ module: 'conv.conv2', quantity: 'weight_update_ratio', mean: 0.0004 }),
        row({ module: 'dense.lin2', quantity: 'weight_update_ratio', mean: 0.015 }),
      ],
    ],
    [
      'parameter-cond',
      [
        row({ module: 'conv.conv1', quantity: 'weight_cond', mean: 0.21 }),
        row({ module: 'dense.lin1', quantity: 'weight_cond', mean: 0.012 }),
      ],
    ],
    [
      'output-distribution',
      [
        row({
          module: 'conv.relu1',
          quantity: 'output_distribution',
          lo: -2,
          hi: 4,
          fractions: [0, 0.98, 0.02, 0],
          below: 0,
          above: 0,
        }),
        row({
          module: 'dense.lin2',
          quantity: 'output_distribution',
          lo: -2,
          hi: 4,
          fractions: [0.2, 0.3, 0.3, 0.08],
          below: 0.07,
          above: 0.05,
        }),
      ],
    ],
  ]);
}

const PLOTS = new Map<string, PlotSpec>([
  ['output-norm', OUTPUT_NORM_PLOT],
  ['parameter-gradient-geometry', GRADIENT_GEOMETRY_PLOT],
  ['parameter-update-geometry', UPDATE_GEOMETRY_PLOT],
  ['parameter-cond', COND_PLOT],
  ['output-distribution', DISTRIBUTION_PLOT],
]);

t.test('one line per table with per-layer panels: the most telling fact of each', async (t) => {
  const s = epochSummary(epochRows(), PLOTS);
  t.same(s.values, [], 'no headline values: these tables have no big numerical panel');
  t.same(s.details, [
    'Output Norm: 0.52 (dense.softmax) … 41.2 (conv.conv1)',
    'Weight Gradient Norm: 0.0021 (conv.conv1) … 0.094 (dense.lin2)',
    'Weight Update Ratio: largest 0.015 (dense.lin2) · rule of thumb ~0.001',
    'Weight Cond: smallest 0.012 (dense.lin1)',
    'Output Distribution: most outside the bins 12 % (dense.lin2) · most in one bin 98 % (conv.relu1)',
  ]);
  t.same(s.warnings, [
    'one step changes weight by 1.5 % (dense.lin2; rule of thumb ~0.1 %: a smaller learning rate?)',
    'dense.lin2: 12 % of output_distribution outside [-2, 4)',
  ]);
});

t.test('thresholds move the warnings; a table without per-layer values says nothing', async (t) => {
  const strict = epochSummary(epochRows(), PLOTS, { updateRatio: 2e-3, outsideShare: 0.5 });
  t.same(
    strict.warnings,
    [
      'one step changes weight by 1.5 % (2 of 3 layers, most dense.lin2; rule of thumb ~0.1 %: a smaller learning rate?)',
    ],
    'one line for all the layers above the threshold, not one per layer',
  );
  const inside = epochSummary(
    new Map([
      [
        'output-distribution',
        [row({ module: 'a', quantity: 'output_distribution', fractions: [0.25, 0.75], below: 0, above: 0 })],
      ],
    ]),
    PLOTS,
  );
  t.same(inside.details, ['Output Distribution: none outside the bins · most in one bin 75 % (a)']);
  t.same(
    epochSummary(
      new Map([['parameter-cond', [row({ module: 'a', quantity: 'weight_cond', mean: 0.000123456 })]]]),
      PLOTS,
    ).details,
    ['Weight Cond: smallest 1.23e-4 (a)'],
    'three significant digits, exponent form for small values',
  );
  const empty = epochSummary(
    new Map([['parameter-cond', [row({ module: 'a', quantity: 'weight_cond', mean: null })]]]),
    PLOTS,
  );
  t.same(empty.details, [], 'no finite value, no line');
  const probability: PlotSpec = {
    panels: [{ title: 'Rates', size: 'small', kind: 'probability', quantities: ['activation_rate'], line: 'mean' }],
  };
  t.same(
    epochSummary(
      new Map([['acts', [row({ module: 'a', quantity: 'activation_rate', mean: 0.5 })]]]),
      new Map([['acts', probability]]),
    ).details,
    [],
    'the activation rates keep their own warnings, no extra line',
  );
});

t.test('names cannot drive the terminal: control characters are replaced', async (t) => {
  const rows = new Map([['output-norm', [row({ module: 'x\u001b[2Jy', quantity: 'output_norm', mean: 3 })]]]);
  t.same(epochSummary(rows, PLOTS).details, ['Output Norm: 3 (x?[2Jy)']);
});

t.test('the reporter prints the details under the epoch line, before the warnings', async (t) => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const reporter = new TerminalReporter({ stream, tty: false, updateRatio: 0.1 });
  reporter.epochClosed({ epoch: 3, run: 1, rows: epochRows() }, PLOTS);
  t.equal(
    text,
    [
      'epoch 3',
      '  Output Norm: 0.52 (dense.softmax) … 41.2 (conv.conv1)',
      '  Weight Gradient Norm: 0.0021 (conv.conv1) … 0.094 (dense.lin2)',
      '  Weight Update Ratio: largest 0.015 (dense.lin2) · rule of thumb ~0.001',
      '  Weight Cond: smallest 0.012 (dense.lin1)',
      '  Output Distribution: most outside the bins 12 % (dense.lin2) · most in one bin 98 % (conv.relu1)',
      '  ⚠ dense.lin2: 12 % of output_distribution outside [-2, 4)',
      '',
    ].join('\n'),
    'the reporter’s own thresholds apply (update ratio 0.1: no update warning)',
  );
});
