import t from 'tap';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  DataLoader,
  TensorDataset,
  Trainer,
  adam,
  crossEntropy,
  decodeCheckpoint,
  dropout,
  encodeCheckpoint,
  linear,
  relu,
  sequential,
} from '@monitorch/backend-onnx';
import { blobs, f32, linearClassifier } from './fixtures/linear-classifier.js';

const F = 3;
const C = 3;
const compiler = linearClassifier({ features: F, classes: C, learningRate: 0.2, momentum: 0.9 });

function loader(): DataLoader {
  const { x } = blobs(40, F);
  const y = Int32Array.from({ length: 40 }, (_, i) => (i * 5) % C);
  return new DataLoader(new TensorDataset(x, [F], y), { batchSize: 6, shuffle: true, seed: 11 });
}

t.test('resuming from a checkpoint gives the same losses as the uninterrupted run', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'nested', 'run.ckpt');
  const original = await Trainer.fromCompiler({ compiler, seed: 1, worker: true });
  t.teardown(() => original.close());
  const data = loader();
  await original.trainEpoch(data);
  await original.trainEpoch(data);
  await original.saveCheckpoint(path, { loaderSeed: 11 });
  const uninterrupted = [(await original.trainEpoch(data)).loss, (await original.trainEpoch(data)).loss];
  const finalState = await original.state();

  // A fresh trainer with ANOTHER init seed: everything must come from the file.
  const resumed = await Trainer.fromCompiler({ compiler, seed: 999, worker: false });
  t.teardown(() => resumed.close());
  const meta = await resumed.loadCheckpoint(path);
  t.same(meta, { loaderSeed: 11 });
  t.same(
    resumed.progress,
    { step: 14, epoch: 2, learningRate: 0.2, seed: 1 },
    '2 epochs of 7 batches, and the seed the run was saved with',
  );
  const fresh = loader(); // same seed: the trainer's epoch index picks epochs 3 and 4's order
  const replayed = [(await resumed.trainEpoch(fresh)).loss, (await resumed.trainEpoch(fresh)).loss];
  t.same(replayed, uninterrupted, 'identical losses');
  const state = await resumed.state();
  t.same(Object.keys(state).sort(), ['lin.bias', 'lin.bias.velocity', 'lin.weight', 'lin.weight.velocity']);
  for (const k of Object.keys(state)) t.same(f32(state[k]), f32(finalState[k]), `${k} identical`);

  // Without the momentum buffers the continuation differs: the test can tell.
  const partial = await Trainer.fromCompiler({ compiler, seed: 999, worker: false });
  t.teardown(() => partial.close());
  const saved = decodeCheckpoint(readFileSync(path));
  const zeroed = Object.fromEntries(
    Object.entries(saved.tensors).map(([k, v]) => [
      k,
      k.endsWith('velocity') ? { ...v, data: new Float32Array(v.data.length) } : v,
    ]),
  );
  await partial.restoreCheckpoint({ ...saved, tensors: zeroed });
  t.notSame((await partial.trainEpoch(loader())).loss, uninterrupted[0], 'optimizer state matters');
});

t.test('a network with dropout resumes exactly: the masks continue from the saved seed and step', async (t) => {
  const model = () => sequential({ l1: linear(F, 24), r: relu(), d: dropout(0.5), l2: linear(24, C) });
  const create = (seed: number) =>
    Trainer.create({
      model: model(),
      inputShape: [-1, F],
      loss: crossEntropy(),
      optimizer: adam({ lr: 0.01 }),
      seed,
      worker: false,
    });
  const original = await create(5);
  t.teardown(() => original.close());
  const data = loader();
  await original.trainEpoch(data);
  const checkpoint = await original.checkpoint();
  const uninterrupted = [(await original.trainEpoch(data)).loss, (await original.trainEpoch(data)).loss];

  const resumed = await create(999);
  t.teardown(() => resumed.close());
  await resumed.restoreCheckpoint(decodeCheckpoint(encodeCheckpoint(checkpoint)));
  t.equal(resumed.progress.seed, 5, "the run's seed came with the checkpoint");
  t.same(
    [(await resumed.trainEpoch(data)).loss, (await resumed.trainEpoch(data)).loss],
    uninterrupted,
    'identical losses, dropout included',
  );

  // A checkpoint from before seeds were saved keeps the trainer's own seed: other masks.
  const legacy = await create(999);
  t.teardown(() => legacy.close());
  const { seed: _seed, ...progress } = checkpoint.progress;
  await legacy.restoreCheckpoint({ ...checkpoint, progress });
  t.equal(legacy.progress.seed, 999);
  t.notSame(
    (await legacy.trainEpoch(data)).loss,
    uninterrupted[0],
    'the masks are part of the continuation: the test can tell',
  );
});

