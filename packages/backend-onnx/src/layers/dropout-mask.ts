import type { GraphBuilder } from '../onnx/graph-builder.js';

/**
 * How the train graph draws dropout masks.
 *
 * - `'counter'` (CPU default): each entry's mask bit is a hash of its index and a per-step key
 *   fed by the trainer (a function of the seed, the step and the layer). Masks are then the same
 *   in every run with the same seed, and a run resumed from a checkpoint continues with exactly
 *   the masks the uninterrupted run would have drawn.
 * - `'host'` (WebGPU default): the same masks, drawn in JS by the runner ({@link fillKeepMask})
 *   and fed as bool inputs `dropout.mask.<module>`: WebGPU has neither the hash's
 *   `BitwiseXor`/`BitShift` nor a Dropout kernel, and one upload beats a CPU fallback.
 * - `'ort'` (CUDA default): ONNX `Dropout`, whose generator lives inside the session: masks
 *   differ between runs and after a resume, but CUDA draws them natively.
 */
export type DropoutMasks = 'counter' | 'host' | 'ort';

/** The graph input prefix of host-drawn masks: `dropout.mask.<module>`. */
export const DROPOUT_MASK_PREFIX = 'dropout.mask.';

/** The hyper-parameter (graph input) prefix of dropout keys: `dropout.key.<module>`. */
export const DROPOUT_KEY_PREFIX = 'dropout.key.';

/** Mask bits are the top 24 bits of the hash: exactly representable as float32. */
const MASK_BITS = 24;

/**
 * The "lowbias32" integer hash (C. Wellons' hash-prospector): a bijection of 32-bit integers
 * whose output bits each flip with probability ≈ ½ when any input bit flips. Its three
 * xor-shift / multiply rounds are also what the graph computes per entry.
 *
 * @param x - a 32-bit unsigned integer
 * @returns the hash, a 32-bit unsigned integer
 */
export function lowbias32(x: number): number {
  let h = x >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a of a string's UTF-16 code units: a layer's salt, stable across runs and platforms. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The key of one dropout layer's mask at one step, as the int32 the graph input takes.
 * Consecutive steps get unrelated keys (each goes through the hash).
 *
 * @param seed - the trainer's seed (any safe integer)
 * @param step - optimizer steps finished before this one
 * @param module - the dropout module's full name
 */
export function dropoutKey(seed: number, step: number, module: string): number {
  const split = (n: number): [number, number] => [n >>> 0, Math.floor(n / 2 ** 32) >>> 0];
  const [seedLo, seedHi] = split(seed);
  const [stepLo, stepHi] = split(step);
  const base = lowbias32(lowbias32(seedLo ^ fnv1a(module)) + seedHi);
  return lowbias32(lowbias32(base + stepLo) + stepHi) | 0;
}

/**
 * Whether entry `index` of a mask drawn with `key` is kept, with drop probability `p`: the
 * reference of {@link keepMask} (tests compare the graph against it).
 *
 * @param index - the entry's row-major index in the tensor
 * @param key - {@link dropoutKey}
 * @param p - drop probability
 */
export function keeps(index: number, key: number, p: number): boolean {
  return lowbias32((index + key) >>> 0) >>> (32 - MASK_BITS) > dropThreshold(p);
}

/**
 * Fills `out` with the keep mask of {@link keeps} (1 kept, 0 dropped), entry i for index i:
 * what the CPU graph's hash computes, drawn in JS for graphs that take the mask as an input.
 *
 * @param out - the mask, row-major like the tensor it masks
 * @param key - {@link dropoutKey}
 * @param p - drop probability
 */
export function fillKeepMask(out: Uint8Array, key: number, p: number): Uint8Array {
  const threshold = dropThreshold(p);
  // Calling lowbias32 costs the same as inlining it here (measured: 1.5 ms for 303 k entries either way).
  for (let i = 0; i < out.length; i++) out[i] = lowbias32((i + key) >>> 0) >>> (32 - MASK_BITS) > threshold ? 1 : 0;
  return out;
}

/**
 * Kept when the 24-bit draw exceeds this, so P(drop) = ⌈p·2²⁴⌉ / 2²⁴ ≈ p. An integer below
 * 2²⁴, so exact in float32 (a half-integer would not be, above 2²³).
 */
function dropThreshold(p: number): number {
  return Math.ceil(p * 2 ** MASK_BITS) - 1;
}

/**
 * The keep mask (bool, shaped like `x`) of a dropout with drop probability `p`: entry i is
 * kept when the top 24 bits of lowbias32(i + key) exceed p·2²⁴. All arithmetic is uint32
 * (wrapping modulo 2³², exactly like the JS reference {@link keeps}).
 *
 * @param g - the graph
 * @param x - the tensor to mask
 * @param rank - its rank (scalars are shaped to it: ORT's fast broadcast path)
 * @param key - an int32 scalar graph input, {@link dropoutKey} of this layer and step
 * @param p - drop probability
 */
export function keepMask(g: GraphBuilder, x: string, rank: number, key: string, p: number): string {
  const ones = Array.from({ length: rank }, () => 1);
  const u32 = (v: number): string => g.constU32([v], ones);
  const toU32 = (v: string): string => g.op1('Cast', [v], { to: 12 });
  const shiftRight = (v: string, bits: number): string =>
    g.op1('BitShift', [v, u32(bits)], { direction: { string: 'RIGHT' } });
  const xorShift = (v: string, bits: number): string => g.op1('BitwiseXor', [v, shiftRight(v, bits)]);

  const size = g.op1('Cast', [g.op1('Size', [x])], { to: 6 });
  const index = g.op1('Reshape', [
    g.op1('Range', [g.constI32([0], []), size, g.constI32([1], [])]),
    g.op1('Shape', [x]),
  ]);
  let h = g.op1('Add', [toU32(index), toU32(g.op1('Reshape', [key, g.constI64(ones)]))]);
  h = xorShift(h, 16);
  h = g.op1('Mul', [h, u32(0x7feb352d)]);
  h = xorShift(h, 15);
  h = g.op1('Mul', [h, u32(0x846ca68b)]);
  h = xorShift(h, 16);
  const draw = g.op1('Cast', [shiftRight(h, 32 - MASK_BITS)], { to: 1 });
  return g.op1('Greater', [draw, g.scalar(dropThreshold(p), rank)]);
}
