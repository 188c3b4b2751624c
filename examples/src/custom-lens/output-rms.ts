import {
  RunningStats,
  defineTable,
  reductionKey,
  type OutputEvent,
  type Lens,
  type Reduction,
  type ReductionRequest,
  type TableRow,
  type TableSpec,
} from '@monitorch/core';

const SUM_SQUARES: Reduction = { op: 'sumSquares' };

/**
 * A custom lens, as a newcomer would write one: the root-mean-square of each activation
 * layer's output, per batch, summarised per epoch. Exploding or vanishing activations show up
 * as a line running away from 1 or toward 0.
 *
 * The lens never sees a tensor. It *asks* for the reduction it needs (the sum of squares of
 * every activation layer's output); the backend computes exactly that — in the ONNX graph, or
 * with the CPU kernels behind a LoopAdapter — and hands the answer to `foldOutput`. The table
 * spec says how to draw the rows, so the figure and the live page show it with no viz change.
 *
 * @example
 * ```ts
 * const inspector = new Inspector({ lenses: [new LossMetrics(), new OutputRms()], runDir: 'runs/rms' });
 * ```
 */
export class OutputRms implements Lens {
  /** Lens id, table name and file name (`output-rms.arrow`). */
  readonly id = 'output-rms';
  /** One request: Σx² of every activation layer's output in the train phase. */
  readonly requests: readonly ReductionRequest[] = [
    { select: { of: 'output', modules: { kinds: ['activation'] } }, reduction: SUM_SQUARES },
  ];
  /** The summary columns only; one small numerical panel per layer with a ±std band. */
  readonly table: TableSpec = defineTable(this.id, [], {
    panels: [
      { title: 'Output RMS', size: 'small', kind: 'numerical', quantities: ['rms'], line: 'mean', bands: ['std'] },
    ],
  });
  private perLayer = new Map<string, RunningStats>();

  /** A new run: forget everything. */
  reset(): void {
    this.perLayer = new Map();
  }

  /** One batch of one layer: RMS = √(Σx² / number of entries). */
  foldOutput(event: OutputEvent): void {
    const answer = event.reductions.get(reductionKey(SUM_SQUARES));
    if (answer?.op !== 'sumSquares') return;
    const entries = event.shape.reduce((a, b) => a * b, 1);
    if (entries === 0) return;
    let stats = this.perLayer.get(event.module.name);
    if (stats === undefined) {
      stats = new RunningStats();
      this.perLayer.set(event.module.name, stats);
    }
    stats.add(Math.sqrt(answer.value / entries));
  }

  /** One row per layer: the epoch's mean, std, min and max of the batch RMS values. */
  tick(epoch: number): TableRow[] {
    const rows = [...this.perLayer].map(([module, stats]) => ({
      epoch,
      phase: 'train',
      module,
      quantity: 'rms',
      ...stats.summary(),
    }));
    this.perLayer = new Map();
    return rows;
  }
}
