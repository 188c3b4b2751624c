// Viz benchmark: time to draw the figure of 8 lenses × 20 layers × 300 epochs (synthetic
// tables shaped like lens tables) as SVG, and as PNG for scale. Drawing happens once per epoch
// in the live page, so this is the worst-case per-epoch cost of a long run.
import {
  Field,
  Float64,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  vectorFromArray,
} from 'apache-arrow';
import { loadavg } from 'node:os';
import { renderFigure, svgToPng } from '@monitorch/viz';
import { areaOptions, isMain } from './cli.mjs';

const LENSES = 8;
const LAYERS = 20;
const EPOCHS = Number(process.env.EPOCHS ?? 300);

export function lensTable(index) {
  const kind = index % 2 === 0 ? 'numerical' : 'probability';
  const quantity = kind === 'numerical' ? `norm_${index}` : `rate_${index}`;
  const panels = [
    {
      title: `Lens ${index} ${kind}`,
      size: 'small',
      kind,
      quantities: [quantity],
      line: 'mean',
      ...(kind === 'numerical' ? { bands: ['std', 'min-max'] } : {}),
    },
  ];
  if (index < 2)
    panels.unshift({
      title: `Lens ${index} overview`,
      size: 'big',
      kind: 'numerical',
      quantities: [`${quantity}_all`],
      line: 'mean',
      bands: ['std'],
    });
  const cols = { epoch: [], phase: [], module: [], quantity: [], mean: [], std: [], min: [], max: [], count: [] };
  const push = (epoch, module, q, mean) => {
    cols.epoch.push(epoch);
    cols.phase.push('train');
    cols.module.push(module);
    cols.quantity.push(q);
    cols.mean.push(mean);
    cols.std.push(0.1 * mean);
    cols.min.push(0.5 * mean);
    cols.max.push(1.5 * mean);
    cols.count.push(100);
  };
  for (let e = 1; e <= EPOCHS; e += 1) {
    for (let l = 0; l < LAYERS; l += 1) {
      const v =
        kind === 'probability'
          ? 0.5 + 0.4 * Math.sin(e / 30 + l)
          : Math.exp(-e / 100) * (1 + l) * (1 + 0.1 * Math.sin(e));
      push(e, `net.layer${l}`, quantity, v);
    }
    if (index < 2) push(e, '', `${quantity}_all`, Math.exp(-e / 80));
  }
  const types = {
    epoch: new Int32(),
    phase: new Utf8(),
    module: new Utf8(),
    quantity: new Utf8(),
    mean: new Float64(),
    std: new Float64(),
    min: new Float64(),
    max: new Float64(),
    count: new Int32(),
  };
  const fields = Object.entries(types).map(([n, t]) => new Field(n, t, ['mean', 'std', 'min', 'max'].includes(n)));
  const schema = new Schema(
    fields,
    new Map([
      ['monitorch.table', `lens-${index}`],
      ['monitorch.plot', JSON.stringify({ panels })],
      ['monitorch.format', '1'],
    ]),
  );
  const children = fields.map((f) => vectorFromArray(cols[f.name], f.type).data[0]);
  const data = makeData({ type: new Struct(fields), length: cols.epoch.length, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

export async function run() {
  const tables = new Map(Array.from({ length: LENSES }, (_, i) => [`lens-${i}`, lensTable(i)]));
  const rows = [...tables.values()].reduce((n, t) => n + t.numRows, 0);
  renderFigure(tables); // warm-up (JIT, first Plot document)
  const times = [];
  const cpu = [];
  let svg = '';
  for (let i = 0; i < 5; i += 1) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    svg = renderFigure(tables).svg;
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const svgMs = times[Math.floor(times.length / 2)];
  // CPU time of this process (main thread plus GC helpers): less sensitive than wall time to
  // other processes competing for the cores.
  const svgCpuMs = cpu[Math.floor(cpu.length / 2)];
  const t1 = performance.now();
  const tipsSvg = renderFigure(tables, { tooltips: true }).svg;
  const tooltipsMs = performance.now() - t1;
  const t2 = performance.now();
  const png = svgToPng(svg, 1);
  const pngMs = performance.now() - t2;
  const result = {
    lenses: LENSES,
    layers: LAYERS,
    epochs: EPOCHS,
    rows,
    panels: LENSES * LAYERS + 2,
    svgMs: Math.round(svgMs),
    svgCpuMs: Math.round(svgCpuMs),
    loadAverage: Number(loadavg()[0].toFixed(1)),
    svgBytes: svg.length,
    svgWithTooltipsMs: Math.round(tooltipsMs),
    svgWithTooltipsBytes: tipsSvg.length,
    pngMs: Math.round(pngMs),
    pngBytes: png.length,
  };
  console.log(
    `figure of ${LENSES} lenses × ${LAYERS} layers × ${EPOCHS} epochs (${rows} rows, ${result.panels} panels):`,
  );
  console.log(
    `  SVG            ${result.svgMs} ms wall, ${result.svgCpuMs} ms CPU (median of 5; load average ${result.loadAverage}), ${(svg.length / 1e6).toFixed(2)} MB`,
  );
  console.log(
    `  SVG + tooltips ${result.svgWithTooltipsMs} ms, ${(tipsSvg.length / 1e6).toFixed(2)} MB (live page / HTML)`,
  );
  console.log(`  PNG (resvg)    ${result.pngMs} ms, ${(png.length / 1e6).toFixed(2)} MB`);
  return result;
}

if (isMain(import.meta.url))
  await run(areaOptions('viz', 'Time to draw the figure of 8 lenses × 20 layers × 300 epochs as SVG and PNG.'));
