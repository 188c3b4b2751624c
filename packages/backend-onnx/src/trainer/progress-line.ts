import type { EpochProgress } from './trainer-options.js';

/**
 * A minimal terminal progress bar (one rewritten line on stderr), for `progress: true`.
 * Silent where there is no stderr (browsers).
 */
export function progressLine(): (p: EpochProgress) => void {
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
