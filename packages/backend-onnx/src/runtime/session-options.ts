import type { InferenceSession } from 'onnxruntime-common';
import { executionProviderFor, type Device } from './device.js';

/** Tuning knobs of the ORT sessions (the defaults follow the measurements in ort-training-notes). */
export interface SessionTuning {
  /** Threads per operator (default: the number of CPU cores). */
  readonly intraOpNumThreads?: number;
  /**
   * Let idle ORT threads spin for work (default `false`). The train and eval sessions take
   * turns, and a spinning idle pool steals the other session's cores (79 vs 60 ms a step).
   */
  readonly allowSpinning?: boolean;
  /** ORT log level (default 3: errors only; ORT warns about harmless things otherwise). */
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

/**
 * Session options for a device. The CPU memory arena stays on: turning it off made a step
 * 2.8× slower.
 */
export function sessionOptions(device: Device, tuning: SessionTuning = {}): InferenceSession.SessionOptions {
  return {
    executionProviders: [executionProviderFor(device)],
    ...(tuning.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: tuning.intraOpNumThreads }),
    enableCpuMemArena: true,
    graphOptimizationLevel: 'all',
    logSeverityLevel: tuning.logSeverityLevel ?? 3,
    extra: { session: { intra_op: { allow_spinning: tuning.allowSpinning === true ? '1' : '0' } } },
  };
}