t.test('checkpoints of another network or corrupt files are refused clearly', async (t) => {
  const dir = t.testdir();
  const other = await Trainer.fromCompiler({
    compiler: linearClassifier({ features: 5, classes: C, momentum: 0.9 }),
    worker: false,
  });
  t.teardown(() => other.close());
  await other.saveCheckpoint(join(dir, 'other.ckpt'));
  const trainer = await Trainer.fromCompiler({ compiler, worker: false });
  t.teardown(() => trainer.close());
  await t.rejects(trainer.loadCheckpoint(join(dir, 'other.ckpt')), {
    code: 'SHAPE_MISMATCH',
    message: /lin.weight.*\[3, 5\].*\[3, 3\]/,
  });
  const sgd = await Trainer.fromCompiler({ compiler: linearClassifier({ features: F, classes: C }), worker: false });
  t.teardown(() => sgd.close());
  await sgd.saveCheckpoint(join(dir, 'sgd.ckpt'));
  await t.rejects(trainer.loadCheckpoint(join(dir, 'sgd.ckpt')), {
    code: 'INVALID_ARGUMENT',
    message: /lacks lin.weight.velocity/,
  });
  writeFileSync(join(dir, 'junk.ckpt'), 'hello world, not a checkpoint');
  await t.rejects(trainer.loadCheckpoint(join(dir, 'junk.ckpt')), { code: 'INVALID_ARGUMENT', message: /MTCKPT01/ });
  await t.rejects(trainer.loadCheckpoint(join(dir, 'missing.ckpt')), { code: 'RUN_DIR_UNREADABLE' });
});

t.test('the format round-trips every element type and is laid out as documented', async (t) => {
  const bytes = encodeCheckpoint({
    progress: { step: 3, epoch: 1, learningRate: 0.5 },
    tensors: {
      a: { dtype: 'float32', dims: [3], data: new Float32Array([1.5, -2, 3]) },
      b: { dtype: 'int64', dims: [2], data: new BigInt64Array([5n, -7n]) },
      c: { dtype: 'bool', dims: [1], data: new Uint8Array([1]) },
    },
    meta: { note: 'x' },
  });
  t.equal(new TextDecoder().decode(bytes.subarray(0, 8)), 'MTCKPT01');
  const headerLength = new DataView(bytes.buffer).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as {
    tensors: { offset: number }[];
  };
  t.same(
    header.tensors.map((e: { offset: number }) => e.offset),
    [0, 16, 32],
    '8-byte aligned offsets',
  );
  const dataStart = Math.ceil((12 + headerLength) / 8) * 8;
  t.equal(new DataView(bytes.buffer).getFloat32(dataStart + 4, true), -2, 'raw little-endian floats');
  const back = decodeCheckpoint(bytes);
  t.same(back.progress, { step: 3, epoch: 1, learningRate: 0.5 });
  t.same(Array.from(back.tensors['a']!.data as Float32Array), [1.5, -2, 3]);
  t.same(Array.from(back.tensors['b']!.data as BigInt64Array), [5n, -7n]);
  t.same(Array.from(back.tensors['c']!.data as Uint8Array), [1]);
  t.same(back.meta, { note: 'x' });
  t.throws(() => decodeCheckpoint(bytes.subarray(0, 20)), { code: 'INVALID_ARGUMENT' });
});

