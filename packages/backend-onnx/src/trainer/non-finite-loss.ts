import { MonitorchError } from '@monitorch/core';
import type { NonFiniteLossPolicy } from './trainer-options.js';

/**
 * The error that stops training on a NaN or infinite loss; its message is also the warning the
 * lenses get, whether the policy stops the run or lets it go on.
 *
 * @param loss - the non-finite batch loss
 * @param step - the 1-based step that produced it
 * @param epoch - epochs finished before this one (the message counts from 1)
 * @param policy - what the trainer does next
 */
export function nonFiniteLossError(
  loss: number,
  step: number,
  epoch: number,
  policy: NonFiniteLossPolicy,
): MonitorchError {
  const what =
    policy === 'stop'
      ? 'Training stopped; every finished epoch is kept.'
      : 'Training goes on (onNonFiniteLoss: continue).';
  // The graph skips the update of such a step (UpdateGuard), so the parameters are still
  // usable: the advice points at the batch first, because a NaN input makes the loss NaN
  // whatever the learning rate.
  return new MonitorchError(
    'NON_FINITE_LOSS',
    `The training loss became ${loss} at step ${step} (epoch ${epoch + 1}). ${what} That step's update was skipped: ` +
      'the parameters and optimizer state are those from before it, so training can go on. ' +
      "Check that batch's inputs and targets for NaN or infinite values; if the loss grew over the steps " +
      'before, lower the learning rate; a loss on logits (e.g. crossEntropy without a final softmax) avoids log(0).',
    { step, epoch: epoch + 1, loss, updateSkipped: true },
  );
}

/**
 * The warning for a step whose loss was finite but whose gradients held NaN or ±Infinity: the
 * graph skipped its update.
 *
 * @param step - the 1-based step
 * @param epoch - epochs finished before this one (the message counts from 1)
 */
export function skippedUpdateWarning(step: number, epoch: number): string {
  return (
    `Step ${step} (epoch ${epoch + 1}): a gradient held NaN or infinite entries, so that step's update was ` +
    'skipped (parameters and optimizer state unchanged). Look for an overflow in the backward pass: ' +
    'a too-large learning rate, log(0) or a division by zero.'
  );
}
