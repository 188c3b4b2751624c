// Comparing runs in one figure (issue 17): the same panels, one colour per run, each run's
// series told apart by one dash rule in every panel, the union of layers and lenses, stacked
// shares once per run. Runs are real run directories read back by core's readRunsSync.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from 'linkedom';
import { readRunsSync } from '@monitorch/core';
import { figureModel, readRunTables, renderFigure, roleDash } from '@monitorch/viz';
import { customTable, lensTable, seedTables, writeRun } from './fixtures/tables.js';
import { golden } from './fixtures/golden.js';

const root = mkdtempSync(join(tmpdir(), 'monitorch-compare-'));

/** A run directory holding `tables`, with a run.json naming it `label` (when given). */
function run(name: string, tables: Parameters<typeof writeRun>[1], label?: string): string {
  const dir = join(root, name);
  writeRun(dir, tables);
  if (label !== undefined) {
    const manifest = { format: 1, tables: [...tables.keys()], created: '2026-01-01T00:00:00.000Z', label };
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...manifest, closed: '2026-01-01T00:01:00.000Z' }));
  }
  return dir;
}

/** Markup parsed as a browser would. */
const parse = (markup: string): ParentNode =>
  new DOMParser().parseFromString(markup, 'image/svg+xml') as unknown as ParentNode;

t.test('golden SVG: two runs with different layer sets and lenses overlay in one figure', async (t) => {
  const wide = run('wide', seedTables(8), 'five layers');
  // Three layers and no gradient lens: its columns have no line of this run.
  const narrowTables = seedTables(8, { seed: 3, layers: 3, slower: 2 });
  narrowTables.delete('grad-activation');
  const narrow = run('narrow', narrowTables, 'three layers');
  const figure = renderFigure([wide, narrow]);
  const [actual, expected] = golden('compare-two.svg', figure.svg);
  t.equal(actual, expected);

  const model = figureModel([...readRunsSync([wide, narrow]).values()]);
  t.same(model.runs, [
    { name: 'five layers', color: '#1f77b4' },
    { name: 'three layers', color: '#ff7f0e' },
  ]);
  const activations = model.columns.find((c) => c.spec.title === 'Output Activations');
  t.same(
    activations?.panels.map((p) => [p.heading, [...new Set(p.series.map((s) => s.run))]]),
    [
      ['net.relu1', ['five layers', 'three layers']],
      ['net.relu2', ['five layers', 'three layers']],
      ['net.relu3', ['five layers', 'three layers']],
      ['net.relu4', ['five layers']],
      ['net.relu5', ['five layers']],
    ],
    'the union of layers; a layer the narrow run lacks has only the wide run',
  );
  const grad = model.columns.find((c) => c.spec.title === 'Weight Gradient Activation');
  t.same(
    [...new Set(grad?.panels.flatMap((p) => p.series.map((s) => s.run)))],
    ['five layers'],
    'a lens one run lacks',
  );

  // One dash rule in every panel: train solid, val dotted, death rates dashed; colour = run.
  const loss = model.big.find((p) => p.heading === 'Loss');
  t.same(
    loss?.series.map((s) => [s.label, s.color, s.dash ?? 'solid']),
    [
      ['five layers · train loss', '#1f77b4', 'solid'],
      ['five layers · val loss', '#1f77b4', '2,3'],
      ['three layers · train loss', '#ff7f0e', 'solid'],
      ['three layers · val loss', '#ff7f0e', '2,3'],
    ],
  );
  const relu1 = activations?.panels[0];
  t.same(
    relu1?.series.map((s) => [s.label, s.color, s.dash ?? 'solid']),
    [
      ['five layers · train activation_rate', '#1f77b4', 'solid'],
      ['five layers · train death_rate', '#1f77b4', '5,3'],
      ['three layers · train activation_rate', '#ff7f0e', 'solid'],
      ['three layers · train death_rate', '#ff7f0e', '5,3'],
    ],
  );
  // The points are the runs' own numbers: the narrow run's last train loss is its table's.
  const narrowLoss = readRunsSync([narrow]).get('loss-metrics');
  const means = narrowLoss?.getChild('mean')?.toArray() as Float64Array;
  const trainLast = means[(8 - 1) * 3]; // rows per epoch: train loss, val loss, val accuracy
  const points = loss!.points;
  const i = points.series.findIndex((k, j) => k.startsWith('three layers\u0000train') && points.epoch[j] === 8);
  t.equal(points.y[i], trainLast);

  // Legends: a run legend at the top, panel legends name the dashes in a neutral colour.
  const doc = parse(figure.svg);
  const texts = Array.from(doc.querySelectorAll('text')).map((n) => n.textContent);
  t.ok(texts.includes('Runs') && texts.includes('five layers') && texts.includes('three layers'));
  t.ok(texts.includes('val loss'), 'the loss legend names the role, not run × role');
  t.notOk(texts.includes('five layers · val loss'), 'no run × role legend entries');
});

