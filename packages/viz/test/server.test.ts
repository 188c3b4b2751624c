import t from 'tap';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import type { Table } from 'apache-arrow';
import { Inspector, type EpochClosed } from '@monitorch/core';
import { serve, type LiveInspector } from '@monitorch/viz';
import { lensTable, seedTables, writeRun } from './fixtures/tables.js';
import { rawRequest, readEvents } from './fixtures/http.js';
import { ScriptedAdapter, ScriptedLens, trainEpoch } from './fixtures/scripted-run.js';

const EVIL = '<img src=x onerror=alert(1)>';
const tmp = (): string => mkdtempSync(join(tmpdir(), 'monitorch-serve-'));
const portOf = (url: string): number => Number(new URL(url).port);

function evilTable(epochs: number): Table {
  return lensTable(
    'evil',
    {
      panels: [
        { title: `Acts ${EVIL}`, size: 'small', kind: 'probability', quantities: ['activation_rate'], line: 'mean' },
      ],
    },
    Array.from({ length: epochs }, (_, i) => ({
      epoch: i + 1,
      phase: 'train',
      module: EVIL,
      quantity: 'activation_rate',
      mean: 0.5,
    })),
  );
}

t.test('serves only its own routes; traversal and other paths are refused', async (t) => {
  const dir = tmp();
  writeRun(dir, seedTables(3));
  const page = await serve(dir, { pollMs: 50 });
  t.teardown(() => page.close());
  const port = portOf(page.url);
  t.match(page.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);

  const home = await rawRequest(port, '/');
  t.equal(home.status, 200);
  t.match(home.headers, /content-security-policy: default-src 'none'; script-src 'self'/i);
  t.match(home.body, '<script src="/page.js"></script>');
  t.notMatch(home.body, /<script>/, 'no inline script');
  t.equal((await rawRequest(port, '/page.js')).status, 200);
  const figure = await rawRequest(port, '/figure.svg?v=3');
  t.equal(figure.status, 200);
  t.match(figure.headers, /content-type: image\/svg\+xml/i);
  t.match(figure.body, '>net.relu3<');
  t.equal((await rawRequest(port, '/progress')).body, 'null');

  for (const path of [
    '/../../etc/passwd',
    '/%2e%2e/',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/figure.svg/../../../etc/passwd',
    '//etc/passwd',
    '/..%2f..%2fetc%2fpasswd',
    '/loss-metrics.arrow',
    '/index.html',
    '/page.js/',
    '/%2E%2E/package.json',
    '\\..\\..\\etc\\passwd',
  ]) {
    const res = await rawRequest(port, path);
    t.ok(res.status === 404 || res.status === 400, `${path} → ${res.status} (404, or 400 from Node's own parser)`);
    t.notMatch(res.body, /root:|<svg|<html/i, `${path}: nothing served`);
  }
  t.equal((await rawRequest(port, '/', { method: 'POST' })).status, 405);
  t.equal((await rawRequest(port, '/', { host: 'evil.example:80' })).status, 403, 'DNS-rebinding Host refused');
  t.equal((await rawRequest(port, '/', { host: `localhost:${port}` })).status, 200);
});