/** A valid checkpoint's bytes with its JSON header replaced by `edit(header)` (data section kept). */
function crafted(edit: (header: Record<string, unknown>) => void): Uint8Array {
  const bytes = encodeCheckpoint({
    progress: { step: 3, epoch: 1, learningRate: 0.5, seed: 2 },
    tensors: {
      a: { dtype: 'float32', dims: [3], data: new Float32Array([1.5, -2, 3]) },
      b: { dtype: 'float32', dims: [2], data: new Float32Array([4, 5]) },
    },
  });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as Record<string, unknown>;
  const data = bytes.subarray(Math.ceil((12 + length) / 8) * 8);
  edit(header);
  const text = new TextEncoder().encode(JSON.stringify(header).replace('"__HUGE__"', '1e400'));
  const start = Math.ceil((12 + text.length) / 8) * 8;
  const out = new Uint8Array(start + data.length);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, text.length, true);
  out.set(text, 12);
  out.set(data, start);
  return out;
}

t.test('every header field is checked on read, with typed errors', async (t) => {
  t.same(decodeCheckpoint(crafted(() => {})).progress, { step: 3, epoch: 1, learningRate: 0.5, seed: 2 });
  const tensor = (h: Record<string, unknown>): Record<string, unknown> =>
    (h['tensors'] as Record<string, unknown>[])[0]!;
  const progress = (h: Record<string, unknown>): Record<string, unknown> => h['progress'] as Record<string, unknown>;
  const cases: [string, (h: Record<string, unknown>) => void, RegExp][] = [
    ['a negative byteLength', (h) => void (tensor(h)['byteLength'] = -4), /byteLength -4/],
    ['a byteLength not matching the dims', (h) => void (tensor(h)['byteLength'] = 10), /byteLength 10; 3 float32/],
    ['a negative offset (header bytes as weights)', (h) => void (tensor(h)['offset'] = -16), /bad offset -16/],
    ['a misaligned offset', (h) => void (tensor(h)['offset'] = 4), /bad offset 4/],
    ['an offset past the end', (h) => void (tensor(h)['offset'] = 64), /"a" is cut off/],
    ['a learning rate of −5', (h) => void (progress(h)['learningRate'] = -5), /learningRate .* got -5/],
    ['a learning rate of 1e400', (h) => void (progress(h)['learningRate'] = '__HUGE__'), /learningRate .* got null/],
    [
      'a learning rate given as a string',
      (h) => void (progress(h)['learningRate'] = '0.1'),
      /learningRate .* got "0.1"/,
    ],
    ['a negative step', (h) => void (progress(h)['step'] = -1), /progress.step .* got -1/],
    ['a fractional epoch', (h) => void (progress(h)['epoch'] = 1.5), /progress.epoch .* got 1.5/],
    ['a string seed', (h) => void (progress(h)['seed'] = 'x'), /progress.seed/],
    ['no progress', (h) => void delete h['progress'], /no progress/],
    ['an unknown dtype', (h) => void (tensor(h)['dtype'] = 'float16'), /unknown type "float16"/],
    ['bad dims', (h) => void (tensor(h)['dims'] = [-3]), /bad dims/],
    ['a duplicate name', (h) => void (tensor(h)['name'] = 'b'), /"b" appears twice/],
    ['meta that is not an object', (h) => void (h['meta'] = [1]), /meta must be a JSON object/],
    ['an unknown version', (h) => void (h['version'] = 2), /version 2/],
  ];
  for (const [what, edit, message] of cases) {
    t.throws(() => decodeCheckpoint(crafted(edit)), { code: 'INVALID_ARGUMENT', message }, what);
  }
});

t.test('an int64 tensor where the trainer has float32 is refused on restore, not at the first step', async (t) => {
  const trainer = await Trainer.fromCompiler({ compiler, worker: false });
  t.teardown(() => trainer.close());
  const cp = await trainer.checkpoint();
  const weight = cp.tensors['lin.weight']!;
  const tensors = {
    ...cp.tensors,
    'lin.weight': { dtype: 'int64' as const, dims: weight.dims, data: new BigInt64Array(weight.data.length) },
  };
  const back = decodeCheckpoint(encodeCheckpoint({ ...cp, tensors }));
  await t.rejects(trainer.restoreCheckpoint(back), {
    code: 'INVALID_ARGUMENT',
    message: /lin\.weight \(int64, not float32\)/,
  });
  t.equal(trainer.progress.step, 0, 'nothing was restored');
});
