import t from 'tap';
import {
  DataLoader,
  TensorDataset,
  Trainer,
  adam,
  crossEntropy,
  dropout,
  linear,
  relu,
  sequential,
  sgd,
} from '@monitorch/backend-onnx';
import {
  compileNetwork,
  compileTrainGraph,
  dropoutKey,
  fillKeepMask,
  keeps,
  lowbias32,
  runGraph,
} from '@monitorch/backend-onnx/internals';
import { graphFeeds } from './fixtures/graph-feeds.js';

// Dropout masks on the CPU are a counter hash of (entry index, per-step key): the graph must
// compute exactly the JS reference, the masks must look random, and training must repeat with
// the same seed and continue exactly after a checkpoint.

async function runMask(
  p: number,
  shape: readonly number[],
  step: number,
  seed: number,
): Promise<{ mask: Uint8Array; x: Float32Array; y: Float32Array }> {
  const graph = compileTrainGraph(sequential({ drop: dropout(p), lin: linear(shape[1]!, 2) }), {
    inputShape: [-1, shape[1]!],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0 }),
    debug: { masks: true, outputs: true },
  });
  const n = shape[0]! * shape[1]!;
  const x = Float32Array.from({ length: n }, (_, i) => 1 + (i % 7));
  const feeds = graphFeeds(
    graph,
    { data: x, dims: shape },
    { data: new Int32Array(shape[0]!), dims: [shape[0]!] },
    { step, seed },
  );
  const out = await runGraph(graph, feeds);
  return { mask: out['debug.mask.drop']!.data as Uint8Array, x, y: out['debug.out.drop']!.data as Float32Array };
}

t.test('lowbias32 follows its definition, is a bijection and mixes every bit', async (t) => {
  t.equal(lowbias32(0), 0, '0 is a fixed point of every xor-shift-multiply hash');
  // Hand-computed from the definition: 1 → 1 ^ 0 = 1; ·0x7feb352d; ^>>15; ·0x846ca68b; ^>>16.
  let h = 1;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  t.equal(lowbias32(1), h);
  const seen = new Set<number>();
  for (let i = 0; i < 1 << 16; i++) seen.add(lowbias32(i * 65537));
  t.equal(seen.size, 1 << 16, 'no collisions on 65,536 inputs');
  // Avalanche: flipping one input bit flips each output bit about half the time.
  let flips = 0;
  let trials = 0;
  for (let i = 0; i < 2000; i++) {
    const x = lowbias32(i + 12345);
    for (let b = 0; b < 32; b++) {
      const d = (lowbias32(x) ^ lowbias32((x ^ (1 << b)) >>> 0)) >>> 0;
      for (let k = 0; k < 32; k++) flips += (d >>> k) & 1;
      trials += 32;
    }
  }
  t.ok(Math.abs(flips / trials - 0.5) < 0.01, `bit flip rate ${(flips / trials).toFixed(4)} ≈ 0.5`);
});

t.test('dropout keys differ by step, layer and seed, and repeat for the same ones', async (t) => {
  t.equal(dropoutKey(7, 3, 'a.drop'), dropoutKey(7, 3, 'a.drop'));
  const keys = new Set([
    dropoutKey(7, 3, 'a.drop'),
    dropoutKey(7, 4, 'a.drop'),
    dropoutKey(7, 3, 'b.drop'),
    dropoutKey(8, 3, 'a.drop'),
    dropoutKey(7 + 2 ** 32, 3, 'a.drop'),
    dropoutKey(7, 3 + 2 ** 32, 'a.drop'),
  ]);
  t.equal(keys.size, 6, 'six different keys (high words of seed and step count too)');
  for (const k of keys) t.ok(Number.isInteger(k) && k >= -(2 ** 31) && k < 2 ** 31, 'an int32');
});

t.test('the graph draws exactly the JS reference mask, and scales the kept entries', async (t) => {
  for (const p of [0.1, 0.5, 0.9]) {
    const shape = [7, 33];
    const { mask, x, y } = await runMask(p, shape, 5, 42);
    const key = dropoutKey(42, 5, 'drop');
    let mismatches = 0;
    let wrongValues = 0;
    for (let i = 0; i < mask.length; i++) {
      if (Boolean(mask[i]) !== keeps(i, key, p)) mismatches++;
      const want = mask[i] ? Math.fround(x[i]! * Math.fround(1 / (1 - p))) : 0;
      if (y[i] !== want) wrongValues++;
    }
    t.equal(mismatches, 0, `p = ${p}: every one of ${mask.length} mask entries equals the reference`);
    t.equal(wrongValues, 0, `p = ${p}: kept entries are x/(1−p), dropped ones 0`);
  }
});

t.test('masks look random: the drop rate is p, neighbours and consecutive steps are independent', async (t) => {
  const p = 0.3;
  const shape = [256, 1024];
  const a = (await runMask(p, shape, 10, 1)).mask;
  const b = (await runMask(p, shape, 11, 1)).mask;
  const n = a.length;
  const kept = a.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt((p * (1 - p)) / n);
  t.ok(Math.abs(kept - (1 - p)) < 4 * sd, `kept ${kept.toFixed(4)} of 0.7 (±${(4 * sd).toFixed(4)})`);
  const agree = (u: Uint8Array, v: Uint8Array, shift: number): number => {
    let same = 0;
    for (let i = shift; i < n; i++) same += u[i] === v[i - shift] ? 1 : 0;
    return same / (n - shift);
  };
  const independent = p * p + (1 - p) * (1 - p); // 0.58
  const tol = 4 * Math.sqrt((independent * (1 - independent)) / n);
  for (const [label, value] of [
    ['neighbours', agree(a, a, 1)],
    ['entries a row apart', agree(a, a, 1024)],
    ['the same entry one step later', agree(a, b, 0)],
  ] as const) {
    t.ok(
      Math.abs(value - independent) < tol,
      `${label}: agree ${value.toFixed(4)}, independent ${independent.toFixed(2)} ±${tol.toFixed(4)}`,
    );
  }
});

