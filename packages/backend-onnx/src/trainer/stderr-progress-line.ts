import type { EpochProgress } from './trainer-options.js';

/**
 * What `trainEpoch(source, { progress: true })` draws: one rewritten line on stderr with the
 * batch count, the last loss and the rate. Silent where there is no stderr (browsers).
 *
 * This is not a second copy of `@monitorch/viz`'s progress bar but the fallback for a run
 * without it: the backend must not depend on a renderer (data flows adapter → lens → figure,
 * and a browser bundle of the trainer must not pull a terminal library in). For the full bar —
 * ETA, running loss, a summary line per epoch — give `trainEpoch` a `progress` callback that
 * feeds viz's `TerminalReporter` or live page instead.
 */
export function stderrProgressLine(): (p: EpochProgress) => void {
  const stderr = (globalThis as { process?: { stderr?: { write(s: string): boolean; isTTY?: boolean } } }).process
    ?.stderr;
  const started = Date.now();
  return (p) => {
    if (stderr === undefined) return;
    const total = p.batches;
    const width = 30;
    const filled = total === undefined ? 0 : Math.round((p.batch / total) * width);
    const bar = total === undefined ? '' : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
    const rate = p.batch / Math.max(1e-3, (Date.now() - started) / 1000);
    const end = total !== undefined && p.batch === total ? '\n' : '';
    stderr.write(
      `\repoch ${p.epoch + 1} ${bar}${p.batch}/${total ?? '?'} loss ${p.loss.toFixed(4)} ${rate.toFixed(1)} it/s${end}`,
    );
  };
}
