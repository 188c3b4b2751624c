import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pl from 'nodejs-polars';
import { Inspector, LoopAdapter } from '@monitorch/core';
import { DEFAULT_DISTRIBUTION, OutputDistribution } from '@monitorch/lens-output-distribution';

type Row = Record<string, unknown>;

t.test('fractions are shares of finite entries per bin, summed over the epoch; read back by polars', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'monitorch-dist-'));
  const lens = new OutputDistribution({ lo: 0, hi: 1, bins: 4 });
  const inspector = new Inspector({ lenses: [lens], logger: null, runDir: dir });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  // Batch 1: bins [0,.25) ×2, [.5,.75) ×1, below ×1.  Batch 2: [.25,.5) ×1, [.75,1) ×1, above ×1, NaN ×1.
  loop.output('relu1', Float32Array.from([0, 0.1, 0.6, -2]), [2, 2], { kind: 'activation' });
  loop.output('relu1', Float32Array.from([0.3, 0.8, 5, Number.NaN]), [2, 2], { kind: 'activation' });
  await inspector.tickEpoch();
  const rows = inspector
    .table(lens)
    .toArray()
    .map((r: { toJSON(): Row }) => r.toJSON());
  t.equal(rows.length, 1);
  const r = rows[0] as Row;
  t.equal(r['quantity'], 'output_distribution');
  t.equal(r['count'], 2, 'two batches');
  t.equal(r['non_finite'], 1);
  t.equal(r['lo'], 0);
  t.equal(r['hi'], 1);
  // 7 finite entries.
  t.same(Array.from(r['fractions'] as Iterable<number>), [2 / 7, 1 / 7, 1 / 7, 1 / 7]);
  t.equal(r['below'], 1 / 7);
  t.equal(r['above'], 1 / 7);
  t.equal(r['mean'], null, 'no made-up summary statistics');
  await inspector.close();
  const df = pl.readIPC(readFileSync(join(dir, 'output-distribution.arrow')));
  const rec = df.toRecords()[0] as Row;
  t.same(Array.from(rec['fractions'] as Iterable<number>), [2 / 7, 1 / 7, 1 / 7, 1 / 7], 'polars: float64 list');
  t.equal(rec['below'], 1 / 7);
  t.match(String(df.getColumn('fractions').dtype), /List\(.*Float64/);
});

t.test('defaults: 0 is the middle of a bin; a dead ReLU piles in it, an explosion leaves the range', async (t) => {
  const lens = new OutputDistribution();
  const { lo, hi, bins } = DEFAULT_DISTRIBUTION;
  const w = (hi - lo) / bins;
  t.ok(Math.abs(w - 0.1) < 1e-12, 'bins of 0.1');
  const zeroBin = Math.floor((0 - lo) / w);
  t.ok(Math.abs(lo + (zeroBin + 0.5) * w) < 1e-12, 'bin centred on 0');
  const inspector = new Inspector({ lenses: [lens], logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  loop.output('dead', new Float32Array(8), [2, 4], { kind: 'activation' });
  loop.output('wild', Float32Array.from([50, -50, 1e3, 0]), [2, 2], { kind: 'activation' });
  await inspector.tickEpoch();
  const rows = inspector
    .table(lens)
    .toArray()
    .map((r: { toJSON(): Row }) => r.toJSON());
  const dead = rows.find((r) => r['module'] === 'dead') as Row;
  const f = Array.from(dead['fractions'] as Iterable<number>);
  t.equal(f.length, 81);
  t.equal(f[zeroBin], 1, 'collapse: everything in the zero bin');
  const wild = rows.find((r) => r['module'] === 'wild') as Row;
  t.equal(wild['above'], 0.5);
  t.equal(wild['below'], 0.25);
  t.equal(lens.table.plot.panels[0]?.kind, 'distribution');
  t.equal(lens.table.plot.panels[0]?.title, 'Output Distribution');
  await inspector.close();
});

t.test('bad ranges and bins are typed errors', (t) => {
  t.throws(() => new OutputDistribution({ lo: 1, hi: 1 }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => new OutputDistribution({ lo: 0, hi: Number.NaN }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => new OutputDistribution({ bins: 0 }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => new OutputDistribution({ bins: 20001 }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => new OutputDistribution({ bins: 3.5 }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => new OutputDistribution({ exclude: 'relu1' as unknown as string[] }), { code: 'INVALID_ARGUMENT' });
  t.end();
});