t.test('answers only on the host it was given', async (t) => {
  const page = await serve(tmp(), { host: '127.0.0.1' });
  t.teardown(() => page.close());
  const port = portOf(page.url);
  const refused = (address: string): Promise<string> =>
    new Promise((resolve) => {
      const s = connect(port, address);
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
  t.equal(await refused('127.0.0.1'), 'connected');
  t.equal(await refused('127.0.0.2'), 'ECONNREFUSED', 'another loopback address is refused');
  const own = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && !i.internal && i.family === 'IPv4');
  if (own === undefined) {
    t.comment('no non-loopback IPv4 address on this machine; skipped that check');
  } else {
    t.equal(await refused(own.address), 'ECONNREFUSED', `the machine's own address ${own.address} is refused`);
  }
});

t.test('names are escaped in the figure and page; a live run directory is followed', async (t) => {
  const dir = tmp();
  writeRun(dir, new Map([['evil', evilTable(1)]]));
  const page = await serve(dir, { pollMs: 30, title: `run ${EVIL}` });
  t.teardown(() => page.close());
  const port = portOf(page.url);
  const home = await rawRequest(port, '/');
  t.notMatch(home.body, /<img/);
  t.match(home.body, '<h1>run &lt;img src=x onerror=alert(1)&gt;</h1>');
  const figure = await rawRequest(port, '/figure.svg');
  t.notMatch(figure.body, /<img/);
  t.match(figure.body, `>&lt;img src=x onerror=alert(1)&gt;<`);
  t.match(figure.body, `>Acts &lt;img src=x onerror=alert(1)&gt;<`);

  const events = readEvents(port, (ev) =>
    ev.some((e) => e.event === 'epoch' && (e.data as { epoch: number }).epoch === 4),
  );
  setTimeout(() => writeRun(dir, new Map([['evil', evilTable(4)]])), 50);
  const seen = await events;
  t.equal(seen[0]?.event, 'hello');
  t.match(seen.at(-1)?.data, { epoch: 4, run: 1 });
  t.match((await rawRequest(port, '/figure.svg')).body, />4</, 'the figure now reaches epoch 4');
});

t.test('with an inspector: one message per closed epoch, progress with rate and ETA', async (t) => {
  const epochs$ = new Subject<EpochClosed>();
  let tables = new Map<string, Table>([...seedTables(1)]);
  let rendered = 0;
  const inspector: LiveInspector = {
    epochs$,
    epoch: 2,
    run: 1,
    allTables: () => {
      rendered += 1;
      return tables;
    },
  };
  const page = await serve(inspector);
  t.teardown(() => page.close());
  const port = portOf(page.url);
  const events = readEvents(
    port,
    (ev) => ev.filter((e) => e.event === 'epoch').length === 2 && ev.some((e) => e.event === 'progress'),
  );
  await new Promise((r) => setTimeout(r, 50));
  page.progress({ epoch: 2, batch: 1, batches: 100, loss: 0.5 });
  await new Promise((r) => setTimeout(r, 20));
  page.progress({ epoch: 2, batch: 11, batches: 100, loss: 0.3 });
  tables = seedTables(2);
  epochs$.next({ epoch: 2, run: 1, rows: new Map() });
  tables = seedTables(3);
  epochs$.next({ epoch: 3, run: 1, rows: new Map() });
  const seen = await events;
  t.match(seen[0], { event: 'hello', data: { epoch: 1, run: 1 } });
  t.same(
    seen.filter((e) => e.event === 'epoch').map((e) => (e.data as { epoch: number }).epoch),
    [2, 3],
  );
  const progress = seen.find((e) => e.event === 'progress')?.data as {
    batch: number;
    rate: number;
    etaSeconds: number;
    runningLoss: number;
  };
  t.equal(progress.batch, 11);
  t.ok(progress.rate > 0 && Math.abs(progress.etaSeconds - 89 / progress.rate) < 1e-9, 'ETA = batches left / rate');
  t.equal(progress.runningLoss, 0.4);
  t.equal(rendered, 0, 'nothing drawn until a page asks for the figure');
  const a = await rawRequest(port, '/figure.svg');
  const b = await rawRequest(port, '/figure.svg');
  t.equal(rendered, 1, 'drawn once per epoch, however many requests');
  t.equal(a.body, b.body);
  t.match(a.body, /epoch 3:/, 'hover values');
  t.same((JSON.parse((await rawRequest(port, '/progress')).body) as { batch: number }).batch, 11);
  epochs$.complete();
});

t.test('follows a run that an Inspector is writing to disk (stream files mid-run)', async (t) => {
  const dir = join(tmp(), 'run');
  const inspector = new Inspector({ lenses: [new ScriptedLens()], runDir: dir, logger: null });
  inspector.attach(new ScriptedAdapter());
  const page = await serve(dir, { pollMs: 30 });
  t.teardown(async () => {
    await page.close();
    await inspector.close();
  });
  const port = portOf(page.url);
  const events = readEvents(port, (ev) =>
    ev.some((e) => e.event === 'epoch' && (e.data as { epoch: number }).epoch === 2),
  );
  await trainEpoch(inspector);
  await new Promise((r) => setTimeout(r, 100));
  await trainEpoch(inspector);
  const seen = await events;
  t.match(seen.at(-1), { event: 'epoch', data: { epoch: 2 } });
  const figure = (await rawRequest(port, '/figure.svg')).body;
  t.match(
    figure,
    /train loss · epoch 2: 1\.2\nmin–max: 1 … 1\.4</,
    'epoch 2 mean loss: (1 + 1.1 + 1.2 + 1.3 + 1.4) / 5',
  );
  t.match(figure, '>&lt;img src=x onerror=alert(1)&gt;<');
});

t.test('a run directory is live while written and finished, with its time, once its Inspector closes', async (t) => {
  const dir = join(tmp(), 'run');
  const inspector = new Inspector({ lenses: [new ScriptedLens()], runDir: dir, logger: null });
  inspector.attach(new ScriptedAdapter());
  await trainEpoch(inspector);
  const page = await serve(dir, { pollMs: 30 });
  t.teardown(() => page.close());
  const port = portOf(page.url);
  const events = readEvents(port, (ev) => ev.some((e) => e.event === 'done'));
  await new Promise((r) => setTimeout(r, 100));
  await inspector.close();
  const seen = await events;
  t.match(seen[0], { event: 'hello', data: { epoch: 1, done: false } }, 'live while the run is written');
  const { closed } = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { closed: string };
  t.match(seen.at(-1), { event: 'done', data: { epoch: 1, done: true, finishedAt: closed } }, "run.json's close time");

  // A page that connects later learns it from its first message.
  const later = await readEvents(port, (ev) => ev.length > 0);
  t.match(later[0], { event: 'hello', data: { done: true, finishedAt: closed } });
});

t.test('a directory of finished tables without run.json is finished at its newest .arrow file', async (t) => {
  const dir = tmp();
  writeRun(dir, seedTables(2));
  const newest = Math.max(...readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs));
  const page = await serve(dir, { pollMs: 30 });
  t.teardown(() => page.close());
  const [hello] = await readEvents(portOf(page.url), (ev) => ev.length > 0);
  t.match(hello, { event: 'hello', data: { epoch: 2, done: true, finishedAt: new Date(newest).toISOString() } });
});

