/**
 * Short y tick labels: at most four significant digits, exponent form for very small or very
 * large magnitudes (gradient norms are often 1e-5), so labels fit a narrow left margin.
 *
 * @param value - tick value
 */
export function formatTick(value: number): string {
  if (!Number.isFinite(value)) return '';
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
  return String(Number(value.toPrecision(4)));
}

/** A value for a hover tooltip: five significant digits, or `–` for no value. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return value.toExponential(3);
  return String(Number(value.toPrecision(5)));
}
