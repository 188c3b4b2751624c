import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { lensTable, seedTables, writeRun } from './fixtures/tables.js';

// The built CLI: dist/cli.js next to the package's built entry point.
const CLI = join(dirname(createRequire(import.meta.url).resolve('@monitorch/viz')), 'cli.js');
const PACKAGE = join(dirname(CLI), '..');
const ROOT = join(PACKAGE, '..', '..');

type Result = { code: number; stdout: string; stderr: string };

function runFile(file: string, args: readonly string[], cwd?: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

function run(...args: string[]): Promise<Result> {
  return runFile(process.execPath, [CLI, ...args]);
}

t.test('monitorch plot <runDir> -o figure.{png,svg} (html is covered in figure.test.ts)', async (t) => {
  t.match(readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  const dir = mkdtempSync(join(tmpdir(), 'monitorch-cli-'));
  writeRun(join(dir, 'run'), seedTables(4));
  for (const ext of ['png', 'svg']) {
    const out = join(dir, 'out', `figure.${ext}`);
    const r = await run('plot', join(dir, 'run'), '-o', out);
    t.equal(r.code, 0, `${ext}: exit 0 (${r.stderr})`);
    t.match(r.stdout, `wrote ${out} (${ext}, `);
  }
  t.match(readFileSync(join(dir, 'out', 'figure.svg'), 'utf8'), '>Output Activations<');
  t.equal(
    readFileSync(join(dir, 'out', 'figure.png'))
      .subarray(1, 4)
      .toString(),
    'PNG',
  );

  const missing = await run('plot', join(dir, 'nope'), '-o', join(dir, 'x.png'));
  t.equal(missing.code, 1);
  t.match(missing.stderr, /run directory ".*nope" not found/);
  const badExt = await run('plot', join(dir, 'run'), '-o', join(dir, 'x.jpg'));
  t.equal(badExt.code, 1);
  t.match(badExt.stderr, /unknown extension "\.jpg".*\.png, \.svg or \.html/);
  const noOut = await run('plot', join(dir, 'run'));
  t.not(noOut.code, 0);
  t.match(noOut.stderr, /--output/);
});

t.test('monitorch plot refuses an empty run directory or one without a closed epoch', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'monitorch-cli-empty-'));
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const r = await run('plot', empty, '-o', join(dir, 'x.png'));
  t.equal(r.code, 1);
  t.match(r.stderr, /run directory ".*empty" holds no <table>\.arrow or \.arrows files, so there is nothing to plot/);
  t.equal(r.stdout, '', 'no figure written');

  const noRows = join(dir, 'no-rows');
  writeRun(noRows, new Map([['loss', lensTable('loss', { panels: [] }, [])]]));
  const r2 = await run('plot', noRows, '-o', join(dir, 'y.png'));
  t.equal(r2.code, 1);
  t.match(r2.stderr, /has no closed epoch yet, so there is nothing to plot/);
});

t.test('monitorch --version prints the package version; options are checked', async (t) => {
  const { version } = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string };
  const v = await run('--version');
  t.equal(v.code, 0);
  t.equal(v.stdout, `${version}\n`);
  const help = await run('serve', '--help');
  t.equal(help.code, 0);
  t.match(help.stdout, '--port <port>  port (default: any free port)');
  t.notMatch(help.stdout, '(default: 0)', 'the default is said once');
  const bogus = await run('plot', '--bogus', 'x', '-o', 'x.png');
  t.equal(bogus.code, 1);
  t.match(bogus.stderr, "unknown option '--bogus'");
});

