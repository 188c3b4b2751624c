import type { ReductionRequest } from '../reduction.js';
import { watchesSource } from '../reduction.js';

/**
 * Whether some request watches parameter values in epoch `epoch` — then the Inspector asks the
 * adapter for a parameter snapshot just before the epoch closes. Requests carry their sampling
 * (the Inspector's filled in); snapshots are gated by epoch only.
 *
 * @param requests - the run's requests, sampling filled in
 * @param epoch - the closing epoch (1-based)
 */
export function epochSnapshotDue(requests: readonly ReductionRequest[], epoch: number): boolean {
  return requests.some((r) => r.select.of === 'parameter' && watchesSource(r.sampling, 'parameter', 0, epoch, 'train'));
}

/** Whether any request watches parameter values at all (snapshots on request make sense). */
export function wantsParameters(requests: readonly ReductionRequest[]): boolean {
  return requests.some((r) => r.select.of === 'parameter');
}
