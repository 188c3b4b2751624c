import type { AdapterReport } from '../events.js';
import type { Phase } from '../phase.js';
import type { ReductionResult, TensorSource } from '../reduction.js';

/** Where a warning goes (the adapter's connection). */
export type WarningSink = (report: Extract<AdapterReport, { type: 'warning' }>) => void;

/**
 * Tells the user, once per tensor per epoch, that a tensor or a loss held NaN or infinite
 * values: the lenses count such entries apart, and a warning says where they came from.
 */
export class NonFiniteWarnings {
  private readonly warned = new Set<string>();

  /** Forget what was warned about (a new epoch or run starts). */
  clear(): void {
    this.warned.clear();
  }

  /** Warns when an answer shows NaN or infinite entries. */
  checkAnswers(
    sink: WarningSink,
    answers: ReadonlyMap<string, ReductionResult>,
    module: string,
    source: TensorSource,
    parameter: string | undefined,
    phase: Phase,
    size: number,
  ): void {
    let counted = -1;
    let bad = false;
    for (const a of answers.values()) {
      if (a.op === 'activeCount') {
        if (a.nonFinite > 0) {
          bad = true;
          counted = Math.max(counted, a.nonFinite);
        }
      } else if (a.op === 'nonFinite') {
        if (a.nan + a.inf > 0) {
          bad = true;
          counted = Math.max(counted, a.nan + a.inf);
        }
      } else if (a.op === 'previousDot') {
        if (!Number.isFinite(a.norm) || !Number.isFinite(a.dot)) bad = true;
      } else if (a.op === 'histogram') {
        if (a.nonFinite > 0) {
          bad = true;
          counted = Math.max(counted, a.nonFinite);
        }
      } else if (a.op === 'updateRatio' || a.op === 'singularRatio') {
        // Ratios of finite tensors can be infinite or NaN (a zero parameter, an all-zero
        // weight); a non-finite entry also shows in the other reductions' answers.
        continue;
      } else if (!Number.isFinite(a.value)) {
        bad = true;
      }
    }
    if (!bad) return;
    const tensor = parameter === undefined ? `${source} of "${module}"` : `${source} of "${module}.${parameter}"`;
    const how =
      counted >= 0
        ? `${counted} of ${size} entries are NaN or infinite`
        : 'it holds NaN or infinite entries (or overflowed)';
    this.warnOnce(
      sink,
      `${source}|${module}|${parameter ?? ''}|${phase}`,
      'NON_FINITE_INPUT',
      `The ${phase} ${tensor}: ${how}. They are counted in non_finite and left out of the rates ` +
        '(a unit is measured over its finite entries only); ' +
        'look for an exploding learning rate, log(0) or a division by zero.',
      module,
    );
  }

  /** Warns about a non-finite loss. */
  checkLoss(sink: WarningSink, value: number, phase: Phase): void {
    if (Number.isFinite(value)) return;
    this.warnOnce(
      sink,
      `loss|${phase}`,
      'NON_FINITE_LOSS',
      `The ${phase} loss is ${String(value)}. It is recorded and counted apart, not averaged into the epoch's loss; ` +
        'look for a too-large learning rate, log(0) or a division by zero.',
    );
  }

  private warnOnce(
    sink: WarningSink,
    key: string,
    code: 'NON_FINITE_INPUT' | 'NON_FINITE_LOSS',
    message: string,
    module?: string,
  ): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    sink({ type: 'warning', code, message, ...(module === undefined ? {} : { module }) });
  }
}