t.test('training with dropout repeats with the same seed and differs with another', async (t) => {
  const model = () => sequential({ l1: linear(6, 32), r: relu(), d: dropout(0.5), l2: linear(32, 3) });
  const x = Float32Array.from({ length: 60 * 6 }, (_, i) => Math.sin(i * 0.37) * 2);
  const y = Int32Array.from({ length: 60 }, (_, i) => i % 3);
  const losses = async (seed: number): Promise<number[]> => {
    const trainer = await Trainer.create({
      model: model(),
      inputShape: [-1, 6],
      loss: crossEntropy(),
      optimizer: adam({ lr: 0.01 }),
      seed,
      worker: false,
    });
    const out: number[] = [];
    await trainer.trainEpoch(new DataLoader(new TensorDataset(x, [6], y), { batchSize: 10 }), {
      progress: (pr) => {
        out.push(pr.loss);
      },
    });
    await trainer.close();
    return out;
  };
  const first = await losses(3);
  t.same(await losses(3), first, 'same seed: the same six losses');
  t.notSame(await losses(4), first, 'another seed: other masks (and other initial weights)');
});

t.test('WebGPU graphs take the same masks as inputs; CUDA graphs keep ONNX Dropout', async (t) => {
  const compiler = compileNetwork({
    model: sequential({ l: linear(4, 4), d: dropout(0.2), o: linear(4, 2) }),
    inputShape: [-1, 4],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0.1 }),
  });
  const cpu = compiler.compile([], { device: 'cpu' }).train;
  const webgpu = compiler.compile([], { device: 'webgpu' }).train;
  const cuda = compiler.compile([], { device: 'cuda' }).train;
  const named = (g: typeof cpu, role: string) => g.inputs.filter((i) => i.role === role).map((i) => i.name);
  t.same(named(cpu, 'hyper'), ['dropout.key.d', 'lr']);
  t.same([named(webgpu, 'hyper'), named(webgpu, 'mask')], [['lr'], ['dropout.mask.d']]);
  t.same(
    webgpu.inputs.find((i) => i.role === 'mask'),
    { name: 'dropout.mask.d', role: 'mask', dtype: 'bool', shape: [-1, 4], hyper: 'dropout.key.d', dropoutP: 0.2 },
  );
  t.same(named(cuda, 'hyper'), ['lr']);
  const has = (bytes: Uint8Array, op: string): boolean => Buffer.from(bytes).toString('latin1').includes(op);
  t.ok(has(cpu.bytes, 'BitwiseXor') && !has(cpu.bytes, 'Dropout'), 'CPU: the counter hash');
  t.ok(!has(webgpu.bytes, 'BitwiseXor') && !has(webgpu.bytes, 'Dropout'), 'WebGPU: neither (the mask is an input)');
  t.ok(has(cuda.bytes, 'Dropout') && !has(cuda.bytes, 'BitwiseXor'), 'CUDA: ONNX Dropout');
  t.same(
    compiler.hypers(0.1, 9, 2),
    { lr: 0.1, 'dropout.key.d': dropoutKey(2, 9, 'd') },
    "hypers carry each layer's key for the step",
  );
});

t.test('fillKeepMask draws exactly the masks of keeps (and of the CPU graph)', async (t) => {
  for (const p of [0, 0.3, 0.9]) {
    const key = dropoutKey(11, 4, 'x');
    const mask = fillKeepMask(new Uint8Array(5000), key, p);
    let mismatches = 0;
    for (let i = 0; i < mask.length; i++) if (Boolean(mask[i]) !== keeps(i, key, p)) mismatches++;
    t.equal(mismatches, 0, `p = ${p}`);
  }
});

t.test("training a WebGPU-form graph (masks fed as inputs) gives the CPU graph's losses", async (t) => {
  const model = () => sequential({ l1: linear(6, 32), r: relu(), d: dropout(0.5), l2: linear(32, 3) });
  const x = Float32Array.from({ length: 60 * 6 }, (_, i) => Math.sin(i * 0.37) * 2);
  const y = Int32Array.from({ length: 60 }, (_, i) => i % 3);
  const losses = async (device: 'cpu' | 'webgpu'): Promise<number[]> => {
    const compiler = compileNetwork({
      model: model(),
      inputShape: [-1, 6],
      loss: crossEntropy(),
      optimizer: adam({ lr: 0.01 }),
    });
    // The graphs of `device`, run by the CPU provider.
    const onCpu = {
      ...compiler,
      compile: (requests: Parameters<typeof compiler.compile>[0]) => compiler.compile(requests, { device }),
    };
    const trainer = await Trainer.fromCompiler({ compiler: onCpu, seed: 3, worker: device === 'webgpu' });
    const out: number[] = [];
    await trainer.trainEpoch(new DataLoader(new TensorDataset(x, [6], y), { batchSize: 10 }), {
      progress: (pr) => {
        out.push(pr.loss);
      },
    });
    await trainer.close();
    return out;
  };
  const cpu = await losses('cpu');
  const fed = await losses('webgpu');
  t.equal(fed.length, 6);
  t.same(fed, cpu, "identical losses step by step: the fed masks are the hash's masks");
});
