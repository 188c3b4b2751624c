import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { seedTables, writeRun } from './fixtures/tables.js';

// The bin as installed: dist/cli.js next to the package's built entry point.
const CLI = join(dirname(createRequire(import.meta.url).resolve('@monitorch/viz')), 'cli.js');

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
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
