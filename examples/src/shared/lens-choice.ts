// The lenses an example can attach besides the seed's three, chosen on the command line
// (`--lenses all|none|<list>`). Kept apart from cli-options.ts so a lens list can be parsed
// without loading the ONNX backend.
import { InvalidArgumentError } from 'commander';
import type { Lens } from '@monitorch/core';
import { ParameterGradientGeometry, OutputGradientGeometry, ParameterUpdateGeometry } from '@monitorch/lens-geometry';
import { OutputNorm, ParameterCond, ParameterNorm } from '@monitorch/lens-norms';
import { OutputDistribution } from '@monitorch/lens-output-distribution';

/** A lens the command line can name: by its table id or by its class name. */
export interface LensChoice {
  /** The lens's id and table name, e.g. `output-norm`. */
  readonly id: string;
  /** The class, e.g. `OutputNorm`. */
  readonly className: string;
  /** A new lens with the example's settings. */
  create(): Lens;
}

/** OutputGradientGeometry watches one train step in this many. */
export const OUTPUT_GRADIENT_EVERY = 20;

/**
 * The lenses of issue 14, in the order the figure shows their columns. Norms of gradients and
 * updates fall by orders of magnitude while a network learns, so their panels use a log axis.
 */
export const EXTRA_LENSES: readonly LensChoice[] = [
  { id: 'output-norm', className: 'OutputNorm', create: () => new OutputNorm() },
  { id: 'parameter-norm', className: 'ParameterNorm', create: () => new ParameterNorm() },
  {
    id: 'gradient-geometry',
    className: 'ParameterGradientGeometry',
    create: () => new ParameterGradientGeometry({ logScale: true }),
  },
  {
    id: 'output-gradient-geometry',
    className: 'OutputGradientGeometry',
    // The costly lens on the CPU: every watched step carries each layer's output gradient out of
    // the graph (49 MiB for conv1's at batch 256): the seed CNN's steps took up to 1.8× as long
    // here; one step in 20 keeps its panels and costs little (backend-onnx README).
    create: () => new OutputGradientGeometry({ logScale: true, sampling: { everySteps: OUTPUT_GRADIENT_EVERY } }),
  },
  {
    id: 'update-geometry',
    className: 'ParameterUpdateGeometry',
    create: () => new ParameterUpdateGeometry({ logScale: true }),
  },
  { id: 'parameter-cond', className: 'ParameterCond', create: () => new ParameterCond() },
  { id: 'output-distribution', className: 'OutputDistribution', create: () => new OutputDistribution() },
];

/**
 * The seed's lenses, always attached (the examples read their losses, rates and deaths):
 * naming them in a list is allowed and changes nothing.
 */
export const SEED_LENSES: readonly Pick<LensChoice, 'id' | 'className'>[] = [
  { id: 'loss-metrics', className: 'LossMetrics' },
  { id: 'output-activation', className: 'OutputActivation' },
  { id: 'gradient-activation', className: 'ParameterGradientActivation' },
];

/**
 * Parses `--lenses`: `all` (every lens of {@link EXTRA_LENSES}), `none` (the seed's three
 * only), or a comma list of lens ids or class names (any case), e.g.
 * `output-norm,ParameterUpdateGeometry`. Returns the chosen extra lenses in figure order.
 *
 * @throws InvalidArgumentError naming the unknown entries and every valid name
 */
export function lensList(value: string): LensChoice[] {
  const wanted = value
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
  if (wanted.length === 1 && wanted[0] === 'all') return [...EXTRA_LENSES];
  if (wanted.length === 1 && wanted[0] === 'none') return [];
  const named = (c: Pick<LensChoice, 'id' | 'className'>, w: string): boolean =>
    c.id === w || c.className.toLowerCase() === w;
  const unknown = wanted.filter((w) => ![...EXTRA_LENSES, ...SEED_LENSES].some((c) => named(c, w)));
  if (wanted.length === 0 || unknown.length > 0) {
    const what = wanted.length === 0 ? 'no lens named' : `unknown lens ${unknown.map((u) => `"${u}"`).join(', ')}`;
    throw new InvalidArgumentError(
      `${what}. Expected "all", "none" or a comma list of: ` +
        `${EXTRA_LENSES.map((c) => `${c.id} (${c.className})`).join(', ')}; ` +
        `the seed's ${SEED_LENSES.map((c) => c.className).join(', ')} are always on.`,
    );
  }
  return EXTRA_LENSES.filter((c) => wanted.some((w) => named(c, w)));
}

/** `all`, `none` or the chosen ids, for the run's heading line. */
export function lensListLabel(chosen: readonly LensChoice[]): string {
  if (chosen.length === EXTRA_LENSES.length) return 'all lenses';
  if (chosen.length === 0) return "the seed's lenses";
  return `seed lenses + ${chosen.map((c) => c.id).join(', ')}`;
}
