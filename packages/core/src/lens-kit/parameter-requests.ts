import type { ModuleSelector, Reduction, ReductionRequest, Sampling } from '../reduction.js';

/**
 * One request per (parameter, reduction) for a parameter source. One request *per parameter*
 * (not one listing them all) because a request selects only modules that own every listed
 * parameter: monitorch watches `weight` of a bias-free layer too.
 *
 * @param of - the parameter source
 * @param parameters - parameter names
 * @param modules - module selector (`{}`: every module)
 * @param reductions - what to compute for each
 * @param sampling - the lens's sampling, if any
 */
export function parameterRequests(
  of: 'gradient' | 'update' | 'parameter',
  parameters: readonly string[],
  modules: ModuleSelector,
  reductions: readonly Reduction[],
  sampling: Sampling | undefined,
): ReductionRequest[] {
  return parameters.flatMap((p) =>
    reductions.map((reduction) => ({
      select: { of, parameters: [p], modules },
      reduction,
      ...(sampling === undefined ? {} : { sampling }),
    })),
  );
}
