import t from 'tap';
import { DOMParser } from 'linkedom';
import { Field, Float64, List } from 'apache-arrow';
import { figureModel, renderFigure, svgToPng } from '@monitorch/viz';
import { BINS, DISTRIBUTION_PANEL, distributionTable } from './fixtures/distribution-table.js';
import { lensTable } from './fixtures/tables.js';
import { golden } from './fixtures/golden.js';

const FLOAT_LIST = new List(new Field('item', new Float64(), true));
const COLUMNS = ['lo', 'hi', ['fractions', FLOAT_LIST], 'below', 'above'] as const;

const parse = (svg: string): ParentNode =>
  new DOMParser().parseFromString(svg, 'image/svg+xml') as unknown as ParentNode;

/** The heat-map cells of a figure: each `<rect>` with a hover title, as [title, fill]. */
function cells(svg: string): [string, string][] {
  return Array.from(parse(svg).querySelectorAll('g[aria-label="rect"] rect')).map((r) => [
    r.querySelector('title')?.textContent ?? '',
    r.getAttribute('fill') ?? '',
  ]);
}

/** The y tick labels of each drawn panel. */
function yTicks(svg: string): string[][] {
  return Array.from(parse(svg).querySelectorAll('svg svg')).map((panel) =>
    Array.from(panel.querySelectorAll('g[aria-label="y-axis tick label"] text')).map((n) => n.textContent ?? ''),
  );
}

// Two epochs of four bins over [0, 2): bin width 0.5. Epoch 1 has an empty bin, a bin with 1
// entry in 20 000 (below the colour scale's 0.01 %) and entries beyond both ends; epoch 2
// holds every entry in its first bin.
const handMade = lensTable(
  'output-distribution',
  { panels: [DISTRIBUTION_PANEL] },
  [
    {
      epoch: 1,
      phase: 'train',
      module: 'dense.tanh',
      quantity: 'output_distribution',
      lo: 0,
      hi: 2,
      fractions: [0, 0.00005, 0.25, 0.69995],
      below: 0.02,
      above: 0.03,
    },
    {
      epoch: 2,
      phase: 'train',
      module: 'dense.tanh',
      quantity: 'output_distribution',
      lo: 0,
      hi: 2,
      fractions: [1, 0, 0, 0],
      below: 0,
      above: 0,
    },
  ],
  COLUMNS,
);

t.test('the model reads each row’s binned range, bin shares and edge shares', async (t) => {
  const table = distributionTable(3);
  const column = figureModel([table]).columns[0]!;
  t.same(
    column.panels.map((p) => p.heading),
    ['conv.relu1', 'dense.tanh', 'dense.lin2'],
  );
  const dist = column.panels[1]!.points.distribution!;
  t.same([...dist.lo], [BINS.lo, BINS.lo, BINS.lo]);
  t.same([...dist.hi], [BINS.hi, BINS.hi, BINS.hi]);
  // Read back from the Arrow table independently of the figure code.
  const fractions = table.getChild('fractions')!;
  const modules = table.getChild('module')!;
  const rows = Array.from({ length: table.numRows }, (_, r) => r).filter((r) => modules.get(r) === 'dense.tanh');
  rows.forEach((r, i) => {
    t.same([...dist.fractions[i]!], [...(fractions.get(r) as { toArray(): Float64Array }).toArray()], `epoch ${i + 1}`);
    const inBins = dist.fractions[i]!.reduce((a, b) => a + b, 0);
    t.ok(Math.abs(inBins + dist.below[i]! + dist.above[i]! - 1) < 1e-12, 'bins and edges hold every entry');
  });
  t.equal(dist.below[0], 0, 'tanh(0.3·z) never leaves [−2, 4)');
});

t.test('hand-made bins: one cell per non-empty bin, edge rows beyond the range, colours by share', async (t) => {
  const { svg } = renderFigure([handMade], { tooltips: true });
  const drawn = cells(svg);
  t.same(
    drawn.map(([title]) => title),
    [
      'train output_distribution · epoch 1\n[0.5, 1): 0.005 %',
      'train output_distribution · epoch 1\n[1, 1.5): 25 %',
      'train output_distribution · epoch 1\n[1.5, 2): 70 %',
      'train output_distribution · epoch 1\nbelow 0: 2 %',
      'train output_distribution · epoch 1\nat or above 2: 3 %',
      'train output_distribution · epoch 2\n[0, 0.5): 100 %',
    ],
    'the empty bin and the empty edges of epoch 2 get no cell',
  );
  const fillOf = new Map(drawn.map(([title, fill]) => [title.split('\n')[1], fill]));
  t.equal(fillOf.get('[0.5, 1): 0.005 %'), '#440154', 'a share below 0.01 % takes the lowest viridis colour');
  t.equal(fillOf.get('[0, 0.5): 100 %'), '#fde725', 'all entries in one bin: the highest');
  t.not(fillOf.get('[1, 1.5): 25 %'), fillOf.get('[1.5, 2): 70 %'), 'different shares, different colours');
  const rules = parse(svg).querySelectorAll('g[aria-label="rule"] line');
  t.equal(rules.length, 4, 'a rule at lo and hi for each epoch, setting the edge rows apart');
  t.same(yTicks(svg)[0], ['0', '1', '2'], 'value ticks inside the binned range only');
});

