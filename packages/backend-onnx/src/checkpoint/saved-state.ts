import { MonitorchError } from '@monitorch/core';
import type { CompiledGraph } from '../graph/compiled-graph.js';
import type { TensorPayload } from '../runtime/step-engine.js';

/**
 * Checks that a saved state (a checkpoint's tensors) holds every parameter and optimizer-state
 * input of `train` before any of it is handed to the engine, so a checkpoint of another network
 * fails with the list of what it lacks. The engine checks each tensor's shape as it takes it.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` naming the missing tensors
 */
export function checkSavedState(train: CompiledGraph, state: Readonly<Record<string, TensorPayload>>): void {
  const names = train.inputs.filter((i) => i.role === 'param' || i.role === 'optState').map((i) => i.name);
  const missing = [...new Set(names)].filter((n) => state[n] === undefined);
  if (missing.length > 0) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `The saved state lacks ${missing.join(', ')}. It was saved from a different network or optimizer; restore it into a trainer built the same way.`,
      { missing },
    );
  }
}
