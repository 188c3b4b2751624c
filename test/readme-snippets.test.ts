// Every TypeScript snippet in the READMEs is type-checked against the real packages (so the
// README cannot drift from the code), and the snippets marked `<!-- run -->` are run.
// Python and SQL snippets need tools this project does not install; they are not run here.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Inspector, LoopAdapter } from '@monitorch/core';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { LossMetrics } from '@monitorch/lens-loss-metrics';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.snippets');

/** The imports a README's snippets take for granted: the package's own classes. */
const CONTEXT: Readonly<Record<string, string>> = {
  'packages/lens-loss-metrics/README.md': "import { LossMetrics } from '@monitorch/lens-loss-metrics';",
  'packages/lens-output-activation/README.md': "import { OutputActivation } from '@monitorch/lens-output-activation';",
  'packages/lens-gradient-activation/README.md':
    "import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';",
  'packages/core/README.md': "import { OutputActivation } from '@monitorch/lens-output-activation';",
  'packages/adapter-tfjs/README.md':
    "import * as tf from '@tensorflow/tfjs-core'; import { TfjsAdapter } from '@monitorch/adapter-tfjs';",
};

interface Snippet {
  readonly readme: string;
  readonly line: number;
  readonly code: string;
  readonly run: boolean;
  readonly file: string;
}

function readmes(): string[] {
  const packages = readdirSync(join(root, 'packages')).map((p) => join('packages', p, 'README.md'));
  return ['README.md', 'examples/README.md', ...packages].filter((f) => {
    try {
      readFileSync(join(root, f));
      return true;
    } catch {
      return false;
    }
  });
}

function extract(readme: string): Snippet[] {
  const lines = readFileSync(join(root, readme), 'utf8').split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]?.trim() !== '```') end++;
    const body = lines.slice(start, end).join('\n');
    const run = lines[i - 1]?.trim() === '<!-- run -->';
    const hasImport = /^import /m.test(body);
    const code = `${hasImport ? '' : (CONTEXT[readme] ?? '')}\n${body}\nexport {};\n`;
    const file = join(out, `${readme.replace(/[/.]/g, '_')}-L${start}.ts`);
    found.push({ readme, line: start, code, run, file });
    i = end;
  }
  return found;
}

const snippets = readmes().flatMap(extract);

t.test('every TypeScript snippet of the READMEs type-checks against the packages', async (t) => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const s of snippets) writeFileSync(s.file, s.code);
  t.ok(snippets.length >= 15, `${snippets.length} snippets found`);
  let report = '';
  try {
    execFileSync('npx', ['--no-install', 'tsc', '-p', 'test/readme-snippets/tsconfig.json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    report = String((e as { stdout?: string }).stdout ?? e);
  }
  for (const s of snippets) {
    const name = relative(root, s.file);
    const errors = report.split('\n').filter((l) => l.startsWith(name));
    t.same(errors, [], `${s.readme}:${s.line}`);
  }
});

t.test('snippets marked <!-- run --> run', async (t) => {
  const runnable = snippets.filter((s) => s.run);
  t.ok(runnable.length > 0, `${runnable.length} runnable snippets`);
  // Snippets read run directories by relative paths: give them a real run in a scratch cwd.
  const cwd = mkdtempSync(join(tmpdir(), 'monitorch-snippets-'));
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }));
  const inspector = new Inspector({
    lenses: [new OutputActivation()],
    runDir: join(cwd, 'runs', 'mnist'),
    logger: null,
  });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  loop.output('relu1', Float32Array.from([1, 0, 2, 0]), [2, 2], { kind: 'activation' });
  await inspector.tickEpoch();
  await inspector.close();
  // Two runs to compare (README "Compare runs"): one Inspector, re-attached, each run labelled.
  const study = new Inspector({ lenses: [new LossMetrics()], logger: null });
  for (const [name, label, dropout, losses] of [
    ['no-dropout', 'no dropout', 0, [0.9, 0.5, 0.3]],
    ['dropout', 'dropout 0.5', 0.5, [1.0, 0.7, 0.5]],
  ] as const) {
    const run = new LoopAdapter();
    study.attach(run, { runDir: join(cwd, 'runs', 'study', name), label, config: { dropout } });
    for (const loss of losses) {
      run.loss(loss);
      await study.tickEpoch();
    }
  }
  await study.close();
  for (const s of runnable) {
    const js = s.file.replace(/\.ts$/, '.mjs');
    execFileSync('npx', ['--no-install', 'esbuild', s.file, `--outfile=${js}`, '--format=esm', '--log-level=error'], {
      cwd: root,
    });
    t.doesNotThrow(
      () => execFileSync('node', [js], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
      `${s.readme}:${s.line} runs`,
    );
  }
});
