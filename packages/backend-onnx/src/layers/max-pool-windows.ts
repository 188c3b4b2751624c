import { concatAll } from '../onnx/concat-all.js';
import type { GraphBuilder } from '../onnx/graph-builder.js';

/** A max pool's geometry, as the layer computed it (input `[N, C, H, W]`, output `[N, C, Ho, Wo]`). */
export interface PoolWindows {
  readonly channels: number;
  readonly input: readonly [h: number, w: number];
  readonly output: readonly [ho: number, wo: number];
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  /** Input rows/columns after the last window (ConvTranspose's `output_padding`). */
  readonly rest: readonly [number, number];
}

/** Windows that tile the input exactly once from the top-left corner: kernel = stride, no padding. */
function tiles(p: PoolWindows): boolean {
  return p.kernel[0] === p.stride[0] && p.kernel[1] === p.stride[1] && p.padding[0] === 0 && p.padding[1] === 0;
}

/**
 * The backward of a max pool without MaxPool's `Indices` output or MaxUnpool, for GPU providers
 * (WebGPU's MaxPool refuses `Indices`; neither GPU provider has MaxUnpool). Every window's
 * entries are stacked on a last axis `[N, C, Ho, Wo, K]`; the gradient goes to the first entry
 * (row-major window order) equal to the window's maximum — the entry ORT's `Indices` and
 * PyTorch name — and is put back in place: by the inverse reshape when the windows tile the
 * input, else by a ConvTranspose with one-hot kernels (one input channel per window offset),
 * which also sums where windows overlap.
 *
 * @param g - the graph
 * @param x - the pool's input
 * @param y - its output (MaxPool without `Indices`)
 * @param dy - the gradient of `y`
 * @param p - the pool's geometry
 * @returns the gradient of `x`
 */
export function maxPoolGradFromWindows(g: GraphBuilder, x: string, y: string, dy: string, p: PoolWindows): string {
  const [kh, kw] = p.kernel;
  const [ho, wo] = p.output;
  const k = kh * kw;
  const stack = windowStack(g, x, p);
  const last = g.constI64([4]);
  const equal = g.op1('Cast', [g.op1('Equal', [stack, g.op1('Unsqueeze', [y, last])])], { to: 1 });
  // Ties: keep only the first maximum of each window (its running count of maxima is 1).
  const first = g.op1('Mul', [
    equal,
    g.op1('Cast', [g.op1('Equal', [g.op1('CumSum', [equal, g.constI32([4], [])]), g.scalar(1, 5)])], { to: 1 }),
  ]);
  const contributions = g.op1('Mul', [first, g.op1('Unsqueeze', [dy, last])]); // [N, C, Ho, Wo, K]
  if (tiles(p)) {
    const blocks = g.op1(
      'Transpose',
      [g.op1('Reshape', [contributions, g.constI64([-1, p.channels, ho, wo, kh, kw])])],
      { perm: [0, 1, 2, 4, 3, 5] },
    );
    const covered = g.op1('Reshape', [blocks, g.constI64([-1, p.channels, ho * kh, wo * kw])]);
    const [h, w] = p.input;
    if (h === ho * kh && w === wo * kw) return covered;
    // Rows and columns after the last window get no gradient.
    return g.op1('Pad', [covered, g.constI64([0, 0, 0, 0, 0, 0, h - ho * kh, w - wo * kw])]);
  }
  const perOffset = g.op1('Reshape', [
    g.op1('Transpose', [contributions], { perm: [0, 1, 4, 2, 3] }),
    g.constI64([-1, k, ho, wo]),
  ]);
  const oneHot = new Float32Array(k * k);
  // weight[offset, 0, i, j] = [offset = i·kw + j]
  for (let offset = 0; offset < k; offset++) oneHot[offset * k + offset] = 1;
  const dx = g.op1('ConvTranspose', [perOffset, g.constF32(oneHot, [k, 1, kh, kw])], {
    strides: [...p.stride],
    pads: [p.padding[0], p.padding[1], p.padding[0], p.padding[1]],
    output_padding: [...p.rest],
  });
  return g.op1('Reshape', [dx, g.constI64([-1, p.channels, p.input[0], p.input[1]])]);
}

/**
 * `[N, C, Ho, Wo, kh·kw]`: each window's entries in row-major order. Padding is −∞, which is
 * never a window's maximum (a window always holds at least one real entry).
 */
function windowStack(g: GraphBuilder, x: string, p: PoolWindows): string {
  const [kh, kw] = p.kernel;
  const [sh, sw] = p.stride;
  const [ho, wo] = p.output;
  const c = p.channels;
  if (tiles(p)) {
    const [h, w] = p.input;
    const covered =
      h === ho * kh && w === wo * kw
        ? x
        : g.op1('Slice', [x, g.constI64([0, 0]), g.constI64([ho * kh, wo * kw]), g.constI64([2, 3])]);
    const blocks = g.op1('Transpose', [g.op1('Reshape', [covered, g.constI64([-1, c, ho, kh, wo, kw])])], {
      perm: [0, 1, 2, 4, 3, 5],
    });
    return g.op1('Reshape', [blocks, g.constI64([-1, c, ho, wo, kh * kw])]);
  }
  const [ph, pw] = p.padding;
  const padded =
    ph === 0 && pw === 0
      ? x
      : g.op1('Pad', [x, g.constI64([0, 0, ph, pw, 0, 0, ph, pw]), g.constF32([Number.NEGATIVE_INFINITY])]);
  const slices: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const window = g.op1('Slice', [
        padded,
        g.constI64([i, j]),
        g.constI64([i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1]),
        g.constI64([2, 3]),
        g.constI64([sh, sw]),
      ]);
      slices.push(g.op1('Unsqueeze', [window, g.constI64([4])]));
    }
  }
  return concatAll(g, slices, 4);
}
