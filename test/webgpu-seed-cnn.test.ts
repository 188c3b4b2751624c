// The seed CNN (with dropout) trained for a few MNIST batches on onnxruntime-node's real WebGPU
// execution provider (SwiftShader's software Vulkan, ~100× slower than the CPU, so: small),
// with the seed's three lenses watching, against the same run on the CPU provider: the losses
// and every lens statistic agree to float32 tolerance, and the trainer's WebGPU graphs (with the
// lenses' statistics in them) open with CPU fallback disabled, so no node ran on the CPU.
import t, { type Test } from 'tap';
import { fileURLToPath } from 'node:url';
import { Inspector, type TableRow } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import {
  DataLoader,
  TensorDataset,
  Trainer,
  adam,
  crossEntropy,
  loadMnist,
  type Device,
} from '@monitorch/backend-onnx';
import { seedCnn } from '../examples/dist/mnist/seed-cnn.js';
import {
  openOnWebGpu,
  softwareVulkanMissing,
  SWIFTSHADER_ENV,
  vulkanChosen,
} from '../packages/backend-onnx/test/fixtures/software-vulkan.js';

const TRAIN = 48;
const BATCH = 16;
const EPOCHS = 2;

interface Run {
  readonly device: Device;
  readonly stepLosses: number[];
  /** Every numeric cell of every lens row, by table, epoch, module, quantity, phase and column. */
  readonly cells: Map<string, number>;
}

function slice(data: TensorDataset, n: number): TensorDataset {
  const size = data.sampleShape.reduce((a, b) => a * b, 1);
  return new TensorDataset(data.x.slice(0, n * size), data.sampleShape, data.y.slice(0, n));
}

async function train(device: Device, data: { train: TensorDataset; val: TensorDataset }, t: Test): Promise<Run> {
  const trainer = await Trainer.create({
    model: seedCnn([0.3, 0.3, 0.3]), // the seed's dropout setting
    inputShape: [-1, 1, 28, 28],
    loss: crossEntropy(),
    optimizer: adam(),
    device,
    seed: 7,
    worker: false,
  });
  const inspector = new Inspector({
    lenses: [new LossMetrics(), new OutputActivation(), new ParameterGradientActivation()],
    logger: null,
  });
  const stepLosses: number[] = [];
  const cells = new Map<string, number>();
  try {
    inspector.attach(trainer);
    for (let epoch = 1; epoch <= EPOCHS; epoch++) {
      await trainer.trainEpoch(new DataLoader(data.train, { batchSize: BATCH, shuffle: true, seed: 3 }), {
        progress: (p) => {
          stepLosses.push(p.loss);
        },
      });
      await trainer.evaluate(new DataLoader(data.val, { batchSize: BATCH }));
      const closed = await inspector.tickEpoch();
      for (const [table, rows] of closed.rows) for (const row of rows) addCells(cells, table, epoch, row);
    }
    if (device === 'webgpu') {
      // The graphs the trainer ran, with the lenses' statistics compiled in.
      const graphs = trainer.compiledGraphs;
      for (const [kind, graph] of [
        ['train', graphs.train],
        ['eval', graphs.eval],
      ] as const) {
        const session = await openOnWebGpu(graph);
        await session.release();
        t.pass(`the trainer's ${kind} graph opens on WebGPU with CPU fallback disabled`);
      }
    }
  } finally {
    inspector.detach();
    await inspector.close();
    await trainer.close();
  }
  return { device: trainer.device, stepLosses, cells };
}

function addCells(cells: Map<string, number>, table: string, epoch: number, row: TableRow): void {
  const key = [table, epoch, row['module'], row['quantity'], row['phase'], row['metric']].filter(Boolean).join(' ');
  for (const [column, value] of Object.entries(row)) {
    if (typeof value === 'number' && column !== 'epoch') cells.set(`${key} ${column}`, value);
  }
}

if (vulkanChosen()) {
  t.test('a short training of the seed CNN on the WebGPU provider equals the CPU run', async (t) => {
    const [all, test] = await Promise.all([loadMnist({ split: 'train', limit: TRAIN }), loadMnist({ split: 'test' })]);
    const data = { train: all, val: slice(test, BATCH) };
    const cpu = await train('cpu', data, t);
    const gpu = await train('webgpu', data, t);
    t.equal(gpu.device, 'webgpu', 'the trainer ran on WebGPU (no fallback to the CPU device)');
    t.equal(gpu.stepLosses.length, (EPOCHS * TRAIN) / BATCH);
    let worstLoss = 0;
    gpu.stepLosses.forEach((l, i) => {
      worstLoss = Math.max(worstLoss, Math.abs(l - cpu.stepLosses[i]!) / Math.abs(cpu.stepLosses[i]!));
    });
    t.comment(`step losses: CPU ${cpu.stepLosses.map((l) => l.toFixed(6)).join(' ')}`);
    t.comment(`step losses: WebGPU ${gpu.stepLosses.map((l) => l.toFixed(6)).join(' ')}`);
    t.ok(worstLoss < 1e-5, `step losses agree (worst relative difference ${worstLoss.toExponential(2)})`);
    t.same([...gpu.cells.keys()].sort(), [...cpu.cells.keys()].sort(), 'the same lens rows and columns');
    // Losses and metrics are sums of float32 products: relative tolerance. Rates count entries
    // above a threshold: an entry within rounding of it may land on either side on another
    // provider, moving a unit's rate by one entry in hundreds, so they get an absolute one.
    let worstLossCell = 0;
    let worstRate = 0;
    let worstRateKey = '';
    let differing = 0;
    for (const [key, want] of cpu.cells) {
      const got = gpu.cells.get(key)!;
      if (got !== want) differing++;
      if (key.startsWith('loss-metrics')) {
        worstLossCell = Math.max(worstLossCell, Math.abs(got - want) / Math.max(Math.abs(want), 1e-12));
      } else if (Math.abs(got - want) > worstRate) {
        [worstRate, worstRateKey] = [Math.abs(got - want), key];
      }
    }
    t.comment(
      `${cpu.cells.size} lens cells, ${differing} not bit-equal; loss-metrics worst relative ` +
        `${worstLossCell.toExponential(2)}; rates worst absolute ${worstRate.toExponential(2)} (${worstRateKey})`,
    );
    t.ok(cpu.cells.size > 100, `${cpu.cells.size} lens statistics compared`);
    t.ok(worstLossCell < 1e-4, `loss-metrics cells agree (worst relative ${worstLossCell.toExponential(2)})`);
    t.ok(worstRate < 2e-3, `rate statistics agree within a few entries (worst ${worstRate.toExponential(2)})`);
  });
} else {
  const missing = softwareVulkanMissing();
  if (missing !== undefined) {
    t.comment(`skipped: ${missing}`);
    t.pass(`skipped: ${missing}`, { skip: missing });
  } else {
    // The Vulkan loader is found through LD_LIBRARY_PATH, which only a new process picks up.
    void t.spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url)],
      { env: { ...process.env, ...SWIFTSHADER_ENV } },
      'the seed CNN on the WebGPU provider (SwiftShader Vulkan)',
    );
  }
}
