/**
 * The 1-based rank that the closest-observation quantile picks from `n` sorted samples
 * (Hyndman & Fan type 3, numpy `method='closest_observation'`, semantics §3.2): with
 * `j = floor(n·q − ½)` and `g = n·q − ½ − j`, rank `j` when `g = 0` and `j` is even, else
 * `j + 1`, clamped to [1, n]. It always names an observed sample; for odd n the "median" is
 * not the middle one (n = 5 → rank 2), exactly as monitorch reports it.
 *
 * @param n - number of samples, ≥ 1
 * @param q - quantile in [0, 1]
 * @returns the rank, in 1..n
 */
export function closestObservationRank(n: number, q: number): number {
  const h = n * q - 0.5;
  const j = Math.floor(h);
  const rank = h === j && j % 2 === 0 ? j : j + 1;
  return rank < 1 ? 1 : rank > n ? n : rank;
}
