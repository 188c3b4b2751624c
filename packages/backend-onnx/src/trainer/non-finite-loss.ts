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
  return new MonitorchError(
    'NON_FINITE_LOSS',
    `The training loss became ${loss} at step ${step} (epoch ${epoch + 1}). ${what} Lower the learning rate, check the inputs for NaN, or use a loss on logits (e.g. crossEntropy without a final softmax).`,
    { step, epoch: epoch + 1, loss },
  );
}
