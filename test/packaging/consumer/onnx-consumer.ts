// A user's own project trains a tiny network with @monitorch/backend-onnx (onnxruntime-node on
// the CPU) from its packed tarball, watched by a lens; exits non-zero when it does not learn.
import { Inspector } from '@monitorch/core';
import { OutputActivation } from '@monitorch/lens-output-activation';
import {
  DataLoader,
  TensorDataset,
  Trainer,
  adam,
  crossEntropy,
  linear,
  relu,
  sequential,
} from '@monitorch/backend-onnx';

// Two well-separated blobs: class 0 around (-2, -2), class 1 around (2, 2).
const n = 64;
const x = new Float32Array(n * 2);
const y = new Int32Array(n);
for (let i = 0; i < n; i++) {
  const label = i % 2;
  const wobble = ((i * 37) % 11) / 11 - 0.5;
  x[2 * i] = (label === 0 ? -2 : 2) + wobble;
  x[2 * i + 1] = (label === 0 ? -2 : 2) - wobble;
  y[i] = label;
}
const data = new TensorDataset(x, [2], y);
const trainer = await Trainer.create({
  model: sequential({ hidden: linear(2, 8), act: relu(), out: linear(8, 2) }),
  inputShape: [-1, 2],
  loss: crossEntropy(),
  optimizer: adam({ lr: 0.05 }),
  seed: 1,
});
const lens = new OutputActivation();
const inspector = new Inspector({ lenses: [lens], logger: null });
inspector.attach(trainer);
let accuracy = 0;
for (let epoch = 0; epoch < 5; epoch++) {
  await trainer.trainEpoch(new DataLoader(data, { batchSize: 16, shuffle: true, seed: epoch }));
  accuracy = (await trainer.evaluate(new DataLoader(data, { batchSize: 32 }))).accuracy;
  await inspector.tickEpoch();
}
const rows = inspector.table(lens).numRows;
await inspector.close();
await trainer.close();
if (accuracy < 0.95 || rows === 0) {
  console.error(`FAIL accuracy ${accuracy}, ${rows} output-activation rows`);
  process.exit(1);
}
console.log(`ok accuracy ${accuracy}, ${rows} output-activation rows`);
console.log('consumer done');
