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

  /**
   * Downloads every held answer with one asynchronous read (and a second one for the answers
   * whose fast form met a NaN or ±Infinity); the reports in the order added.
   */
  async download(): Promise<TensorReport[]> {
    const reading = this.read();
    try {
      let next = reading.next();
      while (next.done !== true) next = reading.next(await next.value.data());
      return next.value;
    } finally {
      reading.return([]); // a failed read still frees what the answers kept
    }
  }

  /**
   * The same with synchronous reads: for the Inspector's `flush` and `snapshot` signals, which
   * must be answered before they return (once per epoch, not per step).
   */
  downloadSync(): TensorReport[] {
    const reading = this.read();
    try {
      let next = reading.next();
      while (next.done !== true) next = reading.next(next.value.dataSync());
      return next.value;
    } finally {
      reading.return([]);
    }
  }

  /**
   * The reading of every held answer, written once for both download forms: it yields each
   * packed tensor to read (the fast forms, then the exact forms some of them need) and is
   * resumed with its numbers; every kept tensor is freed at the end.
   */
  private *read(): Generator<Packed, TensorReport[], Float32Array> {
    const items = this.take();
    if (items.length === 0) return [];
    const answers = items.flatMap((item) => item.answers);
    try {
      const results = decodeAll(answers, yield pack(answers));
      const redo = exactForms(answers, results);
      if (redo.length > 0) {
        const exact = redo.map((r) => r.answer);
        const values = decodeAll(exact, yield pack(exact));
        redo.forEach((r, i) => (results[r.index] = values[i]));
      }
      return reports(items, results);
    } finally {
      for (const a of answers) a.release?.();
    }
  }

  /** Drops everything held (detach), freeing the backend memory. */
  dispose(): void {
    const items = this.items;
    this.items = [];
    for (const item of items) {
      for (const a of item.answers) {
        a.values.dispose();
        a.release?.();
      }
    }
  }

  private take(): PendingReport[] {
    const items = this.items;
    this.items = [];
    return items;
  }
}

/** One packed tensor of answers, read once (either way), then disposed. */
interface Packed {
  data(): Promise<Float32Array>;
  dataSync(): Float32Array;
}

/**
 * One flat tensor of every answer's values, disposed once read; the answers' own tensors are
 * disposed here.
 */
function pack(answers: readonly BackendAnswer[]): Packed {
  const parts = answers.map((a) => a.values);
  const packed = parts.length === 1 ? (parts[0] as tf.Tensor).clone() : tf.concat(parts);
  for (const p of parts) p.dispose();
  return {
    data: async () => {
      try {
        return (await packed.data()) as Float32Array;
      } finally {
        packed.dispose();
      }
    },
    dataSync: () => {
      try {
        return packed.dataSync() as Float32Array;
      } finally {
        packed.dispose();
      }
    },
  };
}

/** Each answer read from its slice of `values`, in order (`undefined`: its exact form is needed). */
function decodeAll(answers: readonly BackendAnswer[], values: Float32Array): (ReductionResult | undefined)[] {
  let offset = 0;
  return answers.map((a) => {
    const n = a.values.size;
    const result = a.decode(values.subarray(offset, offset + n));
    offset += n;
    return result;
  });
}

/** The exact forms of the answers whose fast form could not answer, with their positions. */
function exactForms(
  answers: readonly BackendAnswer[],
  results: readonly (ReductionResult | undefined)[],
): { index: number; answer: BackendAnswer }[] {
  const redo: { index: number; answer: BackendAnswer }[] = [];
  results.forEach((r, index) => {
    const exact = r === undefined ? answers[index]?.exact?.() : undefined;
    if (exact !== undefined) redo.push({ index, answer: exact });
  });
  return redo;
}

function reports(items: readonly PendingReport[], results: readonly (ReductionResult | undefined)[]): TensorReport[] {
  let k = 0;
  return items.map((item) => {
    const answers = new Map<string, ReductionResult>();
    for (const key of item.keys) {
      const result = results[k++];
      if (result === undefined) throw new Error(`internal: no answer for ${key} of ${item.module.name}`);
      answers.set(key, result);
    }
    return tensorReport(item.source, item.module, item.parameter, item.shape, answers, item.phase);
  });
}
