// Comparing runs (issue 17): run.json records label, config and versions; readRuns gives one
// tidy table per lens with a `run` column; readRunsInfo one row per run with config columns.
// Every run here is real: written by an Inspector through a LoopAdapter, read back by
// monitorch and by polars (another Arrow implementation).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { tableToIPC, type Table } from 'apache-arrow';
import pl from 'nodejs-polars';
import { Inspector, LoopAdapter, readRuns, readRunsInfo } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';

const root = mkdtempSync(join(tmpdir(), 'monitorch-runs-'));

/** Trains nothing: pushes the given batch losses per epoch and closes the run (or not). */
async function writeRun(
  dir: string,
  epochs: readonly (readonly number[])[],
  options: { label?: string; config?: Record<string, unknown>; close?: boolean } = {},
): Promise<Inspector> {
  const inspector = new Inspector({
    lenses: [new LossMetrics()],
    runDir: dir,
    logger: null,
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(options.config === undefined ? {} : { config: options.config }),
  });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  for (const losses of epochs) {
    for (const loss of losses) loop.loss(loss);
    await inspector.tickEpoch();
  }
  if (options.close !== false) await inspector.close();
  return inspector;
}

function column(table: Table | undefined, name: string): unknown[] {
  const vector = table?.getChild(name);
  if (vector === undefined || vector === null) return [];
  return Array.from(vector.toArray() as ArrayLike<unknown>);
}

t.test('run.json records the label, the config and the versions that wrote the run', async (t) => {
  const dir = join(root, 'described');
  await writeRun(dir, [[1]], { label: 'baseline', config: { lr: 0.01, layers: [32, 64], dropout: false } });
  const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
  t.equal(manifest['label'], 'baseline');
  t.same(manifest['config'], { lr: 0.01, layers: [32, 64], dropout: false });
  const versions = manifest['versions'] as Record<string, string>;
  const corePackage = JSON.parse(readFileSync(join('packages', 'core', 'package.json'), 'utf8')) as { version: string };
  t.equal(versions['@monitorch/core'], corePackage.version);
  t.equal(versions['node'], process.version);
  await writeRun(join(root, 'unlabelled'), [[1]]);
  const unlabelled = JSON.parse(readFileSync(join(root, 'unlabelled', 'run.json'), 'utf8')) as { label: string };
  t.equal(unlabelled.label, 'unlabelled', 'the default label is the directory name');
});

t.test('readRuns: one table per lens, rows tagged by run, comparable with one group_by in polars', async (t) => {
  const a = join(root, 'cmp-a');
  const b = join(root, 'cmp-b');
  await writeRun(
    a,
    [
      [4, 2],
      [1, 1],
    ],
    { label: 'plain', config: { dropout: 0 } },
  );
  await writeRun(
    b,
    [
      [3, 3],
      [2, 4],
      [1, 1],
    ],
    { label: 'dropout', config: { dropout: 0.25 } },
  );
  const tables = await readRuns([a, b]);
  const loss = tables.get('loss-metrics');
  t.ok(loss !== undefined, 'the loss lens table is there');
  t.equal(loss?.schema.fields[0]?.name, 'run', 'run is the first column');
  const runs = column(loss, 'run');
  const epochs = column(loss, 'epoch');
  const means = column(loss, 'mean');
  const trainRows = runs.map((run, i) => ({ run, epoch: epochs[i], mean: means[i] }));
  t.same(
    trainRows,
    [
      { run: 'plain', epoch: 1, mean: 3 },
      { run: 'plain', epoch: 2, mean: 1 },
      { run: 'dropout', epoch: 1, mean: 3 },
      { run: 'dropout', epoch: 2, mean: 3 },
      { run: 'dropout', epoch: 3, mean: 1 },
    ],
    'every epoch of every run, in the order the directories were given',
  );
  // polars reads the combined table and compares the runs with one group_by.
  const file = join(root, 'loss-combined.arrow');
  writeFileSync(file, tableToIPC(loss as Table, 'file'));
  const df = pl.readIPC(readFileSync(file));
  const last = df
    .groupBy('run')
    .agg(pl.col('epoch').max().alias('epochs'), pl.col('mean').mean().alias('mean_loss'))
    .sort('run');
  t.same(last.toRecords(), [
    { run: 'dropout', epochs: 3, mean_loss: 7 / 3 },
    { run: 'plain', epochs: 2, mean_loss: 2 },
  ]);
});