t.test('golden SVG: three runs, stacked shares once per run', async (t) => {
  const dirs = [1, 2, 3].map((i) => {
    const tables = seedTables(6, { seed: 20 + i, slower: i });
    tables.delete('grad-activation');
    tables.set('update-ratio', customTable(6, ['enc.0', 'enc.1', 'head'], 30 + i));
    return run(`lr-${i}`, tables, `lr 1e-${i}`);
  });
  const figure = renderFigure(dirs);
  const [actual, expected] = golden('compare-three.svg', figure.svg);
  t.equal(actual, expected);
  t.same(figure.notes, [
    'Stacked shares cannot be overlaid, so "Update Share" is drawn once per run ' +
      "(the run's name follows the title).",
  ]);
  const model = figureModel([...readRunsSync(dirs).values()]);
  t.same(
    model.big.map((p) => p.heading),
    [
      'Loss',
      'Metrics',
      'Warning Output Activations',
      'Update Share · lr 1e-1',
      'Update Share · lr 1e-2',
      'Update Share · lr 1e-3',
    ],
  );
  t.same(
    model.runs.map((r) => r.color),
    ['#1f77b4', '#ff7f0e', '#2ca02c'],
  );
});

t.test('a single run draws as before; runs with one label are kept apart', async (t) => {
  const one = run('single', seedTables(4));
  t.equal(renderFigure(one).svg, renderFigure(readRunTables(one)).svg, 'one run directory: the single-run figure');
  t.notMatch(renderFigure(one).svg, '>Runs<', 'no run legend for one run');
  const a = run('twin-a', seedTables(4), 'twin');
  const b = run('twin-b', seedTables(4, { seed: 9 }), 'twin');
  const figure = renderFigure([a, b]);
  const texts = Array.from(parse(figure.svg).querySelectorAll('text')).map((n) => n.textContent);
  t.ok(texts.includes(`twin (${a})`) && texts.includes(`twin (${b})`), 'the legend says which directory');
  const notRun = mkdtempSync(join(root, 'not-a-run-'));
  t.throws(() => renderFigure([a, notRun]), { code: 'RUN_DIR_UNREADABLE' });
});

t.test('more runs than colours says so', async (t) => {
  const dirs = Array.from({ length: 11 }, (_, i) =>
    run(`many-${i}`, new Map([['loss-metrics', seedTables(2, { seed: i }).get('loss-metrics')!]])),
  );
  const { notes } = renderFigure(dirs);
  t.match(notes.join('\n'), /11 runs but 10 run colours/);
});

t.test('the dash rule: by phase and quantity in every panel; alike roles in one panel get spare dashes', async (t) => {
  const metrics = (seed: number): Parameters<typeof writeRun>[1] =>
    new Map([
      [
        'metrics',
        lensTable(
          'metrics',
          {
            panels: [
              { title: 'Scores', size: 'big', kind: 'numerical', quantities: ['accuracy', 'f1'], line: 'mean' },
              { title: 'Loss', size: 'big', kind: 'numerical', quantities: ['loss'], line: 'mean' },
            ],
          },
          [1, 2].flatMap((epoch) => [
            { epoch, phase: 'val', module: '', quantity: 'accuracy', mean: 0.5 + 0.1 * epoch + 0.01 * seed },
            { epoch, phase: 'val', module: '', quantity: 'f1', mean: 0.4 + 0.1 * epoch },
            { epoch, phase: 'train', module: '', quantity: 'loss', mean: 1 / epoch },
            { epoch, phase: 'val', module: '', quantity: 'loss', mean: 1.2 / epoch },
            { epoch, phase: 'test', module: '', quantity: 'loss', mean: 1.3 / epoch },
          ]),
        ),
      ],
    ]);
  const dirs = [run('dash-a', metrics(1), 'a'), run('dash-b', metrics(2), 'b')];
  const model = figureModel([...readRunsSync(dirs).values()]);
  const dashes = (heading: string): [string, string][] =>
    (model.big.find((p) => p.heading === heading)?.series ?? [])
      .filter((s) => s.run === 'a')
      .map((s) => [s.role ?? '', s.dash ?? 'solid']);
  t.same(dashes('Scores'), [
    ['val accuracy', '2,3'],
    ['val f1', '1,2'],
  ]);
  t.same(dashes('Loss'), [
    ['train loss', 'solid'],
    ['val loss', '2,3'],
    ['test loss', '9,3'],
  ]);
  t.equal(roleDash('val', 'weight_death_rate'), '6,3,1.5,3');
  t.equal(roleDash('', 'worst_death_rate'), '5,3');
});
