import t from 'tap';
import {
  conv2d,
  crossEntropy,
  flatten,
  linear,
  maxPool2d,
  sequential,
  sgd,
  type Device,
  type Pool2dOptions,
} from '@monitorch/backend-onnx';
import { compileTrainGraph, runGraph } from '@monitorch/backend-onnx/internals';
import { graphFeeds } from './fixtures/graph-feeds.js';

// GPU graphs find each window's maximum from the window entries instead of MaxPool's Indices.
// With ties (here: inputs of only three values, so most windows hold several maxima) the
// gradient must still go to the first maximum in row-major window order, exactly like the CPU
// graph's Indices-based backward (and PyTorch).

const geometries: { name: string; kernel: number; options: { stride?: number; padding?: number }; hw: number }[] = [
  { name: 'tiling 2×2 windows', kernel: 2, options: {}, hw: 6 },
  { name: 'tiling 3×3 windows, input not divisible', kernel: 3, options: {}, hw: 7 },
  { name: 'stride larger than the kernel', kernel: 2, options: { stride: 3 }, hw: 7 },
  { name: 'overlapping, padded windows', kernel: 3, options: { stride: 2, padding: 1 }, hw: 7 },
];

/** Only the values −1, 0 and 1: most windows hold their maximum more than once. */
function tiedInput(length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => [0, 1, -1][(i * 7 + (i >> 3)) % 3]!);
}

t.test('the input really has ties: 2×2 windows of a 6×6 image with several maxima', async (t) => {
  const x = tiedInput(36);
  let tied = 0;
  for (let r = 0; r < 6; r += 2) {
    for (let c = 0; c < 6; c += 2) {
      const w = [x[r * 6 + c]!, x[r * 6 + c + 1]!, x[(r + 1) * 6 + c]!, x[(r + 1) * 6 + c + 1]!];
      if (w.filter((v) => v === Math.max(...w)).length > 1) tied++;
    }
  }
  t.ok(tied >= 3, `${tied} of 9 windows have a tied maximum`);
});

async function poolInputGradient(
  device: Device,
  kernel: number,
  options: { stride?: number; padding?: number },
  hw: number,
): Promise<Float32Array> {
  // A 1×1 conv (weight 1, bias 0) in front: the gradient reaching the pool's input is its output gradient.
  const ho = Math.floor((hw + 2 * (options.padding ?? 0) - kernel) / (options.stride ?? kernel)) + 1;
  const pool: Pool2dOptions = options;
  const model = sequential({
    c: conv2d(1, 1, 1),
    pool: maxPool2d(kernel, pool),
    flat: flatten(),
    lin: linear(ho * ho, 3),
  });
  const n = 4;
  const graph = compileTrainGraph(model, {
    inputShape: [-1, 1, hw, hw],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0 }),
    debug: { outputGradients: true },
    device,
  });
  const feeds = graphFeeds(
    graph,
    { data: tiedInput(n * hw * hw), dims: [n, 1, hw, hw] },
    { data: Int32Array.from({ length: n }, (_, i) => i % 3), dims: [n] },
    {
      initSeed: 2,
      params: {
        'c.weight': { data: new Float32Array([1]), dims: [1, 1, 1, 1] },
        'c.bias': { data: new Float32Array([0]), dims: [1] },
      },
    },
  );
  const out = await runGraph(graph, feeds);
  return out['debug.outgrad.c']!.data as Float32Array;
}

for (const { name, kernel, options, hw } of geometries) {
  t.test(
    `max-pool backward without Indices, ${name}: the first maximum of each window gets the gradient`,
    async (t) => {
      const cpu = await poolInputGradient('cpu', kernel, options, hw);
      const gpu = await poolInputGradient('webgpu', kernel, options, hw);
      t.equal(gpu.length, cpu.length);
      let worst = 0;
      for (let i = 0; i < cpu.length; i++)
        worst = Math.max(worst, Math.abs(gpu[i]! - cpu[i]!) / Math.max(Math.abs(cpu[i]!), 1e-12));
      const nonZero = cpu.reduce((k, v) => k + (v !== 0 ? 1 : 0), 0);
      t.ok(nonZero > 0 && nonZero < cpu.length, `gradient on ${nonZero} of ${cpu.length} input entries`);
      // Where windows overlap, the two forms add the same contributions in another order.
      t.ok(worst <= 1e-6, `GPU form equals the Indices form (worst relative difference ${worst.toExponential(1)})`);
      if (options.padding === undefined && options.stride === undefined)
        t.same(Array.from(gpu), Array.from(cpu), 'tiling windows: bit for bit');
    },
  );
}