t.test('a row without edge shares gets no edge rows; the axis is the binned range', async (t) => {
  const table = lensTable(
    'output-distribution',
    { panels: [DISTRIBUTION_PANEL] },
    [
      {
        epoch: 1,
        phase: 'train',
        module: 'm',
        quantity: 'output_distribution',
        lo: -1,
        hi: 1,
        fractions: [0.5, 0.5],
      },
    ],
    ['lo', 'hi', ['fractions', FLOAT_LIST]],
  );
  const { svg } = renderFigure([table], { tooltips: true });
  t.equal(cells(svg).length, 2);
  t.equal(parse(svg).querySelectorAll('g[aria-label="rule"]').length, 0);
  t.same(yTicks(svg)[0], ['-1', '0', '1']);
  // OutputDistribution's default range: ±4.05, so that 0 is the middle of a bin.
  const wide = lensTable(
    'output-distribution',
    { panels: [DISTRIBUTION_PANEL] },
    [{ epoch: 1, phase: 'train', module: 'm', quantity: 'output_distribution', lo: -4.05, hi: 4.05, fractions: [1] }],
    ['lo', 'hi', ['fractions', FLOAT_LIST]],
  );
  t.same(yTicks(renderFigure([wide]).svg)[0], ['-4', '-2', '0', '2', '4'], 'round ticks inside an odd range');
});

t.test('two phases share an epoch’s column side by side; the legend says in which order', async (t) => {
  const { svg } = renderFigure([distributionTable(4, { val: true })], { tooltips: true });
  const doc = parse(svg);
  const legend = Array.from(doc.querySelectorAll('g.share-legend text')).map((n) => n.textContent);
  t.same(legend.slice(-4), ['none', '0.01 %', '1 %', '100 %'], 'the ramp’s ends and middle, and the empty swatch');
  t.equal(
    legend.slice(0, -4).join(' '),
    'share of entries per bin (log) · each epoch, left to right: train output_distribution | val output_distribution',
    'the caption (wrapped to the column) names the series in their order',
  );
  // conv.relu1 (the first panel) has train and val rows; train sits left of val in each epoch.
  const panel = doc.querySelectorAll('svg svg')[0]!;
  const xOf = (phase: string, epoch: number): number[] =>
    Array.from(panel.querySelectorAll('g[aria-label="rect"] rect'))
      .filter((r) =>
        r.querySelector('title')?.textContent?.startsWith(`${phase} output_distribution · epoch ${epoch}\n`),
      )
      .map((r) => Number(r.getAttribute('x')));
  const train = new Set(xOf('train', 2));
  const val = new Set(xOf('val', 2));
  t.equal(train.size, 1, 'one column of cells per series and epoch');
  t.equal(val.size, 1);
  t.ok([...train][0]! < [...val][0]!, 'train left of val');
});

t.test('a long run draws every k-th epoch, so cells stay at least 3 px wide', async (t) => {
  const { svg, width } = renderFigure([distributionTable(300, { samples: 200 })], { tooltips: true });
  // One column 840 px wide: the plot area is 840 − 64 = 776 px, room for 258 cells of 3 px,
  // so every 2nd epoch from the first is drawn (150 of them), plus the last.
  t.equal(width, 840);
  const epochs = new Set(cells(svg).map(([title]) => Number(/epoch (\d+)/.exec(title)?.[1])));
  t.equal(epochs.size, 151);
  t.ok(epochs.has(1) && epochs.has(299) && epochs.has(300) && !epochs.has(2));
});

t.test('golden SVG: the distribution heat map (saturation, spread and explosion)', async (t) => {
  const { svg } = renderFigure([distributionTable(8, { val: true })]);
  const [actual, expected] = golden('distribution.svg', svg);
  t.equal(actual, expected);
  t.doesNotThrow(() => svgToPng(svg), 'resvg reads it');
});
