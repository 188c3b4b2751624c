/**
 * The main job, `npm start`: the seed notebook's MNIST CNN trained with every lens watching
 * (the seed's three and issue 14's seven; `--lenses` chooses), a progress bar in the terminal,
 * a live page in the browser, and the run's Arrow tables and figure under runs/<name>/.
 * `npm start -- --help` lists the options.
 *
 * The defaults finish in a few minutes on two CPU cores (3 epochs). The full seed experiment —
 * up to 50 epochs with early stopping, with and without dropout — is `npm run example:mnist`.
 */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { device, dropout, dropoutLabel, NO_DROPOUT, type Dropout } from './shared/cli-options.js';
import { integer, positiveInteger } from './shared/number-options.js';
import { percent } from './shared/last-epoch.js';
import { doneMessage } from './shared/done-message.js';
import { runMain } from './shared/exit-on-error.js';
import { EXTRA_LENSES, lensList, lensListLabel, type LensChoice } from './shared/lens-choice.js';
import type { LossOn } from './mnist/seed-cnn.js';
import { loadMnistData, trainMnist, writeFigures } from './mnist/train-mnist.js';
import { untilInterrupted, watch } from './mnist/watch.js';

const program = new Command('npm start --')
  .description(
    "Train the seed notebook's MNIST CNN with the monitorch lenses watching: progress bar, live page, Arrow tables and a figure.",
  )
  .option(
    '--epochs <n>',
    'epochs to train (the full seed run, up to 50 with early stopping, is `npm run example:mnist`)',
    positiveInteger,
    3,
  )
  .addOption(
    new Option(
      '--dropout <p>',
      'dropout probabilities "conv,lin1,lin2" (e.g. 0.5,0.5,0.2), one number, "none" or "seed"',
    )
      .argParser(dropout)
      .default(NO_DROPOUT, '0,0,0'),
  )
  .option('--batch-size <n>', 'batch size', positiveInteger, 256)
  .option('--seed <n>', 'seed of the weights and the shuffle', integer, 42)
  .option('--out <dir>', 'run directory', join('runs', 'mnist'))
  .option('--device <device>', 'cpu, cuda or webgpu (see the README: using a GPU)', device, 'cpu')
  .option('--no-serve', 'do not start the live page')
  .addOption(
    new Option(
      '--keep-serving',
      'keep the live page up after training until Ctrl-C (default: exit when done)',
    ).conflicts('serve'),
  )
  .addOption(
    new Option(
      '--loss-on <where>',
      'CrossEntropy on the softmax output (the seed) or on logits (no final softmax; learns faster)',
    )
      .choices(['softmax', 'logits'])
      .default('softmax'),
  )
  .option('--limit <n>', 'use only the first n training images (a quick try)', positiveInteger)
  .addOption(
    new Option(
      '--lenses <list>',
      `lenses besides the seed's three: "all", "none" or a comma list of ${EXTRA_LENSES.map((l) => l.id).join(', ')} (ids or class names)`,
    )
      .argParser(lensList)
      .default(EXTRA_LENSES, 'all'),
  )
  .showHelpAfterError('(--help lists the options)')
  .parse();

const opts = program.opts<{
  epochs: number;
  dropout: Dropout;
  batchSize: number;
  seed: number;
  out: string;
  device: 'cpu' | 'cuda' | 'webgpu';
  serve: boolean;
  keepServing?: boolean;
  lossOn: LossOn;
  limit?: number;
  lenses: readonly LensChoice[];
}>();

await runMain(async () => {
  console.log(
    `monitorch · MNIST · seed CNN · dropout ${dropoutLabel(opts.dropout)} · CrossEntropy on ${opts.lossOn} · batch ${opts.batchSize} · ${opts.epochs} epoch(s) · ${opts.device} · ${lensListLabel(opts.lenses)}`,
  );
  const data = await loadMnistData(opts.limit);
  const w = await watch({ serve: opts.serve, title: `monitorch: MNIST (${opts.out})`, lenses: opts.lenses });
  if (w.page !== undefined)
    console.log(`live page: ${w.page.url}  (open it in a browser; it redraws after every epoch)`);
  try {
    const result = await trainMnist({
      data,
      inspector: w.inspector,
      runDir: opts.out,
      dropout: opts.dropout,
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      seed: opts.seed,
      device: opts.device,
      lossOn: opts.lossOn,
      reporter: w.reporter,
      ...(w.page === undefined ? {} : { page: w.page }),
      log: (line) => console.log(line),
    });
    const figures = await writeFigures(opts.out, `MNIST, dropout ${dropoutLabel(opts.dropout)}`);
    // One name with the per-epoch lines: the metric is pushed as val_accuracy, measured on the test set.
    const accuracy = (result.testAccuracy * 100).toFixed(2);
    console.log(
      `\nval_accuracy after ${result.epochs.length} epoch(s): ${accuracy} % (on the 10 000 test images, as in the seed)`,
    );
    console.log('last epoch (train phase):');
    for (const [module, d] of result.lastEpoch) {
      const parts: string[] = [];
      if (d.outputDeath !== undefined)
        parts.push(`output: ${percent(d.outputActivation)} active, ${percent(d.outputDeath)} dead`);
      if (d.weightGradientDeath !== undefined) parts.push(`weight gradient: ${percent(d.weightGradientDeath)} dead`);
      console.log(`  ${module.padEnd(15)} ${parts.join(' · ')}`);
    }
    console.log(`\nrun directory: ${opts.out}`);
    console.log(`  figure:  ${figures.join(', ')}`);
    console.log(`  tables:  ${w.inspector.lenses.map((l) => join(opts.out, `${l.table.name}.arrow`)).join(', ')}`);
    console.log(`  summary: ${join(opts.out, 'summary.json')}`);
    if (opts.lossOn === 'softmax' && result.testAccuracy < 0.95) {
      console.log(
        '\nNote: the seed feeds softmax outputs to CrossEntropy, which learns slowly and can sit on a plateau',
      );
      console.log('(a digit never predicted, the softmax layer still > 0.1 active) before it jumps. Train longer');
      console.log('(--epochs 20) or try --loss-on logits.');
    }
    await w.finish(); // the live page now says the run finished
    const keepServing = opts.keepServing === true;
    console.log(`\n${doneMessage({ results: opts.out, runDir: opts.out, pageUrl: w.page?.url, keepServing })}`);
    if (w.page !== undefined && keepServing) await untilInterrupted();
  } finally {
    await w.close();
  }
});
