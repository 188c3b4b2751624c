// The examples' `--lenses` option: names by lens id or class name in any case, `all`, `none`,
// the seed's always-on lenses accepted, and an unknown name refused with the valid ones listed —
// by the parser and by `npm start` itself (exit code 1 before any training).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { EXTRA_LENSES, lensList, lensListLabel } from '@monitorch/examples/lens-choice';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

t.test('lens names: ids, class names, all, none, in figure order', async (t) => {
  t.equal(EXTRA_LENSES.length, 7, "issue 14's seven lenses");
  t.same(
    lensList('all').map((l) => l.id),
    EXTRA_LENSES.map((l) => l.id),
  );
  t.same(lensList('none'), []);
  t.same(
    lensList('OutputDistribution, update-geometry,parametercond').map((l) => l.id),
    ['update-geometry', 'parameter-cond', 'output-distribution'],
    'ids and class names in any case; the result in figure order',
  );
  t.same(
    lensList('LossMetrics,output-norm').map((l) => l.id),
    ['output-norm'],
    'a seed lens may be named: it is always on',
  );
  const created = lensList('all').map((l) => l.create());
  t.same(
    created.map((l) => l.id),
    EXTRA_LENSES.map((l) => l.id),
    'each factory makes the lens whose id it is listed under',
  );
  t.equal(lensListLabel(lensList('all')), 'all lenses');
  t.equal(lensListLabel(lensList('ParameterCond')), 'seed lenses + parameter-cond');
});

t.test('an unknown name is refused with every valid name', async (t) => {
  t.throws(() => lensList('output-norm,wieght-norm'), {
    message:
      /unknown lens "wieght-norm"\. Expected "all", "none" or a comma list of: output-norm \(OutputNorm\),.*output-distribution \(OutputDistribution\)/,
  });
  t.throws(() => lensList(' , '), { message: /^no lens named\. Expected "all"/ });
});

t.test('npm start -- --lenses <unknown> exits 1 before training and says what to type', async (t) => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const main = /&& node (\S+)$/.exec(scripts.start)?.[1] ?? '';
  const run = spawnSync(process.execPath, [main, '--lenses', 'norms'], { cwd: ROOT, encoding: 'utf8' });
  t.equal(run.status, 1);
  t.match(run.stderr, /option '--lenses <list>' argument 'norms' is invalid\. unknown lens "norms"/);
  t.match(run.stderr, /parameter-norm \(ParameterNorm\)/);
  t.notMatch(run.stdout, /epoch 1/, 'nothing trained');
});
