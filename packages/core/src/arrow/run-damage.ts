import { MonitorchError } from '../errors.js';

/** Damage found in one run file: what is wrong, what it cost and what could still be read. */
export interface RunDamage {
  /** The table the file belongs to. */
  readonly table: string;
  /** The damaged file. */
  readonly path: string;
  /** What is wrong, in words (e.g. "batch 5 does not match its checksum"). */
  readonly problem: string;
  /** Epochs whose rows are lost (empty when the file does not say which). */
  readonly lostEpochs: readonly number[];
  /** Rows lost, when known. */
  readonly lostRows: number | undefined;
  /** Rows that are intact and read (in `damaged: 'recover'` mode). */
  readonly keptRows: number;
}

/** Epochs `[first, last]` as a list (batches hold one epoch each, ranges stay short). */
export function epochList(range: readonly [number, number] | undefined): number[] {
  if (range === undefined) return [];
  const out: number[] = [];
  for (let e = range[0]; e <= range[1] && out.length < 100_000; e++) out.push(e);
  return out;
}

/** "epochs 3-5, 9" from a list of epochs. */
export function epochsText(epochs: readonly number[]): string {
  if (epochs.length === 0) return 'epochs unknown';
  const sorted = [...new Set(epochs)].sort((a, b) => a - b);
  const parts: string[] = [];
  let from = sorted[0] as number;
  let to = from;
  for (const e of sorted.slice(1)) {
    if (e === to + 1) {
      to = e;
      continue;
    }
    parts.push(from === to ? `${from}` : `${from}-${to}`);
    from = to = e;
  }
  parts.push(from === to ? `${from}` : `${from}-${to}`);
  return `${sorted.length === 1 ? 'epoch' : 'epochs'} ${parts.join(', ')}`;
}

/** One line describing a damage, for messages and the CLIs. */
export function runDamageText(d: RunDamage): string {
  const lost = d.lostRows === undefined ? 'rows lost unknown' : `${d.lostRows} rows lost`;
  return `${d.path}: ${d.problem} (${epochsText(d.lostEpochs)}, ${lost}; ${d.keptRows} rows intact)`;
}

/**
 * The error readRun throws for a damaged run: every damaged file, the epochs affected and
 * what could be recovered, and how to read the intact part.
 *
 * @param dir - the run directory
 * @param damage - what was found (not empty)
 */
export function runDamagedError(dir: string, damage: readonly RunDamage[]): MonitorchError {
  return new MonitorchError(
    'RUN_DAMAGED',
    `The run in ${dir} is damaged: ${damage.map(runDamageText).join('; ')}. ` +
      "Read the intact rows with readRun(dir, { damaged: 'recover' }) (monitorch CLI: --accept-damage), " +
      'or restore the files from a copy.',
    { dir, damage },
  );
}