t.test('the monitorch bin is a committed shim, so npm links it before anything is built', async (t) => {
  const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  const bin = join(PACKAGE, pkg.bin['monitorch'] ?? '');
  t.notMatch(pkg.bin['monitorch'], /dist\//, 'not under dist/, which a fresh clone lacks at install time');
  t.match(readFileSync(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  t.doesNotThrow(() => accessSync(bin, constants.X_OK), 'executable');
  const { version } = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string };
  const direct = await runFile(bin, ['--version']);
  t.equal(direct.stdout, `${version}\n`, 'the shim runs the built CLI');

  // npx finds the linked bin in the workspace; --offline proves it never asks the registry.
  const npx = await runFile('npx', ['--offline', 'monitorch', '--version'], ROOT);
  t.equal(npx.code, 0, npx.stderr);
  t.equal(npx.stdout, `${version}\n`);

  // A clone that was never built: the shim says what to run instead of failing on an import.
  const unbuilt = join(mkdtempSync(join(tmpdir(), 'monitorch-unbuilt-')), 'viz');
  mkdirSync(join(unbuilt, 'bin'), { recursive: true });
  writeFileSync(join(unbuilt, 'package.json'), '{ "type": "module" }\n');
  copyFileSync(bin, join(unbuilt, 'bin', 'monitorch.js'));
  const missing = await runFile(process.execPath, [join(unbuilt, 'bin', 'monitorch.js'), '--version']);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /dist\/cli\.js is not built yet\. Run `npm run build`/);
});

t.test('monitorch serve <runDir> prints the URL of a page bound to 127.0.0.1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'monitorch-cli-serve-'));
  writeRun(dir, seedTables(2));
  const child = spawn(process.execPath, [CLI, 'serve', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    child.kill('SIGTERM');
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  const res = await fetch(`${url}figure.svg`);
  t.equal(res.status, 200);
  t.match(await res.text(), '>Output Activations<');
  t.equal((await fetch(`${url}nothing`)).status, 404);
});

t.test(
  'a damaged run: plot and serve print the damage and exit 1, unless --accept-damage',

  async (t) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'monitorch-cli-damage-')), 'run');
    const tables = seedTables(3);
    writeRun(dir, tables);
    const [first, second] = [...tables.keys()] as [string, string];
    // Another table's file under this table's name: drawn as is, it would be a wrong panel.
    copyFileSync(join(dir, `${first}.arrow`), join(dir, `${second}.arrow`));
    const out = join(dir, '..', 'figure.svg');
    const refused = await run('plot', dir, '-o', out);
    t.equal(refused.code, 1);
    t.match(refused.stderr, new RegExp(`is damaged: .*${second}\\.arrow: it holds the table "${first}"`));
    t.match(refused.stderr, /--accept-damage/);
    t.notOk(existsSync(out), 'no figure from a damaged run');
    const accepted = await run('plot', dir, '-o', out, '--accept-damage');
    t.equal(accepted.code, 0, accepted.stderr);
    t.match(accepted.stderr, new RegExp(`damaged, drawn without it: .*${second}\\.arrow`));
    t.ok(existsSync(out));
    const serveRefused = await run('serve', dir, '--port', '0');
    t.equal(serveRefused.code, 1);
    t.match(serveRefused.stderr, /is damaged/);
  },
);

t.test('monitorch plot compares runs: several directories, --runs globs, or a directory of runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'monitorch-cli-compare-'));
  writeRun(join(dir, 'runs', 'plain'), seedTables(3));
  writeRun(join(dir, 'runs', 'dropout'), seedTables(3, { seed: 5, layers: 3 }));
  writeFileSync(join(dir, 'runs', 'notes.txt'), 'not a run');
  mkdirSync(join(dir, 'runs', 'empty'));
  const explicit = await run(
    'plot',
    join(dir, 'runs', 'plain'),
    join(dir, 'runs', 'dropout'),
    '-o',
    join(dir, 'a.svg'),
  );
  t.equal(explicit.code, 0, explicit.stderr);
  t.match(explicit.stdout, /comparing 2 runs: plain, dropout\n$/);
  t.match(readFileSync(join(dir, 'a.svg'), 'utf8'), '>Runs<');
  const globbed = await run('plot', '--runs', join(dir, 'runs', '*'), '-o', join(dir, 'b.svg'));
  t.equal(globbed.code, 0, globbed.stderr);
  t.match(globbed.stdout, /comparing 2 runs: dropout, plain\n$/, 'files and empty directories are not runs');
  const listDir = await run('plot', join(dir, 'runs'), '-o', join(dir, 'c.svg'));
  t.match(listDir.stdout, /comparing 2 runs: dropout, plain\n$/, 'a directory of runs compares its runs');
  const both = await run(
    'plot',
    join(dir, 'runs', 'plain'),
    '--runs',
    join(dir, 'runs', 'p*'),
    '-o',
    join(dir, 'd.svg'),
  );
  t.match(both.stdout, /comparing 1 runs: plain\n$/, 'a run named twice counts once');

  const noMatch = await run('plot', '--runs', join(dir, 'nothing-*'), '-o', join(dir, 'e.svg'));
  t.equal(noMatch.code, 1);
  t.match(noMatch.stderr, /--runs '.*nothing-\*' matches no run directory\. Quote the pattern/);
  const notRun = await run('plot', join(dir, 'runs', 'plain'), join(dir, 'runs', 'empty'), '-o', join(dir, 'f.svg'));
  t.equal(notRun.code, 1);
  t.match(notRun.stderr, /".*empty" is not a monitorch run \(no run\.json or <table>\.arrow files\)/);
  const odd = join(dir, 'odd');
  mkdirSync(join(odd, 'sub'), { recursive: true });
  writeFileSync(join(odd, 'x.txt'), '');
  const neither = await run('plot', odd, '-o', join(dir, 'g.svg'));
  t.equal(neither.code, 1);
  t.match(neither.stderr, /is not a monitorch run .* and holds no run directories/);
});

t.test('monitorch serve <directory of runs> serves the runs page', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'monitorch-cli-serve-runs-'));
  writeRun(join(dir, 'a'), seedTables(2));
  writeRun(join(dir, 'b'), seedTables(3));
  const child = spawn(process.execPath, [CLI, 'serve', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    child.kill('SIGTERM');
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const m = /runs page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  const list = (await (await fetch(`${url}runs.json`)).json()) as {
    total: number;
    rows: { name: string; epochs: number }[];
  };
  t.same(
    list.rows.map((r) => [r.name, r.epochs]),
    [
      ['a', 2],
      ['b', 3],
    ],
  );
  const figure = await fetch(`${url}figure.svg?run=a&run=b`);
  t.equal(figure.status, 200);
  t.match(await figure.text(), '>Runs<');
});
