import { gaussian } from './prng.js';

/**
 * A fully connected layer `y = x Wᵀ + b` with its gradients and Adam state, all Float32Array.
 * `weight` is `[out, in]` (dim 0 = output neuron), as monitorch expects.
 */
export class Linear {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly gradWeight: Float32Array;
  readonly gradBias: Float32Array;
  /** What the last Adam step changed (new − old), for `loop.update`. */
  readonly deltaWeight: Float32Array;
  readonly deltaBias: Float32Array;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];

  /** He initialisation, suited to ReLU layers. */
  constructor(
    readonly name: string,
    readonly inputs: number,
    readonly outputs: number,
    random: () => number,
  ) {
    this.weight = new Float32Array(outputs * inputs);
    const scale = Math.sqrt(2 / inputs);
    for (let i = 0; i < this.weight.length; i++) this.weight[i] = scale * gaussian(random);
    this.bias = new Float32Array(outputs);
    this.gradWeight = new Float32Array(this.weight.length);
    this.gradBias = new Float32Array(outputs);
    this.deltaWeight = new Float32Array(this.weight.length);
    this.deltaBias = new Float32Array(outputs);
    this.m = [new Float32Array(this.weight.length), new Float32Array(outputs)];
    this.v = [new Float32Array(this.weight.length), new Float32Array(outputs)];
  }

  /** `[batch, in]` → `[batch, out]`. */
  forward(x: Float32Array, batch: number): Float32Array {
    const { inputs, outputs, weight, bias } = this;
    const y = new Float32Array(batch * outputs);
    for (let n = 0; n < batch; n++) {
      for (let o = 0; o < outputs; o++) {
        let s = bias[o] as number;
        for (let i = 0; i < inputs; i++) s += (weight[o * inputs + i] as number) * (x[n * inputs + i] as number);
        y[n * outputs + o] = s;
      }
    }
    return y;
  }

  /** Fills the parameter gradients from `dy` (`[batch, out]`) and returns `dx` (`[batch, in]`). */
  backward(x: Float32Array, dy: Float32Array, batch: number): Float32Array {
    const { inputs, outputs, weight, gradWeight, gradBias } = this;
    gradWeight.fill(0);
    gradBias.fill(0);
    const dx = new Float32Array(batch * inputs);
    for (let n = 0; n < batch; n++) {
      for (let o = 0; o < outputs; o++) {
        const g = dy[n * outputs + o] as number;
        gradBias[o] = (gradBias[o] as number) + g;
        for (let i = 0; i < inputs; i++) {
          gradWeight[o * inputs + i] = (gradWeight[o * inputs + i] as number) + g * (x[n * inputs + i] as number);
          dx[n * inputs + i] = (dx[n * inputs + i] as number) + g * (weight[o * inputs + i] as number);
        }
      }
    }
    return dx;
  }

  /** One Adam step (bias-corrected), recording the change in `delta*`. */
  adamStep(lr: number, step: number, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): void {
    const params = [this.weight, this.bias];
    const grads = [this.gradWeight, this.gradBias];
    const deltas = [this.deltaWeight, this.deltaBias];
    const c1 = 1 - beta1 ** step;
    const c2 = 1 - beta2 ** step;
    for (let k = 0; k < 2; k++) {
      const p = params[k] as Float32Array;
      const g = grads[k] as Float32Array;
      const d = deltas[k] as Float32Array;
      const m = this.m[k] as Float32Array;
      const v = this.v[k] as Float32Array;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i] as number;
        m[i] = beta1 * (m[i] as number) + (1 - beta1) * gi;
        v[i] = beta2 * (v[i] as number) + (1 - beta2) * gi * gi;
        const change = (-lr * ((m[i] as number) / c1)) / (Math.sqrt((v[i] as number) / c2) + eps);
        d[i] = change;
        p[i] = (p[i] as number) + change;
      }
    }
  }
}

/** Elementwise max(0, x). */
export function relu(x: Float32Array): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = Math.max(0, x[i] as number);
  return y;
}

/** Gradient through a ReLU: `dy` where the input was positive, else 0. */
export function reluBackward(input: Float32Array, dy: Float32Array): Float32Array {
  const dx = new Float32Array(dy.length);
  for (let i = 0; i < dy.length; i++) dx[i] = (input[i] as number) > 0 ? (dy[i] as number) : 0;
  return dx;
}

/**
 * Mean softmax cross-entropy of `logits` (`[batch, classes]`) against integer labels, with its
 * gradient w.r.t. the logits and the number of correct argmax predictions.
 */
export function softmaxCrossEntropy(
  logits: Float32Array,
  labels: Int32Array,
  batch: number,
  classes: number,
): { loss: number; grad: Float32Array; correct: number } {
  const grad = new Float32Array(batch * classes);
  let loss = 0;
  let correct = 0;
  for (let n = 0; n < batch; n++) {
    let max = Number.NEGATIVE_INFINITY;
    let best = 0;
    for (let c = 0; c < classes; c++) {
      const z = logits[n * classes + c] as number;
      if (z > max) {
        max = z;
        best = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp((logits[n * classes + c] as number) - max);
    const label = labels[n] as number;
    if (best === label) correct += 1;
    for (let c = 0; c < classes; c++) {
      const p = Math.exp((logits[n * classes + c] as number) - max) / sum;
      grad[n * classes + c] = (p - (c === label ? 1 : 0)) / batch;
      if (c === label) loss -= Math.log(Math.max(p, 1e-30));
    }
  }
  return { loss: loss / batch, grad, correct };
}
