import t from 'tap';
import { DOMParser } from 'linkedom';
import { figureModel, renderFigure } from '@monitorch/viz';
import {
  WEIGHTED,
  LEAVES,
  gradientGeometryTable,
  outputNormTable,
  updateAndCondTables,
} from './fixtures/norm-tables.js';
import { golden } from './fixtures/golden.js';

const parse = (svg: string): ParentNode =>
  new DOMParser().parseFromString(svg, 'image/svg+xml') as unknown as ParentNode;

/** Each drawn panel (`<svg>` inside the figure) of a figure. */
const panelsOf = (svg: string): Element[] => Array.from(parse(svg).querySelectorAll('svg svg'));

/** The y tick labels of a panel. */
const yTicks = (panel: Element): string[] =>
  Array.from(panel.querySelectorAll('g[aria-label="y-axis tick label"] text')).map((n) => n.textContent ?? '');

t.test('comparison shares stack to 1 per epoch, one band per layer, bottom to top in forward order', async (t) => {
  const model = figureModel([outputNormTable(4)]);
  const shares = model.big[0]!;
  t.equal(shares.heading, 'Mean Output Norm Comparison');
  t.same(
    shares.series.map((s) => s.label),
    [...LEAVES],
  );
  for (let e = 1; e <= 4; e += 1) {
    let sum = 0;
    shares.points.epoch.forEach((x, i) => {
      if (x === e) sum += shares.points.y[i]!;
    });
    t.ok(Math.abs(sum - 1) < 1e-12, `epoch ${e}: shares sum to 1 (${sum})`);
  }
  const svg = renderFigure([outputNormTable(4)], { tooltips: true }).svg;
  const titles = Array.from(parse(svg).querySelectorAll('title')).map((n) => n.textContent ?? '');
  t.ok(
    titles.some((s) => /^dense\.softmax · epoch 1: 0\.0\d+$/.test(s)),
    'a band too thin for a label still tells its share on hover',
  );
});

t.test('log norms: decade ticks, never a grid line per integer multiple', async (t) => {
  const svg = renderFigure([outputNormTable(6), gradientGeometryTable(6)]).svg;
  const panels = panelsOf(svg);
  // Panel order: the big comparison, 9 output-norm panels, then per weighted layer the gradient
  // norm column (4 panels), then the correlation column (4 panels).
  t.equal(panels.length, 1 + LEAVES.length + 2 * WEIGHTED.length);
  t.same(yTicks(panels[1]!), ['10', '20', '50', '100'], 'conv.conv1 output norm spans one decade: 1-2-5 ticks');
  for (const panel of panels.slice(1 + LEAVES.length, 1 + LEAVES.length + WEIGHTED.length)) {
    const ticks = yTicks(panel).map(Number);
    t.ok(ticks.length >= 2 && ticks.length <= 4, `gradient norm ticks ${ticks.join(', ')}`);
    t.ok(
      ticks.every((v) => Number.isInteger(Math.log10(v))),
      'every tick a power of ten',
    );
  }
});

t.test('a ±std band whose lower edge is below zero still shows on a log axis, down to the floor', async (t) => {
  // In epoch 1 the gradient norms' std is 1.4 × their mean, so mean − std < 0 in every layer.
  const svg = renderFigure([gradientGeometryTable(6)]).svg;
  const panel = panelsOf(svg)[0]!;
  const stdBand = Array.from(panel.querySelectorAll('g[aria-label="area"] path')).find(
    (p) => p.parentElement?.getAttribute('fill-opacity') === '0.22',
  );
  t.ok(stdBand !== undefined, 'the ±std band is drawn');
  const d = stdBand?.getAttribute('d') ?? '';
  t.equal((d.match(/M/g) ?? []).length, 1, 'one area, no gap');
  t.match(d, /^M46,/, 'it starts at epoch 1 (the left edge of the plot, x = 46)');
});

t.test('correlations on a fixed [−1, 1] axis whatever the data', async (t) => {
  const svg = renderFigure([gradientGeometryTable(6)]).svg;
  const panels = panelsOf(svg).slice(WEIGHTED.length);
  t.equal(panels.length, WEIGHTED.length);
  for (const panel of panels) t.same(yTicks(panel), ['-1', '-0.5', '0', '0.5', '1']);
});

t.test('golden SVG: norm, comparison, geometry, update-ratio and cond panels of the seed CNN', async (t) => {
  const { svg } = renderFigure([outputNormTable(6), gradientGeometryTable(6), ...updateAndCondTables(6).values()]);
  const [actual, expected] = golden('norms-geometry.svg', svg);
  t.equal(actual, expected);
});
