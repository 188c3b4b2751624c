import type { TrainerProgress } from './trainer-options.js';

/**
 * The trainer's counters as they change during a run: the epoch driver counts steps as they
 * finish and epochs as they end, `setLearningRate` and `restore` set them. Everything that
 * reads them for a step (the hyper-parameters, a non-finite-loss message) reads them here.
 */
export class ProgressCounters {
  /** Optimizer steps finished. */
  step = 0;
  /** Epochs finished by `trainEpoch`. */
  epoch = 0;
  /** The learning rate of the following steps. */
  learningRate: number;
  /** The run's seed (initial parameters, dropout keys). */
  seed: number;

  /**
   * @param learningRate - the optimizer's initial learning rate
   * @param seed - the run's seed
   */
  constructor(learningRate: number, seed: number) {
    this.learningRate = learningRate;
    this.seed = seed;
  }

  /** A copy, as `trainer.progress` and checkpoints report it. */
  snapshot(): TrainerProgress {
    return { step: this.step, epoch: this.epoch, learningRate: this.learningRate, seed: this.seed };
  }

  /** Takes the counters of a checkpoint; one saved without a seed keeps the current seed. */
  restore(progress: Omit<TrainerProgress, 'seed'> & { readonly seed?: number }): void {
    this.step = progress.step;
    this.epoch = progress.epoch;
    this.learningRate = progress.learningRate;
    this.seed = progress.seed ?? this.seed;
  }
}
