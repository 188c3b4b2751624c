import t from 'tap';
import { isMonitorchError } from '@monitorch/core';
import {
  DataLoader,
  TensorDataset,
  Trainer,
  crossEntropy,
  linear,
  relu,
  sequential,
  sgd,
} from '@monitorch/backend-onnx';

// Out-of-range class labels would give an all-zero one-hot row inside the graph and silently
// drop those samples from the loss; the trainer must refuse them with a clear error instead.
function loaderWith(labels: number[]): DataLoader {
  const x = Float32Array.from({ length: labels.length * 2 }, (_, i) => (i % 5) / 5);
  return new DataLoader(new TensorDataset(x, [2], Int32Array.from(labels)), { batchSize: labels.length });
}

for (const worker of [false, true]) {
  t.test(
    `${worker ? 'worker' : 'in-process'}: labels outside 0..classes-1 are refused, naming label and range`,
    async (t) => {
      const trainer = await Trainer.create({
        model: sequential({ lin1: linear(2, 4), relu1: relu(), lin2: linear(4, 3) }),
        inputShape: [-1, 2],
        loss: crossEntropy(),
        optimizer: sgd({ lr: 0.1 }),
        seed: 1,
        worker,
      });
      t.teardown(() => trainer.close());
      for (const bad of [3, -1]) {
        const error = await trainer.trainEpoch(loaderWith([0, 1, bad, 2])).then(
          () => undefined,
          (e: unknown) => e,
        );
        t.ok(isMonitorchError(error, 'INVALID_ARGUMENT'), `label ${bad} → INVALID_ARGUMENT`);
        t.match((error as Error).message, new RegExp(`Label ${bad} of sample 2 .* 3 classes.* 0\\.\\.2`));
      }
      // Valid labels still train after a refused batch, and the step counter did not move.
      const summary = await trainer.trainEpoch(loaderWith([0, 1, 2, 2]));
      t.equal(summary.batches, 1);
      t.ok(Number.isFinite(summary.loss), 'a valid batch trains');
      t.equal(trainer.progress.step, 1, 'refused batches made no optimizer step');
    },
  );
}
