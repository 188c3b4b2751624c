/**
 * The seed CNN trained on MNIST with TensorFlow.js's `model.fit()`, watched by the three seed
 * lenses through `@monitorch/adapter-tfjs`: `npm run example:tfjs -- --epochs 2 --out runs/tfjs`.
 * Writes the Arrow tables, `summary.json` and the figure into the run directory, as the ONNX
 * example does. `--help` lists the options.
 */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { loadMnist } from '@monitorch/backend-onnx';
import { dropout, dropoutLabel, NO_DROPOUT, type Dropout } from './shared/cli-options.js';
import { integer, positiveInteger } from './shared/number-options.js';
import { percent } from './shared/last-epoch.js';
import { runMain } from './shared/exit-on-error.js';
import type { LossOn } from './mnist/seed-cnn.js';
import { writeFigures } from './mnist/train-mnist.js';
import { trainMnistTfjs } from './tfjs/train-mnist-tfjs.js';

const program = new Command('npm run example:tfjs --')
  .description(
    "Train the seed notebook's MNIST CNN with TensorFlow.js model.fit(), watched by the monitorch lenses through one fit() callback.",
  )
  .option('--epochs <n>', 'epochs to train', positiveInteger, 1)
  .addOption(
    new Option('--dropout <p>', 'dropout probabilities "conv,lin1,lin2", one number, "none" or "seed"')
      .argParser(dropout)
      .default(NO_DROPOUT, '0,0,0'),
  )
  .option('--batch-size <n>', 'batch size', positiveInteger, 256)
  .option('--seed <n>', 'seed of the weights (tfjs shuffles batches with Math.random)', integer, 42)
  .option('--out <dir>', 'run directory', join('runs', 'tfjs'))
  .addOption(
    new Option('--loss-on <where>', 'CrossEntropy on the softmax output (the seed) or on logits (no final softmax)')
      .choices(['softmax', 'logits'])
      .default('softmax'),
  )
  .addOption(
    new Option('--backend <name>', 'tfjs backend: wasm (XNNPACK) or cpu (plain JavaScript, much slower)')
      .choices(['wasm', 'cpu'])
      .default('wasm'),
  )
  .option('--limit <n>', 'use only the first n training and n test images (a quick try)', positiveInteger)
  .showHelpAfterError('(--help lists the options)')
  .parse();

const opts = program.opts<{
  epochs: number;
  dropout: Dropout;
  batchSize: number;
  seed: number;
  out: string;
  lossOn: LossOn;
  backend: 'wasm' | 'cpu';
  limit?: number;
}>();

await runMain(async () => {
  console.log(
    `monitorch · MNIST · seed CNN in TensorFlow.js (fit) · dropout ${dropoutLabel(opts.dropout)} · CrossEntropy on ${opts.lossOn} · batch ${opts.batchSize} · ${opts.epochs} epoch(s) · tfjs ${opts.backend}`,
  );
  const limit = opts.limit === undefined ? {} : { limit: opts.limit };
  const [train, test] = await Promise.all([
    loadMnist({ split: 'train', ...limit }),
    loadMnist({ split: 'test', ...limit }),
  ]);
  const result = await trainMnistTfjs({
    data: { train, test },
    runDir: opts.out,
    dropout: opts.dropout,
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    seed: opts.seed,
    lossOn: opts.lossOn,
    backend: opts.backend,
    log: (line) => console.log(line),
  });
  const figures = await writeFigures(opts.out, `MNIST in TensorFlow.js, dropout ${dropoutLabel(opts.dropout)}`);
  console.log(`\nlast epoch (train phase), tfjs backend ${result.backend}:`);
  for (const [module, d] of result.lastEpoch) {
    const parts: string[] = [];
    if (d.outputDeath !== undefined)
      parts.push(`output: ${percent(d.outputActivation)} active, ${percent(d.outputDeath)} dead`);
    if (d.weightGradientDeath !== undefined) parts.push(`weight gradient: ${percent(d.weightGradientDeath)} dead`);
    console.log(`  ${module.padEnd(15)} ${parts.join(' · ')}`);
  }
  console.log(`\nrun directory: ${opts.out}`);
  console.log(`  figure:  ${figures.join(', ')}`);
  console.log(
    `  tables:  ${['loss-metrics', 'output-activation', 'gradient-activation'].map((t) => join(opts.out, `${t}.arrow`)).join(', ')}`,
  );
  console.log(`  summary: ${join(opts.out, 'summary.json')}`);
});
