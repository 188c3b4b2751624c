import { conv2d, dropout, flatten, linear, maxPool2d, relu, sequential, softmax } from '@monitorch/backend-onnx';
import type { Dropout } from '../shared/cli-options.js';

/** Where CrossEntropy is applied: the seed's softmax output, or the logits (no final softmax). */
export type LossOn = 'softmax' | 'logits';

/**
 * The seed notebook's CNN, with the same module names (`conv.conv1`, `conv.pool1`,
 * `conv.relu1`, `conv.dropout`, `conv.conv2`, `conv.relu2`, `dense.dropout1`, `dense.lin1`,
 * `dense.relu1`, `dense.dropout2`, `dense.lin2`, `dense.softmax`):
 *
 * conv1 1→64 (7×7, same) → max-pool 7 → ReLU → dropout → conv2 64→128 (4×4) → ReLU → flatten →
 * dropout → lin1 128→32 → ReLU → dropout → lin2 32→10 → softmax.
 *
 * With `lossOn: 'logits'` the final softmax is left out, so CrossEntropy sees logits — the
 * usual setup, which learns much faster than the seed's softmax-then-CrossEntropy.
 *
 * @param p - dropout probabilities: after relu1 (conv), before lin1, before lin2
 */
export function seedCnn(p: Dropout, lossOn: LossOn = 'softmax') {
  return sequential({
    conv: sequential({
      conv1: conv2d(1, 64, 7, { padding: 'same' }),
      pool1: maxPool2d(7),
      relu1: relu(),
      dropout: dropout(p[0]),
      conv2: conv2d(64, 128, 4),
      relu2: relu(),
    }),
    flatten: flatten(),
    dense: sequential({
      dropout1: dropout(p[1]),
      lin1: linear(128, 32),
      relu1: relu(),
      dropout2: dropout(p[2]),
      lin2: linear(32, 10),
      ...(lossOn === 'softmax' ? { softmax: softmax(1) } : {}),
    }),
  });
}
