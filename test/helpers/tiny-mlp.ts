// A tiny MLP (linear → relu → linear → softmax cross-entropy) with a hand-written backward
// pass, for end-to-end tests of a plain TypeScript loop. Float32 storage, seeded data.

import { mulberry32 } from './prng.js';

export { mulberry32 };

/** A batch: inputs `[batch, inputs]` and class labels. */
export interface Batch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly size: number;
}

/**
 * Seeded synthetic classification data: the class is the index of the largest of the first
 * `classes` inputs, so a small MLP can learn it.
 */
export function syntheticBatches(seed: number, count: number, size: number, inputs: number, classes: number): Batch[] {
  const rand = mulberry32(seed);
  const out: Batch[] = [];
  for (let b = 0; b < count; b++) {
    const x = new Float32Array(size * inputs);
    const y = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      let best = 0;
      for (let j = 0; j < inputs; j++) {
        x[i * inputs + j] = rand() * 2 - 1;
        if (j < classes && (x[i * inputs + j] as number) > (x[i * inputs + best] as number)) best = j;
      }
      y[i] = best;
    }
    out.push({ x, y, size });
  }
  return out;
}

/** Everything one forward pass computed. */
export interface Forward {
  /** Hidden pre-activation `[B, hidden]`. */
  readonly h: Float32Array;
  /** ReLU output `[B, hidden]`. */
  readonly a: Float32Array;
  /** Softmax probabilities `[B, classes]`. */
  readonly p: Float32Array;
  /** Mean cross-entropy over the batch. */
  readonly loss: number;
  /** Correct predictions. */
  readonly correct: number;
}

/** Parameter gradients of one backward pass. */
export interface Gradients {
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  readonly w2: Float32Array;
  readonly b2: Float32Array;
}

/** linear(inputs → hidden) → relu → linear(hidden → classes) → softmax, trained by SGD. */
export class TinyMlp {
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  readonly w2: Float32Array;
  readonly b2: Float32Array;

  constructor(
    readonly inputs: number,
    readonly hidden: number,
    readonly classes: number,
    seed: number,
  ) {
    const rand = mulberry32(seed);
    const init = (n: number, fanIn: number): Float32Array =>
      Float32Array.from({ length: n }, () => (rand() * 2 - 1) / Math.sqrt(fanIn));
    this.w1 = init(hidden * inputs, inputs);
    this.b1 = new Float32Array(hidden);
    this.w2 = init(classes * hidden, hidden);
    this.b2 = new Float32Array(classes);
  }

  forward(batch: Batch): Forward {
    const { inputs: I, hidden: H, classes: K } = this;
    const B = batch.size;
    const h = new Float32Array(B * H);
    const a = new Float32Array(B * H);
    const p = new Float32Array(B * K);
    let loss = 0;
    let correct = 0;
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < H; o++) {
        let s = this.b1[o] as number;
        for (let i = 0; i < I; i++) s += (this.w1[o * I + i] as number) * (batch.x[b * I + i] as number);
        h[b * H + o] = s;
        a[b * H + o] = s > 0 ? s : 0;
      }
      const z = new Float64Array(K);
      let zmax = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) {
        let s = this.b2[k] as number;
        for (let o = 0; o < H; o++) s += (this.w2[k * H + o] as number) * (a[b * H + o] as number);
        z[k] = s;
        zmax = Math.max(zmax, s);
      }
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp((z[k] as number) - zmax);
      let best = 0;
      for (let k = 0; k < K; k++) {
        p[b * K + k] = Math.exp((z[k] as number) - zmax) / sum;
        if ((z[k] as number) > (z[best] as number)) best = k;
      }
      const label = batch.y[b] as number;
      loss -= (z[label] as number) - zmax - Math.log(sum);
      if (best === label) correct++;
    }
    return { h, a, p, loss: loss / B, correct };
  }

  backward(batch: Batch, f: Forward): Gradients {
    const { inputs: I, hidden: H, classes: K } = this;
    const B = batch.size;
    const g: Gradients = {
      w1: new Float32Array(H * I),
      b1: new Float32Array(H),
      w2: new Float32Array(K * H),
      b2: new Float32Array(K),
    };
    const dh = new Float64Array(H);
    for (let b = 0; b < B; b++) {
      dh.fill(0);
      for (let k = 0; k < K; k++) {
        const dz = ((f.p[b * K + k] as number) - (batch.y[b] === k ? 1 : 0)) / B;
        g.b2[k] = (g.b2[k] as number) + dz;
        for (let o = 0; o < H; o++) {
          g.w2[k * H + o] = (g.w2[k * H + o] as number) + dz * (f.a[b * H + o] as number);
          dh[o] = (dh[o] as number) + dz * (this.w2[k * H + o] as number);
        }
      }
      for (let o = 0; o < H; o++) {
        const d = (f.h[b * H + o] as number) > 0 ? (dh[o] as number) : 0;
        g.b1[o] = (g.b1[o] as number) + d;
        for (let i = 0; i < I; i++) g.w1[o * I + i] = (g.w1[o * I + i] as number) + d * (batch.x[b * I + i] as number);
      }
    }
    return g;
  }

  sgd(g: Gradients, lr: number): void {
    const step = (p: Float32Array, d: Float32Array): void => {
      for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) - lr * (d[i] as number);
    };
    step(this.w1, g.w1);
    step(this.b1, g.b1);
    step(this.w2, g.w2);
    step(this.b2, g.b2);
  }
}
