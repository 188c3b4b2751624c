import * as tf from '@tensorflow/tfjs-core';
import { reduce, type Reduction, type ReductionResult } from '@monitorch/core';
import { floatThreshold } from './float-threshold.js';

/**
 * How a tfjs tensor maps onto the shape it is reported with: reported dim k is tfjs axis
 * `perm[k]` (outputs are reported channels-first, kernels output-neuron-first).
 */
export interface TensorLayout {
  /** The shape lenses see. */
  readonly shape: readonly number[];
  /** reported dim k ↔ tfjs axis `perm[k]`. */
  readonly perm: readonly number[];
}

/**
 * One reduction computed on the tfjs backend: `values`, a small 1-D float32 tensor the caller
 * owns (kept out of `tf.tidy`), and how to turn its downloaded numbers into core's answer.
 *
 * Some answers are computed by a fast form that is exact only for finite tensors (`activeCount`):
 * their `decode` returns `undefined` when the numbers show a NaN or ±Infinity, and the answer of
 * {@link BackendAnswer.exact} must be downloaded instead. {@link readAnswer} does both; the
 * adapter does it for a whole step with two downloads at most.
 */
export interface BackendAnswer {
  /** The numbers to download (small: a few per tensor, or one or two per channel/neuron). */
  readonly values: tf.Tensor1D;
  /**
   * Reads `values`' numbers (a view of the step's one download) into the answer, or
   * `undefined` when they cannot give it exactly: download {@link exact}'s answer then.
   */
  decode(values: Float32Array): ReductionResult | undefined;
  /** The exact form, computed from the tensor kept for it (call it after `decode` said `undefined`). */
  exact?(): BackendAnswer;
  /** Frees what the answer kept for {@link exact}; call it once the answer is read or dropped. */
  release?(): void;
}

/**
 * Downloads one answer (asynchronously), and its exact form when the fast one cannot give it,
 * then frees everything: the whole life of a {@link BackendAnswer} for a one-off read.
 */
export async function readAnswer(answer: BackendAnswer): Promise<ReductionResult> {
  try {
    const fast = answer.decode(await download(answer.values));
    if (fast !== undefined) return fast;
    const exact = answer.exact?.();
    const result = exact === undefined ? undefined : exact.decode(await download(exact.values));
    if (result === undefined) throw new Error('internal: an answer without an exact form could not be decoded');
    return result;
  } finally {
    answer.release?.();
  }
}

async function download(values: tf.Tensor1D): Promise<Float32Array> {
  try {
    return (await values.data()) as Float32Array;
  } finally {
    values.dispose();
  }
}

/** What some reductions need besides the tensor. */
export interface ReductionContext {
  /** `updateRatio`: the parameter before the step (tfjs layout). */
  readonly before?: tf.Tensor;
  /** `previousDot`: this tensor's previous watched value (tfjs layout), if any. */
  readonly previous?: tf.Tensor;
}

/**
 * Computes `reduction` of `x` on the tfjs backend, inside `tf.tidy`, to the small tensor that
 * is downloaded later; the meaning of every op is core's CPU kernel's (`reduce`), including
 * the non-finite rule: NaN/±Infinity entries are never active, are counted apart, and a unit's
 * rate is taken over its finite entries (docs/semantics-decisions.md).
 *
 * Counts are exact (sums of 0/1 in float32 are exact up to 2^24 entries per channel or neuron);
 * sums, norms and dots are accumulated in float32 by the backend, where core's kernels use
 * float64: equal to float32 tolerance.
 *
 * @param x - the tensor, in tfjs layout
 * @param layout - how it is reported
 * @param reduction - what to compute
 * @param context - the parameter before the step (`updateRatio`), the previous value (`previousDot`)
 */
export function backendAnswer(
  x: tf.Tensor,
  layout: TensorLayout,
  reduction: Reduction,
  context: ReductionContext = {},
): BackendAnswer {
  const size = x.size;
  switch (reduction.op) {
    case 'activeCount':
      return activeCount(x, layout, reduction);
    case 'sum':
      return answer(
        () => tf.stack([tf.sum(x), nanCount(x)]),
        (v) => ({ op: 'sum', value: nanOr(v, 1, at(v, 0)) }),
      );
    case 'sumSquares': {
      return answer(
        () => scaledSquares(x),
        (v) => ({ op: 'sumSquares', value: fromScaled(v, (m, s) => m * m * s) }),
      );
    }
    case 'l2':
      return answer(
        () => scaledSquares(x),
        (v) => ({ op: 'l2', value: fromScaled(v, (m, s) => m * Math.sqrt(s)) }),
      );
    case 'min':
    case 'max': {
      const op = reduction.op;
      if (size === 0) return constant({ op, value: op === 'min' ? Infinity : -Infinity });
      return answer(
        () => tf.stack([op === 'min' ? tf.min(x) : tf.max(x), nanCount(x)]),
        (v) => ({ op, value: nanOr(v, 1, at(v, 0)) }),
      );
    }
    case 'nonFinite':
      return answer(
        () => tf.stack([nanCount(x), tf.sum(indicator(tf.isInf(x)))]),
        (v) => ({ op: 'nonFinite', nan: at(v, 0), inf: at(v, 1) }),
      );
    case 'sampleL2':
      return sampleL2(x, layout);
    case 'previousDot':
      return previousDot(x, context.previous);
    case 'updateRatio':
      return updateRatio(x, context.before);
    case 'singularRatio':
    case 'histogram':
      return onDownload(x, layout, reduction);
  }
}

