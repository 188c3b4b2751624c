// Shared by the adapter's tests: a tiny CNN, a lens that records every event it is given,
// and Arrow rows as plain objects.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  defineTable,
  type Inspector,
  type Lens,
  type MonitorEvent,
  type ReductionRequest,
  type TableRow,
} from '@monitorch/core';
import { mulberry32 } from '../../../test/helpers/prng.js';

/**
 * conv1 (3×3, 4 filters, fused ReLU) → pool1 → flatten → lin1 (Dense 8) → relu1 (ReLU layer)
 * → lin2 (Dense 3, fused softmax): every naming rule of the adapter in seven layers.
 */
export function tinyCnn(seed = 7): tfl.Sequential {
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: seed + s });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [6, 6, 1],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv1',
        kernelInitializer: init(1),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ units: 8, name: 'lin1', kernelInitializer: init(2), biasInitializer: 'zeros' }),
      tfl.layers.reLU({ name: 'relu1' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', name: 'lin2', kernelInitializer: init(3) }),
    ],
  });
}

/**
 * flatten → lin1 (Dense 8, fused ReLU) → drop (Dropout 0.25) → lin2 (Dense 3, fused softmax):
 * for the WASM backend, which has no kernel for a convolution's filter gradient.
 */
export function tinyMlp(seed = 7): tfl.Sequential {
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: seed + s });
  return tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [6, 6, 1], name: 'flatten' }),
      tfl.layers.dense({ units: 8, activation: 'relu', name: 'lin1', kernelInitializer: init(2) }),
      tfl.layers.dropout({ rate: 0.25, name: 'drop', seed }),
      tfl.layers.dense({ units: 3, activation: 'softmax', name: 'lin2', kernelInitializer: init(3) }),
    ],
  });
}

/** n images 6×6×1 and one-hot labels of 3 classes, from a seed. */
export function tinyData(n: number, seed = 1): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const rand = mulberry32(seed);
  const x = tf.tensor4d(
    Float32Array.from({ length: n * 36 }, () => rand() * 2 - 1),
    [n, 6, 6, 1],
  );
  const labels = tf.tensor1d(
    Array.from({ length: n }, () => Math.floor(rand() * 3)),
    'int32',
  );
  const y = tf.cast(tf.oneHot(labels, 3), 'float32') as tf.Tensor2D;
  labels.dispose();
  return { x, y };
}

/** A lens that asks for `requests` and keeps every event it is given, for checks. */
export class RecordingLens implements Lens {
  readonly id: string;
  readonly table = defineTable('recording', [], { panels: [] });
  readonly events: MonitorEvent[] = [];
  constructor(
    readonly requests: readonly ReductionRequest[],
    id = 'recording',
  ) {
    this.id = id;
    (this as { table: unknown }).table = defineTable(id, [], { panels: [] });
  }
  reset(): void {
    this.events.length = 0;
  }
  foldOutput(e: MonitorEvent): void {
    this.events.push(e);
  }
  foldGradient(e: MonitorEvent): void {
    this.events.push(e);
  }
  foldUpdate(e: MonitorEvent): void {
    this.events.push(e);
  }
  foldParameter(e: MonitorEvent): void {
    this.events.push(e);
  }
  tick(): TableRow[] {
    return [];
  }
}

/** Rows of a table as plain objects (list cells as arrays). */
export function rowsOf(inspector: Inspector, table: string): Record<string, unknown>[] {
  return inspector
    .table(table)
    .toArray()
    .map((r: { toJSON(): Record<string, unknown> }) =>
      Object.fromEntries(
        Object.entries(r.toJSON()).map(([k, v]) => [
          k,
          v !== null && typeof v === 'object' ? Array.from(v as Iterable<number>) : v,
        ]),
      ),
    );
}
