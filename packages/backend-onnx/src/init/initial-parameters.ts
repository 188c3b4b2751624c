import { SeededRandom } from '../data/seeded-random.js';
import type { ParameterSlot } from '../model/parameter-slot.js';

/** A parameter's initial values with its shape. */
export interface InitialParameter {
  /** The parameter's shape. */
  readonly dims: readonly number[];
  /** Its values, row-major. */
  readonly data: Float32Array;
}

/**
 * PyTorch-default initial values for every parameter, drawn from one seeded generator in
 * declaration order, so the same seed and network always give the same numbers. Linear and
 * Conv2d weights and biases are U(−1/√fan_in, 1/√fan_in) (kaiming_uniform with a = √5, which
 * is what `nn.Linear`/`nn.Conv2d` do by default).
 *
 * @param slots - the network's parameters (from a compiled graph)
 * @param seed - any finite number
 */
export function initialParameters(slots: readonly ParameterSlot[], seed: number): Record<string, InitialParameter> {
  const rng = new SeededRandom(seed);
  const out: Record<string, InitialParameter> = {};
  for (const slot of slots) {
    const n = slot.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const b = slot.init.bound;
    for (let i = 0; i < n; i++) data[i] = (2 * rng.next() - 1) * b;
    out[slot.fullName] = { dims: [...slot.shape], data };
  }
  return out;
}