t.test('readRunsInfo: status, times and config columns to join on', async (t) => {
  const finished = join(root, 'info-finished');
  const running = join(root, 'info-running');
  const crashed = join(root, 'info-crashed');
  await writeRun(finished, [[1]], { label: 'done', config: { lr: 0.1, optimizer: 'sgd', nested: { a: 1 } } });
  const open = await writeRun(running, [[2]], {
    label: 'going',
    config: { lr: 0.01, optimizer: 'adam' },
    close: false,
  });
  // A crash: a child process writes one epoch and exits without closing its run.
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { Inspector, LoopAdapter } from '@monitorch/core';
       import { LossMetrics } from '@monitorch/lens-loss-metrics';
       const i = new Inspector({ lenses: [new LossMetrics()], runDir: ${JSON.stringify(crashed)}, logger: null, label: 'killed', config: { lr: 'high' } });
       const loop = new LoopAdapter(); i.attach(loop); loop.loss(3); await i.tickEpoch(); process.exit(0);`,
    ],
    { encoding: 'utf8' },
  );
  t.equal(child.status, 0, child.stderr);
  const info = readRunsInfo([finished, running, crashed]);
  t.same(column(info, 'run'), ['done', 'going', 'killed']);
  t.same(column(info, 'status'), ['finished', 'running', 'crashed']);
  t.equal(column(info, 'closed')[1], null, 'a running run has no end time');
  t.ok(typeof column(info, 'closed')[0] === 'string', 'a finished run has its end time');
  t.notOk(
    info.schema.fields.some((f) => f.name === 'config_lr'),
    'lr is a number in two runs and a string in one: no typed column, only the JSON text',
  );
  t.same(column(info, 'config_optimizer'), ['sgd', 'adam', null]);
  t.notOk(
    info.schema.fields.some((f) => f.name === 'config_nested'),
    'nested values stay in the JSON text',
  );
  t.same(JSON.parse(String(column(info, 'config')[0])), { lr: 0.1, optimizer: 'sgd', nested: { a: 1 } });
  // The running run's rows are read from its stream file.
  const tables = await readRuns([running, crashed]);
  t.same(column(tables.get('loss-metrics'), 'run'), ['going', 'killed']);
  await open.close();
});

t.test('two runs with the same label stay apart; bad input gets typed errors', async (t) => {
  const x = join(root, 'same-1');
  const y = join(root, 'same-2');
  await writeRun(x, [[1]], { label: 'twin' });
  await writeRun(y, [[2]], { label: 'twin' });
  const loss = (await readRuns([x, y])).get('loss-metrics');
  t.same(column(loss, 'run'), [`twin (${x})`, `twin (${y})`]);
  await t.rejects(readRuns([x, x]), { code: 'INVALID_ARGUMENT', message: /listed twice/ });
  await t.rejects(readRuns([]), { code: 'INVALID_ARGUMENT' });
  const notRun = mkdtempSync(join(root, 'not-a-run-'));
  await t.rejects(readRuns([x, notRun]), { code: 'RUN_DIR_UNREADABLE', message: /not a monitorch run directory/ });
  t.throws(() => new Inspector({ lenses: [new LossMetrics()], config: { make: () => 1 } }), {
    code: 'INVALID_ARGUMENT',
    message: /config\.make is a function/,
  });
  t.throws(
    () => new Inspector({ lenses: [new LossMetrics()], config: { when: new Date() } }),
    /config\.when is an instance of Date/,
  );
  t.throws(() => new Inspector({ lenses: [new LossMetrics()], config: { lr: Number.NaN } }), /config\.lr is NaN/);
  t.throws(() => new Inspector({ lenses: [new LossMetrics()], label: ' ' }), /label must be a non-empty string/);
});

t.test('one Inspector re-attached for two runs labels and configures each run apart', async (t) => {
  const a = join(root, 'attach-a');
  const b = join(root, 'attach-b');
  const inspector = new Inspector({ lenses: [new LossMetrics()], logger: null, config: { lr: 0.1, dropout: 0 } });
  inspector.attach(new LoopAdapter(), { runDir: a, label: 'no dropout' });
  await inspector.tickEpoch();
  inspector.attach(new LoopAdapter(), { runDir: b, label: 'dropout', config: { lr: 0.1, dropout: 0.5 } });
  await inspector.tickEpoch();
  t.throws(() => inspector.attach(new LoopAdapter(), { label: '' }), { code: 'INVALID_ARGUMENT' });
  t.equal(inspector.runDir, b, 'a refused attach leaves the current run as it was');
  await inspector.close();
  const info = readRunsInfo([a, b]);
  t.same(column(info, 'run'), ['no dropout', 'dropout']);
  t.same(column(info, 'config_dropout'), [0, 0.5], "the second run's config replaces the Inspector's");
});