t.test('with an inspector: closing it finishes the page and clears the progress', async (t) => {
  const epochs$ = new Subject<EpochClosed>();
  const inspector: LiveInspector = { epochs$, epoch: 1, run: 1, allTables: () => seedTables(1) };
  const page = await serve(inspector);
  t.teardown(() => page.close());
  const port = portOf(page.url);
  page.progress({ epoch: 1, batch: 10, batches: 10, loss: 0.5 });
  const events = readEvents(port, (ev) => ev.some((e) => e.event === 'done'));
  await new Promise((r) => setTimeout(r, 50));
  const before = Date.now();
  epochs$.next({ epoch: 1, run: 1, rows: new Map() });
  epochs$.complete();
  const seen = await events;
  const done = seen.find((e) => e.event === 'done')?.data as { done: boolean; finishedAt: string; progress?: unknown };
  t.equal(done.done, true);
  t.ok(Date.parse(done.finishedAt) >= before - 1000, `finishedAt ${done.finishedAt} is the close time`);
  t.equal(done.progress, undefined, 'no progress once finished (it said "ETA 0s" for ever)');
  page.progress({ epoch: 2, batch: 1, batches: 10, loss: 0.5 });
  t.equal((await rawRequest(port, '/progress')).body, 'null', 'later batch reports are ignored');
});

t.test('closing the server before the run finished tells open pages it stopped', async (t) => {
  const epochs$ = new Subject<EpochClosed>();
  const page = await serve({ epochs$, epoch: 1, run: 1, allTables: () => seedTables(1) });
  const events = readEvents(portOf(page.url), (ev) => ev.some((e) => e.event === 'stopped'));
  await new Promise((r) => setTimeout(r, 50));
  await page.close();
  const seen = await events;
  t.match(seen.at(-1), { event: 'stopped', data: { done: false } });
});
