// The runs page's server (issue 17): a directory of runs listed cheaply and paged, tables read
// only for the runs on the page (once per change), overlays only of runs in its own listing,
// runs with one label kept apart, names with markup escaped. Runs are real: written by an
// Inspector (LossMetrics over a LoopAdapter) and copied.
import t from 'tap';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inspector, LoopAdapter, isMonitorchError, readRunsSync } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { runSourceKind, serveRuns, type RunListRow } from '@monitorch/viz';
import { rawRequest } from './fixtures/http.js';

const root = mkdtempSync(join(tmpdir(), 'monitorch-runs-page-'));

/** A closed run of `epochs` epochs whose train losses are 1/epoch (one batch each). */
async function writeRun(dir: string, epochs: number, label?: string): Promise<void> {
  const inspector = new Inspector({
    lenses: [new LossMetrics()],
    runDir: dir,
    logger: null,
    durable: false,
    ...(label === undefined ? {} : { label }),
  });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  for (let e = 1; e <= epochs; e++) {
    loop.loss(1 / e);
    await inspector.tickEpoch();
  }
  await inspector.close();
}

const portOf = (url: string): number => Number(new URL(url).port);

async function json<T>(port: number, path: string): Promise<T> {
  const res = await rawRequest(port, path);
  return JSON.parse(res.body) as T;
}

t.test('200 runs: the list is paged and only the shown runs are read, once per change', async (t) => {
  const dir = join(root, 'many');
  const template = join(root, 'template');
  await writeRun(template, 2, 'template');
  mkdirSync(dir);
  for (let i = 0; i < 200; i++) {
    const run = join(dir, `run-${String(i).padStart(3, '0')}`);
    cpSync(template, run, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(run, 'run.json'), JSON.stringify({ ...manifest, label: `lr ${i}` }));
  }
  const page = await serveRuns(dir, { pollMs: 50 });
  t.teardown(() => page.close());
  const port = portOf(page.url);
  t.equal(page.tablesRead, 0, 'listing reads no table');
  const first = await json<{ total: number; rows: RunListRow[] }>(port, '/runs.json?offset=0&limit=50');
  t.equal(first.total, 200);
  t.equal(first.rows.length, 50);
  t.same(first.rows[0], {
    name: 'run-000',
    label: 'lr 0',
    created: first.rows[0]?.created,
    status: 'finished',
    epochs: 2,
    loss: ['train loss 0.5'],
    metrics: [],
  });
  t.equal(page.tablesRead, 50, 'one page: 50 runs read');
  await json(port, '/runs.json?offset=0&limit=50');
  t.equal(page.tablesRead, 50, 'asked again: nothing read again');
  const last = await json<{ rows: RunListRow[] }>(port, '/runs.json?offset=150&limit=50');
  t.same(last.rows.map((r) => r.name).slice(-2), ['run-198', 'run-199']);
  t.equal(page.tablesRead, 100);
  // One run changes (a new run.json label): after a poll only it is read again.
  writeFileSync(
    join(dir, 'run-003', 'run.json'),
    JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'run-003', 'run.json'), 'utf8')), label: 'renamed' }),
  );
  await new Promise((r) => setTimeout(r, 300));
  const again = await json<{ rows: RunListRow[] }>(port, '/runs.json?offset=0&limit=50');
  t.equal(again.rows[3]?.label, 'renamed');
  t.equal(page.tablesRead, 101, 'only the changed run was read again');
});

t.test('overlays only runs of the listing; same labels apart; markup stays text', async (t) => {
  const dir = join(root, 'mixed');
  const evil = '<img src=x onerror=alert(1)>';
  await writeRun(join(dir, 'a'), 2, 'twin');
  await writeRun(join(dir, 'b'), 3, 'twin');
  await writeRun(join(dir, 'c'), 1, evil);
  const page = await serveRuns(dir, { pollMs: 50 });
  t.teardown(() => page.close());
  const port = portOf(page.url);
  const { rows } = await json<{ rows: RunListRow[] }>(port, '/runs.json');
  t.same(
    rows.map((r) => [r.name, r.label, r.epochs, r.loss]),
    [
      ['a', 'twin', 2, ['train loss 0.5']],
      ['b', 'twin', 3, ['train loss 0.33333']],
      ['c', evil, 1, ['train loss 1']],
    ],
  );
  const figure = await rawRequest(port, '/figure.svg?run=a&run=b&run=c');
  t.equal(figure.status, 200);
  t.match(figure.body, `>twin (${join(dir, 'a')})<`, 'two runs with one label: the legend says which directory');
  t.match(figure.body, `>twin (${join(dir, 'b')})<`);
  t.notMatch(figure.body, '<img', 'the label with markup is escaped');
  t.match(figure.body, '&lt;img src=x onerror=alert(1)&gt;');
  for (const bad of ['/figure.svg?run=..%2F..%2Fetc', '/figure.svg?run=%2Fetc', '/figure.svg']) {
    t.equal((await rawRequest(port, bad)).status, 404, `${bad}: only names from the listing`);
  }
  t.equal((await rawRequest(port, '/../run.json')).status, 404);
  t.equal((await rawRequest(port, '/runs.json', { host: 'evil.example:80' })).status, 403);
  // A damaged run is drawn from its intact epochs (here: none), not refused.
  // Both the closed file and its stream cut short: nothing intact to fall back on in full.
  for (const file of ['loss-metrics.arrow', 'loss-metrics.arrows']) {
    const bytes = readFileSync(join(dir, 'c', file));
    writeFileSync(join(dir, 'c', file), bytes.subarray(0, bytes.length - 40));
  }
  t.throws(() => readRunsSync([join(dir, 'c')]), { code: 'RUN_DAMAGED' }, 'the run is damaged');
  await new Promise((r) => setTimeout(r, 200));
  const damaged = await rawRequest(port, '/figure.svg?run=c');
  t.equal(damaged.status, 200);
  t.notMatch(damaged.body, 'Could not draw', 'drawn from what is intact');
  t.match(damaged.body, '>&lt;img src=x onerror=alert(1)&gt;</text>', 'the run is still in the legend');
  const html = await rawRequest(port, '/');
  t.match(html.headers, /content-security-policy: default-src 'none'; script-src 'self'/i);
});

t.test('a directory that is neither a run nor a directory of runs is refused clearly', async (t) => {
  const notRun = join(root, 'not-a-run');
  mkdirSync(join(notRun, 'empty-sub'), { recursive: true });
  writeFileSync(join(notRun, 'notes.txt'), 'hello');
  t.throws(() => runSourceKind(notRun), {
    code: 'RUN_DIR_UNREADABLE',
    message: /is not a monitorch run \(no run.json or <table>.arrow files\) and holds no run directories/,
  });
  t.throws(() => runSourceKind(join(notRun, 'notes.txt')), { code: 'RUN_DIR_UNREADABLE', message: /not a directory/ });
  await writeRun(join(root, 'kinds', 'one'), 1);
  t.equal(runSourceKind(join(root, 'kinds', 'one')), 'run');
  t.equal(runSourceKind(join(root, 'kinds')), 'run-list');
  try {
    runSourceKind(join(root, 'missing'));
  } catch (e) {
    t.ok(isMonitorchError(e));
  }
});
