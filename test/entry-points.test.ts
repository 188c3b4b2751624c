// Every command a newcomer runs answers --help with its options and exits 0 without training or
// measuring anything, and rejects an unknown option by name with a non-zero exit code. The
// commands are read from the root package.json scripts (`… && node <file>`), so a script added
// there is checked too; the bench areas are also run on their own (`node bench/<area>.mjs`).
// Needs the build (`npm test` builds first).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Options each entry point's help must name (the ones users are told about). */
const OPTIONS: Record<string, readonly string[]> = {
  start: [
    '--epochs',
    '--dropout',
    '--batch-size',
    '--seed',
    '--out',
    '--device',
    '--no-serve',
    '--keep-serving',
    '--loss-on',
    '--limit',
  ],
  'example:mlp': ['--out', '--epochs', '--seed', '--batch-size', '--lr'],
  'example:2d': ['--out', '--epochs', '--seed', '--device'],
  'example:mnist': [
    '--epochs',
    '--dropout',
    '--batch-size',
    '--seed',
    '--out',
    '--device',
    '--no-serve',
    '--keep-serving',
    '--loss-on',
    '--patience',
    '--no-early-stopping',
    '--limit',
  ],
  'example:browser': ['--port', '--no-isolation'],
  bench: ['--json', 'area', 'kernels', 'onnx', 'browser', 'EPOCHS', 'MONITORCH_MEMORY_EPOCHS'],
  'bench/onnx.mjs': ['--json'],
  'bench/viz.mjs': ['EPOCHS'],
  'bench/memory.mjs': ['MONITORCH_MEMORY_EPOCHS'],
  'bench/lens-goal.mjs': ['--json', 'MONITORCH_BENCH_GOAL_GROUPS'],
};
const BENCH_AREAS = ['arrow', 'browser', 'bus', 'kernels', 'lenses', 'lens-goal', 'memory', 'onnx', 'viz'];

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <file> ...args` from the repository root; a --help that trains would hit the timeout. */
function node(file: string, ...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The `node <file>` at the end of each root script, by script name. */
function scriptEntryPoints(): Map<string, string> {
  const { scripts } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
  const entries = new Map<string, string>();
  for (const [name, command] of Object.entries(scripts)) {
    const file = /(?:^|&& )node (\S+)$/.exec(command)?.[1];
    if (file !== undefined) entries.set(name, file);
  }
  return entries;
}

const entries = scriptEntryPoints();
for (const area of BENCH_AREAS) entries.set(`bench/${area}.mjs`, `bench/${area}.mjs`);

t.test('the scripts a newcomer is told about are all found', async (t) => {
  for (const name of ['start', 'example:mlp', 'example:2d', 'example:mnist', 'example:browser', 'bench']) {
    t.ok(entries.has(name), `npm run ${name} runs a node entry point`);
  }
});

for (const [name, file] of entries) {
  t.test(`${name} (${file}): --help lists the options, --bogus is an error`, async (t) => {
    const help = await node(file, '--help');
    t.equal(help.code, 0, `--help exits 0 (${help.stderr})`);
    t.match(help.stdout, /^Usage: /, 'help text only: nothing was run before it');
    for (const option of OPTIONS[name] ?? []) t.match(help.stdout, option, `help names ${option}`);

    const bogus = await node(file, '--bogus');
    t.not(bogus.code, 0, '--bogus exits non-zero');
    t.match(bogus.stderr, "unknown option '--bogus'", 'the error names the option');
  });
}
