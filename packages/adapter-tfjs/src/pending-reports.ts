import * as tf from '@tensorflow/tfjs-core';
import {
  tensorReport,
  type ModuleInfo,
  type Phase,
  type ReductionResult,
  type TensorReport,
  type TensorSource,
} from '@monitorch/core';
import type { BackendAnswer } from './backend-reductions.js';

/** One reduced tensor whose answers still sit on the tfjs backend. */
export interface PendingReport {
  readonly source: TensorSource;
  readonly module: ModuleInfo;
  readonly parameter: string | undefined;
  readonly shape: readonly number[];
  readonly phase: Phase;
  /** `reductionKey` of each answer, in the same order. */
  readonly keys: readonly string[];
  readonly answers: readonly BackendAnswer[];
}

/**
 * The answers of one step, kept on the backend until the step ends. Then every answer is
 * packed into one tensor and read back with one download — asynchronous (`data()`), so a
 * WebGL or WebGPU backend never stalls the page on a synchronous read per tensor.
 */
export class PendingReports {
  private items: PendingReport[] = [];

  /** How many tensors wait. */
  get size(): number {
    return this.items.length;
  }

  /** Holds a tensor's answers until the next download. */
  add(item: PendingReport): void {
    this.items.push(item);
  }

  /** Downloads every held answer with one asynchronous read; the reports in the order added. */
  async download(): Promise<TensorReport[]> {
    const items = this.take();
    if (items.length === 0) return [];
    const packed = pack(items);
    try {
      return decode(items, (await packed.data()) as Float32Array);
    } finally {
      packed.dispose();
    }
  }

  /**
   * The same with a synchronous read: for the Inspector's `flush` and `snapshot` signals, which
   * must be answered before they return (once per epoch, not per step).
   */
  downloadSync(): TensorReport[] {
    const items = this.take();
    if (items.length === 0) return [];
    const packed = pack(items);
    try {
      return decode(items, packed.dataSync() as Float32Array);
    } finally {
      packed.dispose();
    }
  }

  /** Drops everything held (detach), freeing the backend memory. */
  dispose(): void {
    const items = this.items;
    this.items = [];
    for (const item of items) for (const a of item.answers) a.values.dispose();
  }

  private take(): PendingReport[] {
    const items = this.items;
    this.items = [];
    return items;
  }
}

/** One flat tensor of every answer's values; the answers' own tensors are disposed. */
function pack(items: readonly PendingReport[]): tf.Tensor {
  const parts = items.flatMap((item) => item.answers.map((a) => a.values));
  const packed = parts.length === 1 ? (parts[0] as tf.Tensor).clone() : tf.concat(parts);
  for (const p of parts) p.dispose();
  return packed;
}

function decode(items: readonly PendingReport[], values: Float32Array): TensorReport[] {
  const reports: TensorReport[] = [];
  let offset = 0;
  for (const item of items) {
    const answers = new Map<string, ReductionResult>();
    item.answers.forEach((a, i) => {
      const n = a.values.size;
      answers.set(item.keys[i] as string, a.decode(values.subarray(offset, offset + n)));
      offset += n;
    });
    reports.push(tensorReport(item.source, item.module, item.parameter, item.shape, answers, item.phase));
  }
  return reports;
}
