/**
 * The largest float32 at or below `eps`. Backends compare float32 entries with a float32
 * threshold, while core's kernels compare them with the float64 `eps`; for a float32 `x`,
 * `|x| > eps` holds exactly when `|x| > floatThreshold(eps)`, whereas `Math.fround(eps)` may
 * round up past an entry that core counts as active.
 *
 * @param eps - a finite threshold ≥ 0
 */
export function floatThreshold(eps: number): number {
  const f = Math.fround(eps);
  if (f <= eps) return f;
  // One float32 step down: adjust the bit pattern (eps > 0 here, so f > 0).
  const bits = new Float32Array([f]);
  const view = new Uint32Array(bits.buffer);
  view[0] = (view[0] as number) - 1;
  return bits[0] as number;
}
