import { Trainer, type Block, type Device, type Loss, type Optimizer } from '@monitorch/backend-onnx';

/** A declared network and how to run it. */
export interface TrainerSpec {
  /** The network (e.g. `sequential({ … })`). */
  readonly model: Block;
  /** Shape of one sample, without the batch dimension (e.g. `[1, 28, 28]`). */
  readonly sampleShape: readonly number[];
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  readonly device: Device;
  /** Seed of the initial parameters. */
  readonly seed: number;
}

/**
 * Compiles the network into ONNX train/eval graphs and starts a {@link Trainer} on the device
 * (in a worker thread, so progress bars and the live page stay responsive).
 */
export function createTrainer(spec: TrainerSpec): Promise<Trainer> {
  return Trainer.create({
    model: spec.model,
    inputShape: [-1, ...spec.sampleShape],
    loss: spec.loss,
    optimizer: spec.optimizer,
    device: spec.device,
    seed: spec.seed,
  });
}
