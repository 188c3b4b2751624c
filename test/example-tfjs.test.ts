// `npm run example:tfjs` end to end, kept short (256 images, one epoch): the seed CNN's modules
// named as in the ONNX example, the three Arrow tables read back by polars, the figure written;
// `--help` lists the options.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import pl from 'nodejs-polars';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'examples', 'dist', 'mnist-tfjs.js');

t.test('--help lists the options', async (t) => {
  const help = execFileSync('node', [script, '--help'], { encoding: 'utf8' });
  for (const option of ['--epochs', '--out', '--backend', '--limit', '--dropout']) t.match(help, option);
});

t.test('one short epoch writes the tables, the summary and the figure', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'monitorch-tfjs-')), 'run');
  const log = execFileSync('node', [script, '--limit', '256', '--epochs', '1', '--out', out], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  t.match(log, /epoch 1: train loss \d\.\d{4} · val loss \d\.\d{4}/);
  for (const ext of ['png', 'svg', 'html']) t.ok(existsSync(join(out, `figure.${ext}`)), `figure.${ext}`);
  const outputs = pl.readIPC(readFileSync(join(out, 'output-activation.arrow')));
  const modules = [...new Set(outputs.getColumn('module').toArray() as string[])].sort();
  t.same(
    modules,
    [
      '',
      'conv.dropout',
      'conv.relu1',
      'conv.relu2',
      'dense.dropout1',
      'dense.dropout2',
      'dense.relu1',
      'dense.softmax',
    ],
    'the ONNX example’s module names',
  );
  const gradients = pl.readIPC(readFileSync(join(out, 'gradient-activation.arrow')));
  t.same(
    [...new Set(gradients.getColumn('module').toArray() as string[])].filter((m) => m !== '').sort(),
    ['conv.conv1', 'conv.conv2', 'dense.lin1', 'dense.lin2'],
    'gradients of every weight',
  );
  const losses = pl.readIPC(readFileSync(join(out, 'loss-metrics.arrow')));
  const phases = (
    losses
      .filter(pl.col('quantity').eq(pl.lit('loss')))
      .getColumn('phase')
      .toArray() as string[]
  ).sort();
  t.same(phases, ['train', 'val'], 'train and validation loss');
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { backend: string };
  t.equal(summary.backend, 'wasm', 'trained on the WASM backend');
});
