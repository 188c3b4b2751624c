import type { AdapterReport } from '../events.js';
import type { Lens } from '../lens.js';
import { DEFAULT_PHASE, type Phase } from '../phase.js';
import type { ReductionRequest, Sampling, TensorSource } from '../reduction.js';
import { withSampling } from './lens-routes.js';

/** A lens that watched a source in an epoch in which none of its tensors arrived. */
export interface MissingSource {
  readonly lens: string;
  readonly source: TensorSource;
}

/** The call that reports each source, for the warning's "what to do". */
export const SOURCE_CALLS: Readonly<Record<TensorSource, string>> = {
  output: 'loop.output(module, data, shape)',
  outputGradient: 'loop.outputGradient(module, data, shape) after your backward pass',
  gradient: 'loop.gradient(module, parameter, data, shape) after your backward pass',
  update: 'loop.update(module, parameter, { before, after }, shape) around your optimizer step',
  parameter:
    'loop.parameter(module, parameter, data, shape) before tickEpoch(), or new LoopAdapter({ parameters: () => … }) ' +
    'so the adapter takes the snapshot itself',
};

/**
 * Finds lenses that wait for a tensor source the training loop never reports — e.g. an
 * `OutputGradientGeometry` on a loop that never calls `loop.outputGradient` — so the user hears
 * about it once instead of looking at an empty table.
 *
 * A request counts as *due* in an epoch only when the loop did something it could have
 * watched: its sampling watches the epoch; for outputs, a report of one of its phases arrived
 * (train also counts when steps were taken) and, for train, some step of the epoch is watched;
 * for gradients, output gradients and updates, an optimizer step was taken in the epoch and
 * one of them is watched; for parameters, the Inspector asked for the epoch-end snapshot. The
 * source counts as reported when any tensor of it arrived — for any module, wanted by any lens
 * (adapters say `seen` for tensors nobody wanted) — so a lens whose modules never appear, an
 * eval-only epoch and a sampled-out epoch give no warning. Each (lens, source) warns once a run.
 */
export class MissingSources {
  private readonly requests: readonly { lens: string; request: ReductionRequest }[];
  private readonly warned = new Set<string>();
  private sources = new Set<TensorSource>();
  private phases = new Set<Phase>();
  private firstStep = 0;
  private steps = 0;

  /**
   * @param lenses - the run's active lenses
   * @param sampling - the Inspector's sampling, for requests that set none
   */
  constructor(lenses: readonly Lens[], sampling: Sampling | undefined) {
    this.requests = lenses.flatMap((l) => l.requests.map((r) => ({ lens: l.id, request: withSampling(r, sampling) })));
  }

  /** Notes one adapter report (before it is stamped). */
  noteReport(report: AdapterReport): void {
    if (report.type === 'warning') return;
    if (report.type === 'step') {
      this.steps += 1;
      return;
    }
    this.phases.add(report.phase ?? DEFAULT_PHASE);
    if (
      report.type === 'output' ||
      report.type === 'outputGradient' ||
      report.type === 'gradient' ||
      report.type === 'update' ||
      report.type === 'parameter'
    ) {
      this.sources.add(report.type);
    }
  }

  /** Notes an adapter's `seen` signal: the loop reported this source, no lens wanted it. */
  noteSeen(source: TensorSource): void {
    this.sources.add(source);
  }

  /**
   * The (lens, source) pairs to warn about as epoch `epoch` closes, each once a run; then
   * starts the next epoch's bookkeeping.
   *
   * @param epoch - the closing epoch (1-based)
   * @param snapshotAsked - whether the epoch-end parameter snapshot was asked for
   */
  close(epoch: number, snapshotAsked: boolean): MissingSource[] {
    const missing: MissingSource[] = [];
    for (const { lens, request } of this.requests) {
      const source = request.select.of;
      const key = `${lens}\u0000${source}`;
      if (this.warned.has(key) || this.sources.has(source)) continue;
      if (!this.due(request, epoch, snapshotAsked)) continue;
      this.warned.add(key);
      missing.push({ lens, source });
    }
    this.firstStep += this.steps;
    this.steps = 0;
    this.sources = new Set();
    this.phases = new Set();
    return missing;
  }

  private due(request: ReductionRequest, epoch: number, snapshotAsked: boolean): boolean {
    const sampling = request.sampling;
    if ((epoch - 1) % (sampling?.everyEpochs ?? 1) !== 0) return false;
    const select = request.select;
    switch (select.of) {
      case 'parameter':
        return snapshotAsked;
      case 'output':
        return (select.phases ?? ['train']).some((p) =>
          p === 'train' ? (this.phases.has(p) || this.steps > 0) && this.watchedStep(sampling) : this.phases.has(p),
        );
      default:
        return this.steps > 0 && this.watchedStep(sampling);
    }
  }

  /** Whether a train report of this epoch could be watched: some step index in it is. */
  private watchedStep(sampling: Sampling | undefined): boolean {
    const every = sampling?.everySteps ?? 1;
    // Reports of a step carry the steps done before it: firstStep … firstStep + steps − 1
    // (and firstStep itself when the epoch took no step).
    const last = this.firstStep + Math.max(0, this.steps - 1);
    return Math.ceil(this.firstStep / every) * every <= last;
  }
}