/** Ops computed by core's CPU kernel on the downloaded tensor (only on parameter snapshots). */
export const DOWNLOADED_OPS: ReadonlySet<Reduction['op']> = new Set(['singularRatio', 'histogram']);

/**
 * `activeCount` in two forms. The fast one, per unit the count of entries with |x| above the
 * threshold and one more number, Σ|x|: finite only when every entry is, and then the counts
 * are exact. Otherwise (NaN poisons a unit's count, ±Infinity counts as active; a Σ|x| that
 * merely overflowed only costs the time) the exact form is computed from the tensor kept for
 * it: non-finite entries masked out, and each unit's finite entries counted. On WASM the fast
 * form takes a third of the exact one's time (measured on a [784, 128] gradient), and
 * training tensors are nearly always finite.
 */
function activeCount(x: tf.Tensor, layout: TensorLayout, r: Extract<Reduction, { op: 'activeCount' }>): BackendAnswer {
  const rank = layout.shape.length;
  // Unit axis in tfjs layout; -1: a rank-1 output is one channel of N entries.
  let unitAxis: number;
  if (r.per === 'neuron') unitAxis = layout.perm[0] ?? 0;
  else if (rank === 1) unitAxis = -1;
  else unitAxis = (r.channelsLast === true ? layout.perm[rank - 1] : layout.perm[1]) ?? 1;
  const units = unitAxis < 0 ? 1 : (x.shape[unitAxis] ?? 0);
  const size = units === 0 ? 0 : x.size / units;
  const threshold = floatThreshold(r.eps);
  const axes = x.shape.map((_, i) => i).filter((i) => i !== unitAxis);
  const count = (m: tf.Tensor): tf.Tensor => tf.reshape(axes.length === 0 ? m : tf.sum(m, axes), [units]);
  const kept = tf.keep(x.clone()); // shares x's data: the exact form needs it only if not finite
  const fast = answer(
    () => {
      const magnitude = tf.abs(tf.cast(x, 'float32'));
      return tf.concat([count(activeMask(magnitude, threshold)), tf.reshape(tf.sum(magnitude), [1])]);
    },
    (v) =>
      Number.isFinite(v[units])
        ? { op: 'activeCount', counts: Float64Array.from(v.subarray(0, units)), size, nonFinite: 0 }
        : undefined,
  );
  const exact = (): BackendAnswer =>
    answer(
      () => {
        const finite = tf.isFinite(kept);
        // |x| with NaN and ±Infinity set to 0, which no threshold ≥ 0 counts as active.
        const magnitude = tf.where(finite, tf.abs(tf.cast(kept, 'float32')), tf.zerosLike(kept));
        return tf.concat([count(activeMask(magnitude, threshold)), count(indicator(finite))]);
      },
      (v) => {
        const counts = Float64Array.from(v.subarray(0, units));
        const finite = Float64Array.from(v.subarray(units, 2 * units));
        let finiteTotal = 0;
        for (const f of finite) finiteTotal += f;
        const nonFinite = units * size - finiteTotal;
        return nonFinite > 0
          ? { op: 'activeCount', counts, size, nonFinite, finite }
          : { op: 'activeCount', counts, size, nonFinite: 0 };
      },
    );
  return { ...fast, exact, release: () => kept.dispose() };
}

/**
 * Below this threshold `m − threshold > 0` is not trusted to mean `m > threshold`: the two
 * agree exactly while the difference of neighbouring floats near the threshold is a normal
 * float (Sterbenz), which holds from 2^-100 with room to spare even where a backend flushes
 * subnormals to zero.
 */
const SUBTRACTION_SAFE = 2 ** -100;

/** 1 where `magnitude` (≥ 0, or NaN) exceeds `threshold`, else 0, as float32 (NaN stays NaN on a step). */
function activeMask(magnitude: tf.Tensor, threshold: number): tf.Tensor {
  if (threshold === 0) return tf.step(magnitude);
  if (threshold >= SUBTRACTION_SAFE) return tf.step(tf.sub(magnitude, tf.scalar(threshold)));
  return indicator(tf.greater(magnitude, tf.scalar(threshold)));
}

