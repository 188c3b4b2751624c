/** A batch progress report from the training loop. */
export interface BatchProgress {
  /** Epoch being trained (1-based). */
  readonly epoch: number;
  /** Batches done in this epoch (1-based count after the batch finished). */
  readonly batch: number;
  /** Batches per epoch, when known. */
  readonly batches?: number;
  /** The last batch loss (or running loss). */
  readonly loss?: number;
}

/** Progress with the derived rate and time left, as shown in the terminal and the live page. */
export interface ProgressSnapshot extends BatchProgress {
  /** Batches per second in this epoch so far, when measurable. */
  readonly rate?: number;
  /** Seconds left in this epoch, when the batch count and rate are known. */
  readonly etaSeconds?: number;
  /** Mean of the losses reported in this epoch so far. */
  readonly runningLoss?: number;
}

/**
 * Turns batch reports into rate, ETA and running loss. An epoch starts when the epoch number
 * changes or the batch count goes down.
 */
export class ProgressTracker {
  private epoch = Number.NaN;
  private lastBatch = 0;
  private startedAt = 0;
  private startBatch = 0;
  private lossSum = 0;
  private lossCount = 0;
  private latest: ProgressSnapshot | undefined;

  /** @param now - clock in milliseconds (injectable for tests) */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The last snapshot, if any batch was reported. */
  get current(): ProgressSnapshot | undefined {
    return this.latest;
  }

  /** Records one report and returns the snapshot with rate, ETA and running loss. */
  update(p: BatchProgress): ProgressSnapshot {
    const t = this.now();
    if (p.epoch !== this.epoch || p.batch < this.lastBatch) {
      // The first report of an epoch marks its start: the rate counts batches after it.
      this.epoch = p.epoch;
      this.startedAt = t;
      this.startBatch = p.batch;
      this.lossSum = 0;
      this.lossCount = 0;
    }
    this.lastBatch = p.batch;
    if (p.loss !== undefined && Number.isFinite(p.loss)) {
      this.lossSum += p.loss;
      this.lossCount += 1;
    }
    const seconds = (t - this.startedAt) / 1000;
    const done = p.batch - this.startBatch;
    const rate = seconds > 0 && done > 0 ? done / seconds : undefined;
    const etaSeconds =
      rate !== undefined && p.batches !== undefined ? Math.max(0, (p.batches - p.batch) / rate) : undefined;
    this.latest = {
      ...p,
      ...(rate === undefined ? {} : { rate }),
      ...(etaSeconds === undefined ? {} : { etaSeconds }),
      ...(this.lossCount === 0 ? {} : { runningLoss: this.lossSum / this.lossCount }),
    };
    return this.latest;
  }
}

/** `1:05` / `12s` style durations for ETAs. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}:${String(s % 60).padStart(2, '0')}`;
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
