import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from 'linkedom';
import { tableToIPC, Table } from 'apache-arrow';
import { isMonitorchError, type PanelSpec } from '@monitorch/core';
import {
  drawablePlotSpec,
  epochAxis,
  figureModel,
  readRunTables,
  renderFigure,
  renderFigureToFile,
  seriesColor,
  figureFormatOf,
  figureHtml,
  svgToPng,
} from '@monitorch/viz';
import { customTable, lensTable, seedTables, writeRun } from './fixtures/tables.js';
import { changedPath, compareGolden, golden } from './fixtures/golden.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'monitorch-viz-'));

/** Markup parsed as a browser would; typed with the DOM's own types, as linkedom's say `any`. */
const parse = (markup: string, type: 'image/svg+xml' | 'text/html'): ParentNode =>
  new DOMParser().parseFromString(markup, type) as unknown as ParentNode;

t.test('epoch axis: whole-epoch ticks, few of them, for 3 or 300 epochs', async (t) => {
  t.same(epochAxis(1, 3, 8), { domain: [1, 3], ticks: [1, 2, 3] });
  const long = epochAxis(1, 300, 8);
  t.same(long.ticks, [1, 50, 100, 150, 200, 250, 300]);
  t.same(epochAxis(1, 12, 6).ticks, [2, 4, 6, 8, 10, 12], 'step 2: epoch 1 would crowd epoch 2');
  t.same(epochAxis(5, 5, 8), { domain: [4, 6], ticks: [5] }, 'a single epoch is padded so its point is visible');
  for (const [a, b, n] of [
    [1, 7, 5],
    [1, 99, 6],
    [3, 1000, 9],
    [1, 2, 2],
  ] as const) {
    const { ticks } = epochAxis(a, b, n);
    t.ok(ticks.length <= n && ticks.length >= 2, `${a}..${b}: ${ticks.length} ticks ≤ ${n}`);
    t.ok(
      ticks.every((x) => Number.isInteger(x) && x >= a && x <= b),
      `${a}..${b}: integer ticks inside the run`,
    );
  }
});

