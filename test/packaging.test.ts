// Packages a user installs in a project of their own: every workspace package is packed,
// the tarballs are installed into a scratch project outside the repository (dependencies come
// from the npm registry, nothing else), and consumer programs are type-checked under `strict`
// and run against them.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const consumerSources = join(root, 'test', 'packaging', 'consumer');
const PACKAGES = [
  'core',
  'lens-loss-metrics',
  'lens-output-activation',
  'lens-norms',
  'lens-geometry',
  'lens-output-distribution',
  'lens-gradient-activation',
  'viz',
  'backend-onnx',
];

function run(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

t.test('the packed packages install into a project of their own, type-check under strict and run', async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'monitorch-pack-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const tarballs = join(scratch, 'tarballs');
  mkdirSync(tarballs);
  run(
    'npm',
    ['pack', '--silent', '--pack-destination', tarballs, ...PACKAGES.flatMap((p) => ['-w', `packages/${p}`])],
    root,
  );
  const packed = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
  t.equal(packed.length, PACKAGES.length, `one tarball per package: ${packed.join(', ')}`);

  const project = join(scratch, 'project');
  mkdirSync(project);
  for (const file of readdirSync(consumerSources)) copyFileSync(join(consumerSources, file), join(project, file));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // The one line a user's own project needs (see the README): skip onnxruntime-node's CUDA download.
  writeFileSync(join(project, '.npmrc'), 'onnxruntime-node-install=skip\n');
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...packed.map((f) => join(tarballs, f)),
      'typescript@~5.9.3',
      '@types/node@^20.19.0',
    ],
    project,
  );
  const compiled = run('npx', ['--no-install', 'tsc', '-p', '.'], project);
  t.equal(compiled.trim(), '', 'tsc --strict reports nothing');
  for (const program of readdirSync(project).filter((f) => f.endsWith('-consumer.ts'))) {
    const out = run('node', [join('dist', program.replace(/\.ts$/, '.js'))], project);
    t.match(out, /consumer done/, `${program} ran to its end`);
    t.notMatch(out, /^FAIL/m, `${program}: every number as expected`);
  }
});

t.test('every package passes publint --strict and arethetypeswrong (ESM: node16 and bundler)', async (t) => {
  for (const p of PACKAGES) {
    const dir = join(root, 'packages', p);
    t.doesNotThrow(() => run('npx', ['--no-install', 'publint', '--strict'], dir), `publint ${p}`);
    // ESM only, by design: node16/nodenext and bundler resolution are checked, CommonJS and
    // the legacy `node10` resolution are not supported (see the README).
    t.doesNotThrow(
      () => run('npx', ['--no-install', 'attw', '--pack', '.', '--profile', 'esm-only', '--format', 'ascii'], dir),
      `attw ${p}`,
    );
  }
});
