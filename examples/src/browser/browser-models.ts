/** The two networks of the seed notebook, as the browser example trains them. */
import { dropout, linear, relu, sequential, softmax, type Block } from '@monitorch/backend-onnx';
import { seedCnn } from '../mnist/seed-cnn.js';
import type { BrowserCase } from './protocol.js';

/**
 * The seed's 2D MLP (2→16→16→2, softmax output, as the Node example), with dropout after each
 * hidden ReLU when `p > 0`; or the seed CNN with dropout `p` at its three places.
 */
export function browserModel(kind: BrowserCase, p: number): { model: Block; sampleShape: number[] } {
  if (kind === 'mnist') return { model: seedCnn([p, p, p]), sampleShape: [1, 28, 28] };
  const maybeDropout = (name: string) => (p > 0 ? { [name]: dropout(p) } : {});
  return {
    model: sequential({
      lin1: linear(2, 16),
      relu1: relu(),
      ...maybeDropout('drop1'),
      lin2: linear(16, 16),
      relu2: relu(),
      ...maybeDropout('drop2'),
      lin3: linear(16, 2),
      softmax: softmax(1),
    }),
    sampleShape: [2],
  };
}
