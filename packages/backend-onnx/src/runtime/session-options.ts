import type { InferenceSession } from 'onnxruntime-common';
import { executionProviderFor, type Device } from './device.js';

/** Tuning knobs of the ORT sessions (the defaults follow the measurements in ort-training-notes). */
export interface SessionTuning {
  /** Threads per operator (default: the number of CPU cores). */
  readonly intraOpNumThreads?: number;
  /**
   * Let ORT's pool threads spin briefly between parallel sections instead of sleeping
   * (default `true`). Waking a sleeping thread on a shared VM costs a scheduler round trip per
   * operator: side by side on 2 cores, the seed CNN's step took 52.5–56.9 ms with spinning vs
   * 55.5–60.6 ms without (medians, with and without lenses, evaluation interleaved or not).
   * Applies to train sessions; the engine never lets eval sessions spin (two spinning
   * sessions taking turns steal each other's cores: 79 vs 60 ms a step in the ORT notes).
   * Spinning stops when a run ends (`session.force_spinning_stop`): otherwise a session's
   * threads keep spinning after its step, and when a sampled lens makes the engine switch to
   * its other train session, the two pools fight for the cores — all lenses but
   * OutputGradientGeometry sampled every 4th step cost +16.5, +28.5 and +20.6 % end to end
   * on 2 cores, against −7.1, −2.4 and +1.4 % with the stop (same runs, alternating). The stop
   * also hands the idle cores to the worker's and the lenses' JavaScript between steps.
   * Turn spinning off when other work in the process must get every idle cycle.
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
    // WebGPU in NCHW: with the provider's default NHWC layout ORT inserts a Transpose that only
    // the CPU provider runs (seen in the node placements of the seed CNN's train graph).
    executionProviders: [
      device === 'webgpu' ? { name: 'webgpu', preferredLayout: 'NCHW' } : executionProviderFor(device),
    ],
    ...(tuning.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: tuning.intraOpNumThreads }),
    enableCpuMemArena: true,
    graphOptimizationLevel: 'all',
    logSeverityLevel: tuning.logSeverityLevel ?? 3,
    extra: {
      session: {
        intra_op: { allow_spinning: tuning.allowSpinning === false ? '0' : '1' },
        force_spinning_stop: '1',
      },
    },
  };
}
