/**
 * The seed notebook's MNIST experiment: `npm run example:mnist -- --out runs/mnist-dropout`.
 * Trains the seed CNN without dropout and with dropout (0.5, 0.5, 0.2), early stopping on the
 * validation loss, one Inspector re-attached for the second run, and prints a comparison.
 * `--help` lists the options.
 */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { device, dropoutLabel, dropoutList, type Dropout } from './shared/cli-options.js';
import { integer, positiveInteger } from './shared/number-options.js';
import { comparisonTable } from './mnist/comparison-table.js';
import { doneMessage } from './shared/done-message.js';
import { runMain } from './shared/exit-on-error.js';
import type { LossOn } from './mnist/seed-cnn.js';
import { loadMnistData, trainMnist, writeComparison, writeFigures, type MnistRunResult } from './mnist/train-mnist.js';
import { untilInterrupted, watch } from './mnist/watch.js';

const program = new Command('npm run example:mnist --')
  .description(
    "The seed notebook's MNIST experiment: the seed CNN with and without dropout, early stopping, a comparison of death rates.",
  )
  .option('--epochs <n>', 'at most this many epochs per run (early stopping usually ends sooner)', positiveInteger, 50)
  .addOption(
    new Option(
      '--dropout <list>',
      '"both" (0,0,0 then 0.5,0.5,0.2), or settings like "0,0,0;0.5,0.5,0.2", "none" or "seed"',
    )
      .argParser(dropoutList)
      .default(dropoutList('both'), 'both'),
  )
  .option('--batch-size <n>', 'batch size', positiveInteger, 256)
  .option('--seed <n>', 'seed of the weights and the shuffle', integer, 42)
  .option('--out <dir>', 'parent directory; each run writes <dir>/dropout-<p1>-<p2>-<p3>/', 'runs/mnist-dropout')
  .option('--device <device>', 'cpu, cuda or webgpu', device, 'cpu')
  .option('--no-serve', 'do not start the live page')
  .addOption(
    new Option(
      '--keep-serving',
      'keep the live page up after training until Ctrl-C (default: exit when done)',
    ).conflicts('serve'),
  )
  .addOption(
    new Option('--loss-on <where>', 'CrossEntropy on the softmax output (the seed) or on logits (no final softmax)')
      .choices(['softmax', 'logits'])
      .default('softmax'),
  )
  .option('--patience <n>', 'early stopping: epochs without improvement', positiveInteger, 5)
  .option('--no-early-stopping', 'train every epoch')
  .option('--limit <n>', 'use only the first n training images (a quick try)', positiveInteger)
  .showHelpAfterError('(--help lists the options)')
  .parse();

const opts = program.opts<{
  epochs: number;
  dropout: Dropout[];
  batchSize: number;
  seed: number;
  out: string;
  device: 'cpu' | 'cuda' | 'webgpu';
  serve: boolean;
  keepServing?: boolean;
  lossOn: LossOn;
  patience: number;
  earlyStopping: boolean;
  limit?: number;
}>();

await runMain(async () => {
  const data = await loadMnistData(opts.limit);
  const w = await watch({ serve: opts.serve, title: 'monitorch: MNIST with and without dropout' });
  if (w.page !== undefined) console.log(`live page: ${w.page.url}`);
  const results: MnistRunResult[] = [];
  try {
    for (const dropout of opts.dropout) {
      const runDir = join(opts.out, `dropout-${dropout.join('-')}`);
      console.log(
        `\n== dropout ${dropoutLabel(dropout)} · CrossEntropy on ${opts.lossOn} · batch ${opts.batchSize} · seed ${opts.seed} → ${runDir}`,
      );
      const result = await trainMnist({
        data,
        inspector: w.inspector,
        runDir,
        dropout,
        epochs: opts.epochs,
        batchSize: opts.batchSize,
        seed: opts.seed,
        device: opts.device,
        lossOn: opts.lossOn,
        earlyStopping: opts.earlyStopping ? { patience: opts.patience, eps: 1e-3 } : false,
        reporter: w.reporter,
        ...(w.page === undefined ? {} : { page: w.page }),
        log: (line) => console.log(line),
      });
      await writeFigures(runDir, `MNIST, dropout ${dropoutLabel(dropout)}`);
      console.log(`figure: ${join(runDir, 'figure.png')} (also .svg, .html)`);
      results.push(result);
    }
    console.log('\n' + comparisonTable(results));
    if (results.length > 1) {
      const [png] = await writeComparison(
        results.map((r) => r.runDir),
        opts.out,
        'MNIST: the seed CNN with and without dropout',
      );
      console.log(`comparison figure: ${png ?? ''} (also .svg; or \`monitorch serve ${opts.out}\`)`);
    }
    await w.finish(); // the live page now says the runs finished
    const keepServing = opts.keepServing === true;
    const runDir = results.at(-1)?.runDir ?? opts.out;
    console.log(`\n${doneMessage({ results: `${opts.out}/`, runDir, pageUrl: w.page?.url, keepServing })}`);
    if (w.page !== undefined && keepServing) await untilInterrupted();
  } finally {
    await w.close();
  }
});
