/** Sweeps after which cyclic Jacobi stops even if the off-diagonal mass is not yet negligible. */
const MAX_SWEEPS = 60;

/**
 * Eigenvalues of a real symmetric n×n matrix by the cyclic Jacobi method: rotate away each
 * off-diagonal entry in turn until the off-diagonal mass is below float64 rounding of the
 * diagonal. Jacobi gives every eigenvalue to high *relative* accuracy of the matrix it is
 * given (better than QR for tiny eigenvalues), and converges quadratically (~6–10 sweeps).
 *
 * @param matrix - row-major n×n, symmetric; overwritten (it becomes nearly diagonal)
 * @param n - the order
 * @returns the n eigenvalues, unsorted
 */
export function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  const a = matrix;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += (a[p * n + p] as number) ** 2;
      for (let q = p + 1; q < n; q++) off += (a[p * n + q] as number) ** 2;
    }
    if (off <= 1e-32 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) rotate(a, n, p, q);
    }
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i * n + i] as number;
  return out;
}

/** One Jacobi rotation in the (p, q) plane that zeroes a[p][q] (Golub & Van Loan, sym.schur2). */
function rotate(a: Float64Array, n: number, p: number, q: number): void {
  const apq = a[p * n + q] as number;
  if (apq === 0) return;
  const app = a[p * n + p] as number;
  const aqq = a[q * n + q] as number;
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
}