/** `[max |x|, Σ(x / max|x|)², NaN count]`: squares that cannot overflow float32. */
function scaledSquares(x: tf.Tensor): tf.Tensor {
  if (x.size === 0) return tf.zeros([3]);
  const m = tf.max(tf.abs(x));
  const safe = tf.where(tf.logicalAnd(tf.isFinite(m), tf.greater(m, 0)), m, tf.onesLike(m));
  return tf.stack([m, tf.sum(tf.square(tf.div(x, safe))), nanCount(x)]);
}

/** Reads `[m, s, nan]` of {@link scaledSquares}: NaN if any entry is, ∞ for an infinite entry. */
function fromScaled(v: Float32Array, combine: (m: number, s: number) => number): number {
  const m = at(v, 0);
  if (at(v, 2) > 0) return Number.NaN;
  if (m === 0) return 0;
  if (!Number.isFinite(m)) return m;
  return combine(m, at(v, 1));
}

function sampleL2(x: tf.Tensor, layout: TensorLayout): BackendAnswer {
  const batchAxis = layout.perm[0] ?? 0;
  if (x.size === 0) return constant({ op: 'sampleL2', value: Number.NaN });
  const axes = x.shape.map((_, i) => i).filter((i) => i !== batchAxis);
  return answer(
    () => {
      const perSample = axes.length === 0 ? tf.abs(x) : tf.sqrt(tf.sum(tf.square(x), axes));
      const bad = tf.sum(indicator(tf.logicalNot(tf.isFinite(x))));
      return tf.stack([tf.mean(perSample), bad]);
    },
    (v) => ({ op: 'sampleL2', value: at(v, 1) > 0 ? Number.NaN : at(v, 0) }),
  );
}

function previousDot(x: tf.Tensor, previous: tf.Tensor | undefined): BackendAnswer {
  const same = previous !== undefined && sameShape(previous.shape, x.shape);
  return answer(
    () => {
      const xf = tf.cast(x, 'float32');
      const norm = tf.sqrt(tf.sum(tf.square(xf)));
      if (!same) return tf.stack([tf.scalar(0), norm, tf.scalar(0)]);
      const p = tf.cast(previous, 'float32');
      return tf.stack([tf.sum(tf.mul(xf, p)), norm, tf.sqrt(tf.sum(tf.square(p)))]);
    },
    (v) => ({ op: 'previousDot', dot: at(v, 0), norm: at(v, 1), previousNorm: at(v, 2) }),
  );
}

function updateRatio(delta: tf.Tensor, before: tf.Tensor | undefined): BackendAnswer {
  if (before === undefined) return constant({ op: 'updateRatio', value: Number.NaN });
  return answer(
    () => tf.stack([tf.sqrt(tf.sum(tf.square(delta))), tf.sqrt(tf.sum(tf.square(before)))]),
    (v) => ({ op: 'updateRatio', value: at(v, 0) / at(v, 1) }),
  );
}

/** The tensor itself, reported-layout order, for core's CPU kernel (snapshots only: small, rare). */
function onDownload(x: tf.Tensor, layout: TensorLayout, reduction: Reduction): BackendAnswer {
  return answer(
    () => tf.reshape(tf.transpose(x, [...layout.perm]), [-1]),
    (v) => reduce(v, layout.shape, reduction),
  );
}

function answer(compute: () => tf.Tensor, decode: (v: Float32Array) => ReductionResult | undefined): BackendAnswer {
  // Kept: the answer outlives the caller's tidy (fit's batch scope) until the step's download.
  const values = tf.keep(tf.tidy<tf.Tensor1D>(() => tf.reshape(tf.cast(compute(), 'float32'), [-1])));
  return { values, decode };
}

function constant(result: ReductionResult): BackendAnswer {
  return { values: tf.keep(tf.tensor1d([], 'float32')), decode: () => result };
}

function nanCount(x: tf.Tensor): tf.Tensor {
  return tf.sum(indicator(tf.isNaN(x)));
}

/**
 * 1 where `mask` holds, else 0, as float32: a select, not a cast. A cast of isFinite's mask,
 * summed over leading axes (per channel, NHWC), reached a transpose shader that tfjs's WebGPU
 * backend (4.22) failed to compile ("expected 'f32', got 'i32'"), and every count read 0
 * (test/browser-backends.test.ts); every mask the reductions count goes through here.
 */
function indicator(mask: tf.Tensor): tf.Tensor {
  return tf.where(mask, tf.scalar(1), tf.scalar(0)); // broadcast: no full-size ones and zeros
}

function nanOr(v: Float32Array, nanAt: number, value: number): number {
  return at(v, nanAt) > 0 ? Number.NaN : value;
}

function at(v: Float32Array, i: number): number {
  return v[i] ?? Number.NaN;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
