/**
 * The seed notebook's 2D experiment: `npm run example:2d -- --out runs/2d`.
 * Trains the over-parameterised MLP on two Gaussian clouds and prints how dead its redundant
 * second layer is. `--help` lists the options.
 */
import { Command } from 'commander';
import { device } from './shared/cli-options.js';
import { integer, positiveInteger } from './shared/number-options.js';
import { percent } from './shared/last-epoch.js';
import { runMain } from './shared/exit-on-error.js';
import { trainActivations2d } from './two-d/train-activations-2d.js';

const program = new Command('npm run example:2d --')
  .description(
    "The seed notebook's 2D case: an over-parameterised MLP on two Gaussian clouds, watched by three lenses.",
  )
  .option('--out <dir>', 'run directory (Arrow files, figure, decision boundary)', 'runs/2d')
  .option('--epochs <n>', 'epochs to train', positiveInteger, 50)
  .option('--seed <n>', 'seed of the data, split, shuffle and weights', integer, 42)
  .option('--device <device>', 'cpu, cuda or webgpu', device, 'cpu')
  .showHelpAfterError('(--help lists the options)')
  .parse();

const opts = program.opts<{ out: string; epochs: number; seed: number; device: 'cpu' | 'cuda' | 'webgpu' }>();
await runMain(async () => {
  const result = await trainActivations2d({ ...opts, log: (line) => console.log(line) });

  const s = result.secondLayer;
  console.log('');
  console.log(`val accuracy (last epoch): ${result.valAccuracy.at(-1)?.toFixed(3) ?? '–'}`);
  console.log('last epoch, per layer (train phase):');
  for (const [module, d] of result.lastEpoch) {
    const parts = [
      d.outputDeath === undefined
        ? undefined
        : `output death ${percent(d.outputDeath)} (activation ${percent(d.outputActivation)})`,
      d.weightGradientDeath === undefined
        ? undefined
        : `weight-gradient death ${percent(d.weightGradientDeath)}, bias-gradient death ${percent(d.biasGradientDeath)}`,
    ].filter((p) => p !== undefined);
    console.log(`  ${module.padEnd(8)} ${parts.join(' · ')}`);
  }
  console.log(
    `the redundant second layer: relu2 output death ${percent(s.outputDeath)}, lin2 gradient death ${percent(s.weightGradientDeath)} (weight) / ${percent(s.biasGradientDeath)} (bias)`,
  );
  console.log(
    `files in ${result.runDir}: ${result.files.map((f) => f.split('/').at(-1)).join(', ')} and the Arrow tables`,
  );
});
