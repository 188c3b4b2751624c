/**
 * A small seeded pseudo-random generator (mulberry32). Fast, 32-bit state, good enough for
 * shuffling and splitting data; not for cryptography. The same seed always yields the same
 * sequence on every platform, which is what makes shuffles and splits reproducible.
 */
export class SeededRandom {
  private state: number;

  /** @param seed - any finite number; it is mixed into a 32-bit state */
  constructor(seed: number) {
    this.state = mixSeed(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffles `values` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = values[i] as number;
      values[i] = values[j] as number;
      values[j] = tmp;
    }
    return values;
  }
}

/**
 * Folds any number of integers into one 32-bit seed (used to derive the per-epoch shuffle
 * seed from the loader seed and the epoch index, so epochs differ but are reproducible).
 */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    // Split a double into two 32-bit words so large or fractional seeds still matter.
    const hi = Math.floor(p / 4294967296) | 0;
    const lo = p >>> 0;
    for (const w of [lo, hi]) {
      h = Math.imul(h ^ w, 0x01000193);
      h ^= h >>> 13;
      h = Math.imul(h, 0x5bd1e995);
      h ^= h >>> 15;
    }
  }
  return h | 0;
}

/** The permutation 0..n-1, shuffled with `seed`. */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return new SeededRandom(seed).shuffle(order);
}
