/** Sweeps after which cyclic Jacobi stops even if the off-diagonal mass is not yet negligible. */
const MAX_SWEEPS = 60;

/** Float64 unit roundoff, 2⁻⁵³. */
const ROUNDING = 2 ** -53;

/**
 * Eigenvalues of a real symmetric n×n matrix by the cyclic Jacobi method: rotate away each
 * off-diagonal entry in turn until a whole sweep finds every one below float64 rounding of its
 * diagonal pair. Jacobi gives every eigenvalue to high *relative* accuracy of the matrix it is
 * given (better than QR for tiny eigenvalues), and converges quadratically (~6–10 sweeps).
 *
 * @param matrix - row-major n×n, symmetric; overwritten (it becomes nearly diagonal)
 * @param n - the order
 * @returns the n eigenvalues, unsorted
 */
export function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  const a = matrix;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) rotated = rotate(a, n, p, q) || rotated;
    }
    // Converged: every off-diagonal entry is below rounding of its diagonal pair.
    if (!rotated) break;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i * n + i] as number;
  return out;
}

/**
 * One Jacobi rotation in the (p, q) plane that zeroes a[p][q] (Golub & Van Loan, sym.schur2).
 * An entry below float64 rounding of √(a_pp·a_qq) is set to 0 without rotating (the classic
 * threshold that keeps Jacobi's relative accuracy); returns whether it rotated.
 */
function rotate(a: Float64Array, n: number, p: number, q: number): boolean {
  const apq = a[p * n + q] as number;
  const app = a[p * n + p] as number;
  const aqq = a[q * n + q] as number;
  if (Math.abs(apq) <= ROUNDING * Math.sqrt(Math.abs(app * aqq))) {
    a[p * n + q] = 0;
    a[q * n + p] = 0;
    return false;
  }
  const tau = (aqq - app) / (2 * apq);
  const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
  const c = 1 / Math.sqrt(1 + t * t);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p] as number;
    const akq = a[k * n + q] as number;
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k] as number;
    const aqk = a[q * n + k] as number;
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  return true;
}