t.test('stable colours: train blue, val orange, activation blue, death orange; others by name', async (t) => {
  t.equal(seriesColor('train'), '#1f77b4');
  t.equal(seriesColor('val'), '#ff7f0e');
  t.equal(seriesColor('activation_rate'), '#1f77b4');
  t.equal(seriesColor('death_rate'), '#ff7f0e');
  t.equal(seriesColor('weight_death_rate'), '#ff7f0e', 'family members keep the family colour');
  t.equal(seriesColor('bias_activation_rate'), '#1f77b4');
  t.equal(seriesColor('val_accuracy'), '#d62728');
  t.equal(seriesColor('grad_norm'), seriesColor('grad_norm'));
  t.match(seriesColor('grad_norm'), /^#[0-9a-f]{6}$/);
});

t.test('figure model of the seed-shaped tables', async (t) => {
  const model = figureModel([...seedTables(4).values()]);
  t.same(
    model.big.map((p) => p.heading),
    ['Loss', 'Metrics', 'Warning Output Activations', 'Warning Gradient Activations'],
  );
  t.same(
    model.columns.map((c) => c.spec.title),
    ['Output Activations', 'Weight Gradient Activation', 'Bias Gradient Activation'],
  );
  t.same(
    model.columns[0]!.panels.map((p) => p.heading),
    ['net.relu1', 'net.relu2', 'net.relu3', 'net.relu4', 'net.relu5'],
  );
  t.same(model.epochs, [1, 4]);
  const loss = model.big[0]!;
  t.same(
    loss.series.map((s) => [s.label, s.color]),
    [
      ['train loss', '#1f77b4'],
      ['val loss', '#ff7f0e'],
    ],
  );
  const act = model.columns[0]!.panels[0]!;
  t.same(
    act.series.map((s) => [s.label, s.color]),
    [
      ['train activation_rate', '#1f77b4'],
      ['train death_rate', '#ff7f0e'],
    ],
  );
  t.equal(loss.points.length, 8, '4 epochs × 2 phases');
  t.same(
    model.big[1]!.series.map((s) => [s.label, s.color]),
    [['val accuracy', '#d62728']],
    'val accuracy red even alone',
  );
  const mixed = figureModel([
    lensTable(
      'lm',
      {
        panels: [
          {
            title: 'Loss & Metrics',
            size: 'big',
            kind: 'numerical',
            quantities: ['loss', 'val_accuracy'],
            line: 'mean',
          },
        ],
      },
      [
        { epoch: 1, phase: 'train', module: '', quantity: 'loss', mean: 1 },
        { epoch: 1, phase: 'val', module: '', quantity: 'loss', mean: 1 },
        { epoch: 1, phase: 'val', module: '', quantity: 'val_accuracy', mean: 0.5 },
      ],
    ),
  ]).big[0]!;
  t.same(
    mixed.series.map((s) => [s.label, s.color]),
    [
      ['train loss', '#1f77b4'],
      ['val loss', '#ff7f0e'],
      ['val_accuracy', '#d62728'],
    ],
    'a quantity that starts with its phase is not prefixed twice',
  );
});

t.test('bands are computed from the row: mean±std, min–max, q1–q3; nulls leave gaps', async (t) => {
  const table = lensTable(
    'x',
    {
      panels: [
        {
          title: 'X',
          size: 'big',
          kind: 'numerical',
          quantities: ['q'],
          line: 'median',
          bands: ['std', 'min-max', 'q1-q3'],
        },
      ],
    },
    [
      {
        epoch: 1,
        phase: 'train',
        module: '',
        quantity: 'q',
        mean: 2,
        std: 0.5,
        min: 1,
        max: 4,
        median: 1.8,
        q1: 1.5,
        q3: 2.5,
      },
      {
        epoch: 2,
        phase: 'train',
        module: '',
        quantity: 'q',
        mean: 3,
        std: null,
        min: 2,
        max: null,
        median: null,
        q1: 2.5,
        q3: 3.5,
      },
    ],
    ['median', 'q1', 'q3'],
  );
  const points = figureModel([table]).big[0]!.points;
  t.same([...points.epoch], [1, 2]);
  t.same(points.series, ['train\u0000q\u0000', 'train\u0000q\u0000']);
  t.same([...points.y], [1.8, NaN], 'line = median; null → NaN (a gap)');
  t.same([...points.bands.std!.lo], [1.5, NaN]);
  t.same([...points.bands.std!.hi], [2.5, NaN]);
  t.same([...points.bands['min-max']!.lo], [1, NaN], 'a band missing one edge is dropped at that epoch');
  t.same([...points.bands['min-max']!.hi], [4, NaN]);
  t.same([...points.bands['q1-q3']!.lo], [1.5, 2.5]);
  t.same([...points.bands['q1-q3']!.hi], [2.5, 3.5]);
});

t.test('golden SVG: seed-shaped figure', async (t) => {
  const [actual, expected] = golden('seed.svg', renderFigure(seedTables(12)).svg);
  t.equal(actual, expected);
});

t.test('golden SVG: a custom lens renders with no viz change (relations, log scale, quantile bands)', async (t) => {
  const { svg } = renderFigure([customTable()]);
  const [actual, expected] = golden('custom.svg', svg);
  t.equal(actual, expected);
  for (const text of ['Update Share', 'Update / Weight Ratio', 'enc.0', 'enc.1', 'head']) t.match(svg, `>${text}<`);
  const doc = parse(svg, 'image/svg+xml');
  t.equal(doc.querySelectorAll('svg svg').length, 4, '1 big panel + 3 small panels');
});

t.test('golden SVG: 300 epochs and hover tooltips', async (t) => {
  const tables = seedTables(300);
  const { svg } = renderFigure([tables.get('loss-metrics')!], { tooltips: true });
  // Panels are 420 px wide: room for floor((420 - 64) / 4) = 89 targets, so every 4th epoch
  // from epoch 1 (75 of them) plus the last: 76 per series × 3 series (train loss, val loss, val accuracy).
  t.equal((svg.match(/<title>/g) ?? []).length, 228, 'hover targets thinned to every 4th epoch for 300 epochs');
  t.match(svg, '<title>val accuracy · epoch 300: ');
  t.match(svg, '<title>val loss · epoch 297: ');
  t.notMatch(svg, '· epoch 2: ');
  const short = renderFigure([seedTables(30).get('loss-metrics')!], { tooltips: true }).svg;
  t.equal((short.match(/<title>/g) ?? []).length, 90, 'every epoch has a hover target when there is room: 30 × 3');
  t.match(svg, /<title>train loss · epoch 1: [\d.]+\n±std: [\d.]+ … [\d.]+<\/title>/);
  const [actual, expected] = golden('loss-300.svg', renderFigure([tables.get('loss-metrics')!]).svg);
  t.equal(actual, expected);
});

t.test('names are escaped everywhere in the SVG', async (t) => {
  const evil = '<img src=x onerror=alert(1)>';
  const table = lensTable(
    evil,
    {
      panels: [
        { title: `Title ${evil}`, size: 'big', kind: 'numerical', quantities: [evil], line: 'mean' },
        { title: `Column ${evil}`, size: 'small', kind: 'probability', quantities: [evil], line: 'mean' },
      ],
    },
    [1, 2].flatMap((epoch) => [{ epoch, phase: `phase${evil}`, module: evil, quantity: evil, mean: 0.5 }]),
  );
  const { svg } = renderFigure([table], { tooltips: true, title: evil });
  t.notMatch(svg, /<img/i);
  t.match(svg, '&lt;img src=x onerror=alert(1)&gt;');
  const doc = parse(svg, 'image/svg+xml');
  t.equal(doc.querySelectorAll('img').length, 0);
  const texts = Array.from(doc.querySelectorAll('text')).map((n) => n.textContent);
  t.ok(texts.includes(evil), 'the module name is shown as text');
  t.ok(texts.includes(`Title ${evil}`) && texts.includes(`Column ${evil}`), 'titles shown as text');
  const file = join(tmp(), 'evil.html');
  await renderFigureToFile([table], { file, title: evil });
  const html = readFileSync(file, 'utf8');
  t.notMatch(html, /<img/i, 'standalone HTML: no <img> element');
  t.match(html, `<h1>&lt;img src=x onerror=alert(1)&gt;</h1>`);
  const page = parse(html, 'text/html');
  t.equal(page.querySelectorAll('img').length, 0);
  t.ok(
    Array.from(page.querySelectorAll('text')).some((n) => n.textContent === evil),
    'module name is text in the HTML file',
  );
});

t.test('tables without plot metadata are skipped; nothing to plot says so', async (t) => {
  const plain = new Table({});
  t.match(renderFigure([plain]).svg, 'Nothing to plot yet');
  t.match(renderFigure(new Map()).svg, 'Nothing to plot yet');
});

t.test('files: svg, png, standalone html; unknown extension and missing run dir are clear errors', async (t) => {
  const dir = tmp();
  const tables = seedTables(5);
  const svg = await renderFigureToFile(tables, { file: join(dir, 'f.svg') });
  t.equal(svg.format, 'svg');
  t.match(readFileSync(join(dir, 'f.svg'), 'utf8'), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  await renderFigureToFile(tables, { file: join(dir, 'f.png') });
  const png = readFileSync(join(dir, 'f.png'));
  t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  t.equal(png.readUInt32BE(16), svg.width * 2, 'PNG at twice the SVG width');
  await renderFigureToFile(tables, { file: join(dir, 'f.html'), title: 'run <b>1</b>' });
  const html = readFileSync(join(dir, 'f.html'), 'utf8');
  t.match(html, /^<!doctype html>/);
  t.match(html, '<title>run &lt;b&gt;1&lt;/b&gt;</title>');
  t.notMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'no scripts, no network');
  t.match(html, '<title>train loss · epoch 1', 'html has hover values');
  t.equal(figureFormatOf('a/B.PNG'), 'png');
  t.throws(() => figureFormatOf('figure.jpg'), {
    code: 'INVALID_ARGUMENT',
    message: /unknown extension "\.jpg".*\.png, \.svg or \.html/,
  });
  await t.rejects(renderFigureToFile(tables, { file: join(dir, 'f.pdf') }), { code: 'INVALID_ARGUMENT' });
  let error: unknown;
  try {
    renderFigure(join(dir, 'nope'));
  } catch (e) {
    error = e;
  }
  t.ok(
    isMonitorchError(error) && error.code === 'RUN_DIR_UNREADABLE' && error.message.includes('nope'),
    'missing run dir',
  );
});

t.test(
  'a run directory renders the same figure as its tables; a torn live stream keeps its complete batches',
  async (t) => {
    const dir = tmp();
    const tables = seedTables(6);
    writeRun(dir, tables);
    const loaded = readRunTables(dir);
    t.same([...loaded.keys()].sort(), [...tables.keys()].sort());
    t.equal(renderFigure(dir).svg, renderFigure([...loaded.values()]).svg);
    t.equal(loaded.get('loss-metrics')!.numRows, 18);

    const live = tmp();
    const one = seedTables(1).get('loss-metrics')!;
    const two = seedTables(2).get('loss-metrics')!;
    const stream = tableToIPC(new Table([...one.batches, ...two.batches]), 'stream');
    writeFileSync(join(live, 'loss-metrics.arrows'), stream.subarray(0, stream.length - 40));
    t.same([...readRunTables(tmp()).keys()], [], 'a run that has not written yet has no tables');
    const partial = readRunTables(live).get('loss-metrics');
    t.equal(partial?.numRows, 3, 'only the first, complete batch');
  },
);

t.test('a column legend lists the series of all its panels', async (t) => {
  const table = lensTable(
    'x',
    { panels: [{ title: 'Rates', size: 'small', kind: 'probability', quantities: ['activation_rate'], line: 'mean' }] },
    [
      { epoch: 1, phase: 'train', module: 'a', quantity: 'activation_rate', mean: 0.5 },
      { epoch: 1, phase: 'train', module: 'b', quantity: 'activation_rate', mean: 0.5 },
      { epoch: 1, phase: 'val', module: 'b', quantity: 'activation_rate', mean: 0.4 },
    ],
  );
  const doc = parse(renderFigure([table]).svg, 'image/svg+xml');
  const legend = Array.from(doc.querySelectorAll('g.legend text')).map((n) => n.textContent);
  t.same(legend, ['train activation_rate', 'val activation_rate']);
});

t.test('a panel of an unknown kind is not drawn as another kind: the figure says so and draws the rest', async (t) => {
  // Core types the kind as a known one; a table written by a newer lens may carry any string.
  const unknown = (kind: string): PanelSpec['kind'] => kind as PanelSpec['kind'];
  const rows = [1, 2, 3].flatMap((epoch) => [
    { epoch, phase: 'train', module: '', quantity: 'loss', mean: 1 / epoch },
    { epoch, phase: 'train', module: 'fc1', quantity: 'activation_rate', mean: 0.5 },
    { epoch, phase: 'train', module: 'fc2', quantity: 'activation_rate', mean: 0.25 },
  ]);
  const table = lensTable(
    'future-lens',
    {
      panels: [
        { title: 'Loss', size: 'big', kind: 'numerical', quantities: ['loss'], line: 'mean' },
        { title: 'Heat', size: 'small', kind: unknown('heatmap'), quantities: ['activation_rate'], line: 'mean' },
        { title: 'Rates', size: 'small', kind: 'probability', quantities: ['activation_rate'], line: 'mean' },
      ],
    },
    rows,
  );
  const model = figureModel([table]);
  t.same(
    model.big.map((p) => p.heading),
    ['Loss'],
  );
  t.same(
    model.columns.map((c) => c.spec.title),
    ['Rates'],
    'the unknown panel is left out, not drawn as a probability panel',
  );
  t.same(
    model.skipped.map(({ table, title, kind }) => ({ table, title, kind })),
    [{ table: 'future-lens', title: 'Heat', kind: 'heatmap' }],
  );
  t.same(
    drawablePlotSpec(table)?.panels.map((p) => p.title),
    ['Loss', 'Rates'],
  );

  const figure = renderFigure([table]);
  t.same(figure.notes, [model.skipped[0]!.message], 'the note comes back with the figure');
  t.match(figure.notes[0], /^Panel "Heat" of table "future-lens" is not drawn: its kind "heatmap" is not one of /);
  t.match(figure.notes[0], /not one of numerical, probability, relations, distribution\. Update @monitorch\/viz/);
  const doc = parse(figure.svg, 'image/svg+xml');
  const note = Array.from(doc.querySelectorAll('g.notes text'))
    .map((n) => n.textContent)
    .join(' ');
  t.equal(note, `⚠ ${figure.notes[0]}`, 'the note is written at the top of the figure, wrapped into lines');
  t.equal(doc.querySelectorAll('svg svg').length, 3, 'the loss panel and both modules of the known column are drawn');
  const [actual, expected] = golden('unknown-kind.svg', figure.svg);
  t.equal(actual, expected);

  t.same(renderFigure(seedTables(3)).notes, [], 'a figure with every kind known has no notes');
  const evil = lensTable(
    'x',
    {
      panels: [
        { title: '<b>t</b>', size: 'big', kind: unknown('<img src=x onerror=alert(1)>'), quantities: [], line: 'mean' },
        { title: 'inherited', size: 'big', kind: unknown('toString'), quantities: [], line: 'mean' },
      ],
    },
    [],
  );
  const odd = renderFigure([evil]);
  t.equal(odd.notes.length, 2, 'a kind that names an inherited property is unknown too');
  t.notMatch(odd.svg, /<img|<b>/, 'kinds and titles in notes are escaped');
});

t.test(
  'golden helper: a changed picture is written beside its golden, and removed once it matches again',
  async (t) => {
    const path = join(tmp(), 'picture.svg');
    t.equal(changedPath(path), path.replace(/picture\.svg$/, 'picture.changed.svg'));
    const [first, none] = compareGolden(path, '<svg><rect width="1.234"/></svg>', false);
    t.equal(none, '', 'a missing golden compares with nothing');
    t.equal(readFileSync(changedPath(path), 'utf8'), first, 'a new picture is written for review');
    compareGolden(path, '<svg><rect width="1.234"/></svg>', true);
    t.notOk(existsSync(changedPath(path)), 'accepted: the stale changed picture is removed');
    const [same, golden1] = compareGolden(path, '<svg><rect width="1.2341"/></svg>', false);
    t.equal(same, golden1, 'float noise is normalised away');
    t.notOk(existsSync(changedPath(path)));
    const [other] = compareGolden(path, '<svg><rect width="2"/></svg>', false);
    t.equal(readFileSync(changedPath(path), 'utf8'), other, 'the changed picture is the normalised new one');
    t.equal(readFileSync(path, 'utf8'), first, 'the golden itself is left alone');
  },
);

t.test('a control character in a module name cannot break the figure: shown as its control picture', async (t) => {
  const plot: PanelSpec = {
    title: 'Output Activations',
    size: 'small',
    kind: 'probability',
    quantities: ['activation_rate'],
    line: 'mean',
  };
  const name = 'relu\u0001<x>&\uFFFF';
  const table = lensTable('odd', { panels: [plot] }, [
    { epoch: 1, phase: 'train', module: name, quantity: 'activation_rate', mean: 0.5, count: 1 },
  ]);
  const { svg } = renderFigure([table]);
  // eslint-disable-next-line no-control-regex -- the test looks for exactly these characters
  t.notMatch(svg, /[\u0001\uFFFF]/, 'no character XML forbids');
  t.match(svg, /relu\u2401/, 'U+0001 shown as ␁');
  t.doesNotThrow(() => svgToPng(svg), 'resvg reads the SVG (it refused a non-XML character before)');
});

/** The y tick labels of each drawn panel, in drawing order (big panels first, left to right). */
function yTicksPerPanel(svg: string): string[][] {
  const doc = parse(svg, 'image/svg+xml');
  return Array.from(doc.querySelectorAll('svg svg')).map((panel) =>
    Array.from(panel.querySelectorAll('g[aria-label="y-axis tick label"] text')).map((n) => n.textContent ?? ''),
  );
}

t.test('accuracy is read on its own axis: the Metrics panel does not share the loss scale', async (t) => {
  const [lossTicks, metricTicks] = yTicksPerPanel(renderFigure(seedTables(12)).svg);
  const values = (ticks: readonly string[] | undefined): number[] => (ticks ?? []).map(Number);
  t.ok(Math.max(...values(lossTicks)) >= 2, 'the loss axis reaches the first epochs’ loss (about 2)');
  t.ok(values(metricTicks).length >= 3, 'the metrics panel has its own ticks');
  t.ok(
    values(metricTicks).every((v) => v >= 0 && v <= 1),
    `the metrics axis stays within the accuracy's 0–1 range: ${(metricTicks ?? []).join(', ')}`,
  );
});

t.test('legend: a metric named after a phase reads as its name; the phase only tells phases apart', async (t) => {
  const spec: PanelSpec = {
    title: 'Metrics',
    size: 'big',
    kind: 'numerical',
    quantities: ['val_accuracy'],
    line: 'mean',
  };
  const labels = (phases: readonly string[]): string[] =>
    figureModel([
      lensTable(
        'lm',
        { panels: [spec] },
        phases.map((phase) => ({ epoch: 1, phase, module: '', quantity: 'val_accuracy', mean: 0.5 })),
      ),
    ]).big[0]!.series.map((s) => s.label);
  t.same(labels(['train']), ['val_accuracy'], 'pushed during the train phase: not "train val_accuracy"');
  t.same(labels(['val']), ['val_accuracy'], 'not "val val_accuracy"');
  t.same(
    labels(['train', 'val']),
    ['train val_accuracy', 'val val_accuracy'],
    'two phases: the prefix tells them apart',
  );
  const legend = Array.from(
    parse(
      renderFigure([
        lensTable('lm', { panels: [spec] }, [
          { epoch: 1, phase: 'train', module: '', quantity: 'val_accuracy', mean: 0.5 },
        ]),
      ]).svg,
      'image/svg+xml',
    ).querySelectorAll('g.legend text'),
  ).map((n) => n.textContent);
  t.same(legend, ['val_accuracy'], 'the drawn legend says the same');
});

t.test('figure.html shows its title once, as the page heading', async (t) => {
  const file = join(tmp(), 'f.html');
  await renderFigureToFile(seedTables(3), { file, title: 'MNIST run 7' });
  const html = readFileSync(file, 'utf8');
  const page = parse(html, 'text/html');
  const shown = Array.from(page.querySelectorAll('h1, text')).filter((n) => n.textContent === 'MNIST run 7');
  t.equal(shown.length, 1, 'one visible title (the <h1>), not a second one drawn in the SVG');
  t.equal(page.querySelectorAll('h1').length, 1);
  t.match(html, '<title>MNIST run 7</title>', 'the tab title is still set');
  const drawn = renderFigure(seedTables(3), { title: 'drawn' });
  t.equal(drawn.title, 'drawn', 'a figure says which heading it drew');
  t.notMatch(figureHtml(drawn), /<h1>/, 'a figure that draws its heading gets no <h1> on top of it');
  t.match(figureHtml(drawn), '<title>drawn</title>');
  t.match(figureHtml(renderFigure(seedTables(3)), 'page'), '<h1>page</h1>');
});

t.test('death rates are dashed, activation rates solid: in the warning and per-layer panels and legends', async (t) => {
  const svg = renderFigure(seedTables(6)).svg;
  const doc = parse(svg, 'image/svg+xml');
  // Past the Loss panel (its val loss is orange too, and solid): the rate panels.
  const ratePanels = Array.from(doc.querySelectorAll('svg svg')).slice(1);
  const dashOf = (color: string): (string | null)[] =>
    ratePanels
      .flatMap((panel) => Array.from(panel.querySelectorAll('g[aria-label="line"]')))
      .filter((g) => Array.from(g.querySelectorAll('path')).some((p) => p.getAttribute('stroke') === color))
      .map((g) => g.getAttribute('stroke-dasharray'));
  const blue = dashOf('#1f77b4');
  const orange = dashOf('#ff7f0e');
  // Every panel but Loss and Metrics has an activation and a death rate.
  t.ok(orange.length >= 8, `death-rate lines in many panels (${orange.length})`);
  t.ok(
    orange.every((d) => d !== null && d !== ''),
    'every orange (death rate) line is dashed',
  );
  const model = figureModel([...seedTables(6).values()]);
  const warning = model.big.find((p) => p.heading === 'Warning Output Activations')!;
  t.same(
    warning.series.map((s) => [s.label, s.dash ?? 'solid']),
    [
      ['train worst_activation_rate', 'solid'],
      ['train worst_death_rate', '5,3'],
    ],
  );
  t.ok(blue.includes(null), 'activation rates stay solid');
  const swatches = Array.from(doc.querySelectorAll('g.legend line')).map((l) => [
    l.getAttribute('stroke'),
    l.getAttribute('stroke-dasharray'),
  ]);
  t.ok(
    swatches.some(([c, d]) => c === '#ff7f0e' && d === '5,3') &&
      swatches.some(([c, d]) => c === '#1f77b4' && d === null),
    'legend swatches show the dash of their lines',
  );
});

t.test('columns of small panels are kept apart by a thin rule, not by an unexplained beige background', async (t) => {
  const svg = renderFigure(seedTables(3)).svg;
  t.notMatch(svg, '#f2ebe6', 'no beige column');
  const doc = parse(svg, 'image/svg+xml');
  t.equal(doc.querySelectorAll('line.column-rule').length, 2, 'one rule between each pair of the 3 columns');
});

t.test(
  'many panels wrap into rows: at most 4 big panels and 7 columns side by side, rows as even as possible',
  async (t) => {
    // Every lens on the seed CNN: 7 big panels and 20 columns; here 7 tables of one big panel
    // and 20 of one column each, two modules a column.
    const big = Array.from({ length: 7 }, (_, i) =>
      lensTable(
        `big-${i}`,
        { panels: [{ title: `Big ${i}`, size: 'big', kind: 'numerical', quantities: ['q'], line: 'mean' }] },
        [1, 2].map((epoch) => ({ epoch, phase: 'train', module: '', quantity: 'q', mean: epoch + i })),
      ),
    );
    const columns = Array.from({ length: 20 }, (_, i) =>
      lensTable(
        `col-${i}`,
        { panels: [{ title: `Column ${i}`, size: 'small', kind: 'probability', quantities: ['r'], line: 'mean' }] },
        [1, 2].flatMap((epoch) =>
          ['a', 'b'].map((module) => ({ epoch, phase: 'train', module, quantity: 'r', mean: 0.5 })),
        ),
      ),
    );
    const figure = renderFigure([...big, ...columns]);
    t.equal(figure.width, 7 * 250, 'as wide as 7 columns of 250 px (4 big panels need only 4 × 420)');
    const doc = parse(figure.svg, 'image/svg+xml');
    const headingY = (prefix: string): number[] => [
      ...new Set(
        Array.from(doc.querySelectorAll('svg > text'))
          .filter((n) => (n.textContent ?? '').startsWith(prefix))
          .map((n) => Number(n.getAttribute('y'))),
      ),
    ];
    t.equal(headingY('Big ').length, 2, '7 big panels: rows of 4 and 3');
    const columnRows = headingY('Column ');
    t.equal(columnRows.length, 3, '20 columns: rows of 7, 7 and 6');
    const perRow = columnRows.map(
      (y) =>
        Array.from(doc.querySelectorAll('svg > text')).filter(
          (n) => (n.textContent ?? '').startsWith('Column ') && Number(n.getAttribute('y')) === y,
        ).length,
    );
    t.same(perRow, [7, 7, 6]);
    t.equal(doc.querySelectorAll('line.row-rule').length, 2, 'a rule between rows of columns');
    t.equal(doc.querySelectorAll('svg svg').length, 7 + 20 * 2, 'every panel drawn');
    t.equal(renderFigure(seedTables(3)).width, 1680, 'the seed figure keeps its one row (4 big panels, 3 columns)');
  },
);
