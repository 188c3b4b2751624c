/**
 * The statistic of a series' per-batch samples that a rate lens draws as its line and
 * compares across layers for the warning rows.
 */
export type Aggregation = 'mean' | 'median' | 'min' | 'max';

/** Every {@link Aggregation}, in the order error messages list them. */
export const AGGREGATIONS: readonly Aggregation[] = ['mean', 'median', 'min', 'max'];
