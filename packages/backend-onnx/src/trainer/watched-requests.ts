import { watchesSource, type Phase, type ReductionRequest } from '@monitorch/core';

/**
 * The requests that watch a given run (their `sampling`, see core's `Sampling`): the graphs of
 * a step compute only these, so an unwatched step runs the graph without statistics. The
 * subsets are remembered by which requests they keep, so a step returns the same array as the
 * last step with the same subset — the graph cache compares arrays before it compares keys.
 */
export class WatchedRequests {
  private all: readonly ReductionRequest[] = [];
  private sampled = false;
  private readonly subsets = new Map<string, readonly ReductionRequest[]>();

  /**
   * The requests of `requests` that watch a run of `phase` at `step` (optimizer steps reported
   * before it) in `epoch` (1-based). Eval phases and parameter snapshots are gated by epoch only.
   *
   * @param requests - every attached lens's requests, sampling filled in
   * @param step - the step stamp the run's reports will carry
   * @param epoch - the epoch the run's reports belong to
   * @param phase - the run's phase
   */
  at(requests: readonly ReductionRequest[], step: number, epoch: number, phase: Phase): readonly ReductionRequest[] {
    if (requests !== this.all) {
      this.all = requests;
      this.sampled = requests.some((r) => r.sampling !== undefined);
      this.subsets.clear();
    }
    if (!this.sampled) return requests;
    let mask = '';
    for (const r of requests) mask += watchesSource(r.sampling, r.select.of, step, epoch, phase) ? '1' : '0';
    let subset = this.subsets.get(mask);
    if (subset === undefined) {
      subset = mask.includes('0') ? requests.filter((_, i) => mask[i] === '1') : requests;
      this.subsets.set(mask, subset);
    }
    return subset;
  }
}
