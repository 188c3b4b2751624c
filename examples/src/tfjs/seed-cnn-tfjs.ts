import * as tfl from '@tensorflow/tfjs-layers';
import type { Dropout } from '../shared/cli-options.js';
import type { LossOn } from '../mnist/seed-cnn.js';

/**
 * The seed notebook's CNN in TensorFlow.js, with the module names of the ONNX example
 * (`conv.conv1`, `conv.pool1`, `conv.relu1`, `conv.dropout`, `conv.conv2`, `conv.relu2`,
 * `flatten`, `dense.dropout1`, `dense.lin1`, `dense.relu1`, `dense.dropout2`, `dense.lin2`,
 * `dense.softmax`): two nested Sequentials named `conv` and `dense` give the dotted names.
 *
 * conv1 1→64 (7×7, same) → max-pool 7 → ReLU → dropout → conv2 64→128 (4×4) → ReLU → flatten →
 * dropout → lin1 128→32 → ReLU → dropout → lin2 32→10 → softmax. Images are `[28, 28, 1]`
 * (tfjs is channels-last; the adapter reports outputs channels-first, as the ONNX backend).
 *
 * @param p - dropout probabilities: after relu1 (conv), before lin1, before lin2
 * @param lossOn - `softmax` keeps the seed's final softmax; `logits` leaves it out
 * @param seed - seed of the weight initialisers
 */
export function seedCnnTfjs(p: Dropout, lossOn: LossOn, seed: number): tfl.Sequential {
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 16 + k });
  const conv = tfl.sequential({
    name: 'conv',
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 64,
        kernelSize: 7,
        padding: 'same',
        name: 'conv1',
        kernelInitializer: init(1),
      }),
      tfl.layers.maxPooling2d({ poolSize: 7, name: 'pool1' }),
      tfl.layers.reLU({ name: 'relu1' }),
      tfl.layers.dropout({ rate: p[0], name: 'dropout', seed }),
      tfl.layers.conv2d({ filters: 128, kernelSize: 4, name: 'conv2', kernelInitializer: init(2) }),
      tfl.layers.reLU({ name: 'relu2' }),
    ],
  });
  const dense = tfl.sequential({
    name: 'dense',
    layers: [
      tfl.layers.dropout({ inputShape: [128], rate: p[1], name: 'dropout1', seed: seed + 1 }),
      tfl.layers.dense({ units: 32, name: 'lin1', kernelInitializer: init(3) }),
      tfl.layers.reLU({ name: 'relu1' }),
      tfl.layers.dropout({ rate: p[2], name: 'dropout2', seed: seed + 2 }),
      tfl.layers.dense({ units: 10, name: 'lin2', kernelInitializer: init(4) }),
      ...(lossOn === 'softmax' ? [tfl.layers.softmax({ name: 'softmax' })] : []),
    ],
  });
  return tfl.sequential({ name: 'seed_cnn', layers: [conv, tfl.layers.flatten({ name: 'flatten' }), dense] });
}
