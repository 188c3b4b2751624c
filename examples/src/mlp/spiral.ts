import { gaussian } from './prng.js';

/** Points `x` (`[n, 2]`, row-major) with class labels `y` (0 or 1). */
export interface Dataset {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly size: number;
}

/**
 * Two interleaved spiral arms, one per class: a classic problem a linear model cannot solve,
 * small enough that a 2→16→16→2 MLP learns it in seconds.
 *
 * @param size - number of points (half per class)
 * @param noise - standard deviation of the Gaussian noise added to each coordinate
 * @param random - seeded uniform generator
 */
export function spiral(size: number, noise: number, random: () => number): Dataset {
  const x = new Float32Array(size * 2);
  const y = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const label = i % 2;
    const r = random(); // radius in [0, 1)
    const angle = 3 * Math.PI * r + label * Math.PI;
    x[2 * i] = r * Math.cos(angle) * 2 + noise * gaussian(random);
    x[2 * i + 1] = r * Math.sin(angle) * 2 + noise * gaussian(random);
    y[i] = label;
  }
  return { x, y, size };
}

/** The order of a shuffled epoch (Fisher–Yates). */
export function shuffled(size: number, random: () => number): Int32Array {
  const order = new Int32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}
