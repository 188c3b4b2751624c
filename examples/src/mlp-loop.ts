// Your own loop, no ONNX: a 2→16→16→2 MLP written in plain TypeScript learns two spirals, and
// monitorch watches it through the LoopAdapter. Run: npm run example:mlp [-- --epochs 40]; --help lists the options.
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { Inspector, LoopAdapter } from '@monitorch/core';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { Linear, relu, reluBackward, softmaxCrossEntropy } from './mlp/mlp.js';
import { mulberry32 } from './mlp/prng.js';
import { shuffled, spiral, type Dataset } from './mlp/spiral.js';
import { integer, positiveInteger, positiveNumber } from './shared/number-options.js';

/** Defaults of {@link runMlpLoop} (and of its command line, whose `--help` shows them). */
export const MLP_DEFAULTS = { out: 'runs/mlp-loop', epochs: 40, seed: 42, batchSize: 32, lr: 0.01 } as const;

/** Options of {@link runMlpLoop}. */
export interface MlpLoopOptions {
  /** Run directory for the Arrow tables (default `runs/mlp-loop`). */
  readonly out?: string;
  /** Training epochs (default 40). */
  readonly epochs?: number;
  /** Seed of the data, the weights and the shuffling (default 42). */
  readonly seed?: number;
  /** Mini-batch size (default 32). */
  readonly batchSize?: number;
  /** Adam learning rate (default 0.01). */
  readonly lr?: number;
  /** Where the per-epoch lines go (default console.log). */
  readonly print?: (line: string) => void;
}

/** What one run of the example ends with. */
export interface MlpLoopResult {
  readonly runDir: string;
  readonly epochs: number;
  readonly valAccuracy: number;
  readonly trainLoss: number;
}

const CLASSES = 2;

/**
 * Trains the MLP and monitors it with the three lenses of the seed notebook: the loss (with
 * validation accuracy), the activation of the ReLU outputs, and the activation of the
 * parameter gradients. Tables are written to `out`, one record batch per epoch.
 */
