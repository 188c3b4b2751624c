// The custom-lens example of the README, verbatim, checked on real numbers: a whole lens in
// about 25 lines, reusing the activeCount reduction with a 0.99 threshold.
import t from 'tap';
import {
  Inspector,
  LoopAdapter,
  RunningStats,
  defineTable,
  reductionKey,
  type OutputEvent,
  type Lens,
  type ReductionRequest,
  type TableRow,
} from '@monitorch/core';

// --- README example starts ---
/** Share of activation outputs that are saturated (|y| > 0.99) — for tanh/sigmoid networks. */
export class Saturation implements Lens {
  readonly id = 'saturation';
  private readonly request: ReductionRequest = {
    select: { of: 'output', modules: { kinds: ['activation'] } },
    reduction: { op: 'activeCount', per: 'channel', eps: 0.99 }, // counts |y| > 0.99
  };
  readonly requests = [this.request];
  readonly table = defineTable('saturation', [], {
    panels: [
      { title: 'Saturated Outputs', size: 'small', kind: 'probability', quantities: ['saturation'], line: 'mean' },
    ],
  });
  private layers = new Map<string, RunningStats>();

  reset(): void {
    this.layers.clear();
  }

  foldOutput(e: OutputEvent): void {
    const answer = e.reductions.get(reductionKey(this.request.reduction));
    if (answer?.op !== 'activeCount') return;
    const saturated = answer.counts.reduce((sum, k) => sum + k, 0);
    let stats = this.layers.get(e.module.name);
    if (stats === undefined) this.layers.set(e.module.name, (stats = new RunningStats()));
    stats.add(saturated / (answer.size * answer.counts.length));
  }

  tick(epoch: number): TableRow[] {
    const rows = [...this.layers].map(([module, s]) => ({
      epoch,
      phase: 'train',
      module,
      quantity: 'saturation',
      ...s.summary(),
    }));
    this.layers.clear();
    return rows;
  }
}
// --- README example ends ---

t.test('the README Saturation lens works end to end', async (tt) => {
  const lens = new Saturation();
  const inspector = new Inspector({ lenses: [lens], logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  const tanh = (xs: number[]): Float32Array => Float32Array.from(xs, (x) => Math.tanh(x));
  loop.output('tanh1', tanh([-5, 0.1, 3, 0.5]), [2, 2], { kind: 'activation' }); // tanh(±3 or more) > 0.99: 2 of 4
  loop.output('tanh1', tanh([0, 0, 0, 10]), [2, 2], { kind: 'activation' }); // 1 of 4
  loop.output('lin1', Float32Array.from([5, 5]), [1, 2], { kind: 'linear' }); // not an activation
  await inspector.tickEpoch();
  const rows = inspector
    .table(lens)
    .toArray()
    .map((r: { toJSON(): Record<string, unknown> }) => ({ ...r.toJSON() }));
  tt.same(rows, [
    {
      epoch: 1,
      phase: 'train',
      module: 'tanh1',
      quantity: 'saturation',
      mean: 0.375,
      std: 0.125,
      min: 0.25,
      max: 0.5,
      count: 2,
    },
  ]);
  await inspector.close();
});
