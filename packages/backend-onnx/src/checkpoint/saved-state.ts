import { MonitorchError } from '@monitorch/core';
import type { CompiledGraph } from '../graph/compiled-graph.js';
import type { TensorPayload } from '../runtime/step-engine.js';

/**
 * Checks that a saved state (a checkpoint's tensors) holds every parameter and optimizer-state
 * input of `train`, each of the input's element type, before any of it is handed to the
 * engine, so a checkpoint of another network fails with the list of what it lacks (and a
 * crafted int64 tensor fails here, not at the first step). The engine checks each tensor's
 * shape as it takes it.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` naming the missing tensors or the wrong types
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
  const wrong = train.inputs.filter(
    (i) => (i.role === 'param' || i.role === 'optState') && state[i.name]?.dtype !== i.dtype,
  );
  if (wrong.length > 0) {
    const list = wrong.map((i) => `${i.name} (${String(state[i.name]?.dtype)}, not ${i.dtype})`);
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `The saved state has tensors of the wrong element type: ${list.join(', ')}. Parameters and optimizer state are float32; save the checkpoint with trainer.saveCheckpoint().`,
      { tensors: wrong.map((i) => i.name) },
    );
  }
}