export async function runMlpLoop(options: MlpLoopOptions = {}): Promise<MlpLoopResult> {
  const out = options.out ?? MLP_DEFAULTS.out;
  const epochs = options.epochs ?? MLP_DEFAULTS.epochs;
  const batchSize = options.batchSize ?? MLP_DEFAULTS.batchSize;
  const lr = options.lr ?? MLP_DEFAULTS.lr;
  const print = options.print ?? ((line: string) => console.log(line));
  const random = mulberry32(options.seed ?? MLP_DEFAULTS.seed);

  const train = spiral(800, 0.05, random);
  const val = spiral(200, 0.05, random);
  const lin1 = new Linear('lin1', 2, 16, random);
  const lin2 = new Linear('lin2', 16, 16, random);
  const lin3 = new Linear('lin3', 16, CLASSES, random);
  const layers = [lin1, lin2, lin3];

  const inspector = new Inspector({
    lenses: [new LossMetrics({ metrics: ['val_accuracy'] }), new OutputActivation(), new ParameterGradientActivation()],
    runDir: out,
    overwrite: true, // each run of the example replaces the previous one in the same directory
  });
  const loop = new LoopAdapter();
  inspector.attach(loop);

  /** Forward pass of one batch, reported to the lenses; returns what backward needs. */
  const forward = (x: Float32Array, n: number, phase: 'train' | 'val') => {
    const z1 = lin1.forward(x, n);
    loop.output('lin1', z1, [n, 16], { kind: 'linear', type: 'Linear', phase });
    const a1 = relu(z1);
    loop.output('relu1', a1, [n, 16], { kind: 'activation', type: 'ReLU', phase });
    const z2 = lin2.forward(a1, n);
    loop.output('lin2', z2, [n, 16], { kind: 'linear', type: 'Linear', phase });
    const a2 = relu(z2);
    loop.output('relu2', a2, [n, 16], { kind: 'activation', type: 'ReLU', phase });
    const z3 = lin3.forward(a2, n);
    loop.output('lin3', z3, [n, CLASSES], { kind: 'linear', type: 'Linear', phase });
    return { z1, a1, z2, a2, z3 };
  };

  let step = 0;
  let valAccuracy = 0;
  let trainLoss = Number.NaN;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = shuffled(train.size, random);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < train.size; start += batchSize) {
      const n = Math.min(batchSize, train.size - start);
      const { x, y } = gather(train, order, start, n);
      const { z1, a1, z2, a2, z3 } = forward(x, n, 'train');
      const { loss, grad } = softmaxCrossEntropy(z3, y, n, CLASSES);
      loop.loss(loss, { batchSize: n });
      // Backward, reporting each parameter's gradient as soon as it is known.
      const da2 = lin3.backward(a2, grad, n);
      const dz2 = reluBackward(z2, da2);
      const da1 = lin2.backward(a1, dz2, n);
      const dz1 = reluBackward(z1, da1);
      lin1.backward(x, dz1, n);
      for (const layer of [lin3, lin2, lin1]) {
        loop.gradient(layer.name, 'weight', layer.gradWeight, [layer.outputs, layer.inputs]);
        loop.gradient(layer.name, 'bias', layer.gradBias, [layer.outputs]);
      }
      step += 1;
      for (const layer of layers) {
        layer.adamStep(lr, step);
        loop.update(layer.name, 'weight', layer.deltaWeight, [layer.outputs, layer.inputs]);
        loop.update(layer.name, 'bias', layer.deltaBias, [layer.outputs]);
      }
      loop.step();
      lossSum += loss;
      batches += 1;
    }

    // Validation: forward only, in phase `val`.
    let correct = 0;
    let valLoss = 0;
    for (let start = 0; start < val.size; start += batchSize) {
      const n = Math.min(batchSize, val.size - start);
      const { x, y } = gather(val, undefined, start, n);
      const { z3 } = forward(x, n, 'val');
      const r = softmaxCrossEntropy(z3, y, n, CLASSES);
      loop.loss(r.loss, { batchSize: n, phase: 'val' });
      valLoss += r.loss * n;
      correct += r.correct;
    }
    valAccuracy = correct / val.size;
    trainLoss = lossSum / batches;
    inspector.pushMetric('val_accuracy', valAccuracy, { phase: 'val' });
    await inspector.tickEpoch();
    print(
      `epoch ${String(epoch).padStart(3)}  train loss ${trainLoss.toFixed(4)}  ` +
        `val loss ${(valLoss / val.size).toFixed(4)}  val accuracy ${(100 * valAccuracy).toFixed(1)}%`,
    );
  }
  await inspector.close();
  print(`Arrow tables in ${out}/ (read them with polars: pl.read_ipc("${out}/output-activation.arrow"))`);
  return { runDir: out, epochs, valAccuracy, trainLoss };
}

/** Copies `n` examples (in `order`, or in sequence) into a batch. */
function gather(
  data: Dataset,
  order: Int32Array | undefined,
  start: number,
  n: number,
): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = order === undefined ? start + k : (order[start + k] as number);
    x[2 * k] = data.x[2 * i] as number;
    x[2 * k + 1] = data.x[2 * i + 1] as number;
    y[k] = data.y[i] as number;
  }
  return { x, y };
}

/** The example's command line; commander, like the other examples, so `--help` and errors read alike. */
export function mlpCommand(): Command {
  return new Command('npm run example:mlp --')
    .description(
      'A 2→16→16→2 MLP written in plain TypeScript learns two spirals; monitorch watches it through the LoopAdapter.',
    )
    .option('--out <dir>', 'run directory for the Arrow tables', MLP_DEFAULTS.out)
    .option('--epochs <n>', 'epochs to train', positiveInteger, MLP_DEFAULTS.epochs)
    .option('--seed <n>', 'seed of the data, the weights and the shuffling', integer, MLP_DEFAULTS.seed)
    .option('--batch-size <n>', 'mini-batch size', positiveInteger, MLP_DEFAULTS.batchSize)
    .option('--lr <rate>', 'Adam learning rate', positiveNumber, MLP_DEFAULTS.lr)
    .showHelpAfterError('(--help lists the options)');
}

/**
 * Parses the command line (the arguments after the script). `--help` prints the options and
 * exits; an unknown option or a bad value is an error that names it (exit code 1).
 */
export function parseMlpArgs(argv: readonly string[]): MlpLoopOptions {
  return mlpCommand()
    .parse([...argv], { from: 'user' })
    .opts<{ out: string; epochs: number; seed: number; batchSize: number; lr: number }>();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runMlpLoop(parseMlpArgs(process.argv.slice(2)));
}
