import { SeededRandom, TensorDataset } from '@monitorch/backend-onnx';

/** Options of {@link gaussianPopulations}. */
export interface GaussianPopulationsOptions {
  /** Points per population (default 40, as in the seed). */
  readonly perClass?: number;
  /** Standard deviation of each coordinate (default 0.5). */
  readonly sigma?: number;
  /** Seed of the generator (default 42, the seed notebook's `RND_SEED`). */
  readonly seed?: number;
}

/** Two labelled point clouds, ready to split and batch. */
export interface GaussianPopulations {
  /** All points, positives first: `[2·perClass, 2]` flat, with labels pos = 1, neg = 0. */
  readonly dataset: TensorDataset;
  /** The positive population (mean −1, −1), `[perClass, 2]` flat. */
  readonly positive: Float32Array;
  /** The negative population (mean +1, +1), `[perClass, 2]` flat. */
  readonly negative: Float32Array;
}

/**
 * The seed's 2D data: two Gaussian populations, `pos ~ N(−1, σ²)` and `neg ~ N(+1, σ²)` in
 * both coordinates, linearly separable. The seed draws them with NumPy; we draw them with a
 * seeded generator and the Box–Muller transform, so the points differ from the notebook's but
 * the distribution — and the lesson — is the same.
 *
 * @example
 * ```ts
 * const { dataset } = gaussianPopulations({ seed: 42 });
 * const [train, val] = randomSplit(dataset, [0.7, 0.3], 42);
 * ```
 */
export function gaussianPopulations(options: GaussianPopulationsOptions = {}): GaussianPopulations {
  const perClass = options.perClass ?? 40;
  const sigma = options.sigma ?? 0.5;
  const normal = standardNormal(new SeededRandom(options.seed ?? 42));
  // Same order as the seed: all positive points, then all negative ones.
  const positive = Float32Array.from({ length: perClass * 2 }, () => normal() * sigma - 1);
  const negative = Float32Array.from({ length: perClass * 2 }, () => normal() * sigma + 1);
  const x = new Float32Array(perClass * 4);
  x.set(positive, 0);
  x.set(negative, perClass * 2);
  const y = Int32Array.from({ length: perClass * 2 }, (_, i) => (i < perClass ? 1 : 0));
  return { dataset: new TensorDataset(x, [2], y), positive, negative };
}

/**
 * Standard normal samples by the Box–Muller transform: two uniforms give two independent
 * normals; the second is kept for the next call.
 */
export function standardNormal(random: { next(): number }): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    // 1 − u lies in (0, 1], so the logarithm is finite.
    const u = 1 - random.next();
    const v = random.next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
