import type { ModuleKind } from '@monitorch/core';
import type { SymbolicTensor } from '../model/symbolic-tensor.js';
import { badOption, Layer, positiveInt, unsupported, type LayerCall } from './layer.js';

/** A size given once for both spatial dims, or as `[height, width]`. */
export type Size2 = number | readonly [number, number];

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** Stride (default 1). */
  readonly stride?: Size2;
  /**
   * Zero padding: a number or `[ph, pw]` on both sides, `'valid'` (none), or `'same'` (output
   * as large as the input; stride 1 only; with an even kernel the extra row/column goes at the
   * end, as in PyTorch). Default 0.
   */
  readonly padding?: Size2 | 'same' | 'valid';
  /** Add a bias (default true). */
  readonly bias?: boolean;
  /** Only 1 is supported. */
  readonly dilation?: Size2;
  /** Only 1 is supported. */
  readonly groups?: number;
}

/** Reads a {@link Size2} as `[h, w]` positive integers. */
export function size2(type: string, what: string, v: Size2): [number, number] {
  const pair: readonly unknown[] = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(pair) || pair.length !== 2)
    badOption(type, `${what} must be a number or [h, w]`, `Pass e.g. ${what}: 2`);
  return [positiveInt(type, what, pair[0]), positiveInt(type, what, pair[1])];
}

/** Reads explicit padding as `[h, w]` non-negative integers. */
export function padding2(type: string, v: Size2): [number, number] {
  const pair: readonly unknown[] = typeof v === 'number' ? [v, v] : v;
  const ok = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p >= 0;
  if (!Array.isArray(pair) || pair.length !== 2 || !ok(pair[0]) || !ok(pair[1])) {
    badOption(
      type,
      `padding must be a non-negative integer, [ph, pw], 'same' or 'valid'; got ${JSON.stringify(v)}`,
      'Pass e.g. padding: 1',
    );
  }
  return [pair[0], pair[1]];
}

/**
 * 2-D convolution on `[N, C, H, W]`, like `nn.Conv2d`; weight `[out, in, kh, kw]`, bias `[out]`.
 * Backward: the input gradient is a ConvTranspose of dy with the same weight; the weight
 * gradient is a convolution of the (transposed) input with the (transposed) output gradient,
 * the forward stride becoming a dilation.
 */
export class Conv2d extends Layer {
  /** {@inheritDoc Layer.type} */
  readonly type = 'Conv2d';
  /** {@inheritDoc Layer.kind} */
  readonly kind: ModuleKind = 'conv';
  /** Kernel `[height, width]`. */
  readonly kernel: [number, number];
  /** Stride `[height, width]`. */
  readonly stride: [number, number];
  /** Zero padding `[height, width]` on each side, or `same` (the output as large as the input). */
  readonly padding: [number, number] | 'same';
  /** Whether a bias is added. */
  readonly bias: boolean;

  /**
   * @param inChannels - input channels
   * @param outChannels - output channels
   * @param kernelSize - kernel size
   * @param options - stride, padding, bias
   */
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2,
    options: Conv2dOptions = {},
  ) {
    super();
    positiveInt('Conv2d', 'inChannels', inChannels);
    positiveInt('Conv2d', 'outChannels', outChannels);
    this.kernel = size2('Conv2d', 'kernelSize', kernelSize);
    this.stride = size2('Conv2d', 'stride', options.stride ?? 1);
    const p = options.padding ?? 0;
    this.padding = p === 'valid' ? [0, 0] : p === 'same' ? 'same' : padding2('Conv2d', p);
    if (this.padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
      unsupported(
        'Conv2d',
        "padding 'same' works with stride 1 only (as in PyTorch)",
        'Use stride 1, or give the padding as a number',
      );
    }
    const d = size2('Conv2d', 'dilation', options.dilation ?? 1);
    if (d[0] !== 1 || d[1] !== 1)
      unsupported('Conv2d', `dilation ${JSON.stringify(options.dilation)} is not supported`, 'Use dilation 1');
    if ((options.groups ?? 1) !== 1)
      unsupported('Conv2d', `groups ${String(options.groups)} is not supported`, 'Use groups 1');
    this.bias = options.bias ?? true;
  }

  /** ONNX pads `[top, left, bottom, right]`. */
  pads(): [number, number, number, number] {
    if (this.padding === 'same') {
      const [kh, kw] = this.kernel;
      const th = kh - 1;
      const tw = kw - 1;
      return [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
    }
    const [ph, pw] = this.padding;
    return [ph, pw, ph, pw];
  }

  protected forward(call: LayerCall, x: SymbolicTensor): SymbolicTensor {
    if (x.shape.length !== 4) {
      call.fail('SHAPE_MISMATCH', 'Conv2d needs a 4-D input [N, C, H, W]', 'Give the network input as [N, C, H, W].');
    }
    const [, c, h, w] = x.shape as [number, number, number, number];
    if (c !== this.inChannels) {
      call.fail(
        'SHAPE_MISMATCH',
        `expected ${this.inChannels} input channels, got ${c}`,
        `Declare conv2d(${c}, ${this.outChannels}, …) or fix the layer before it.`,
        { expected: this.inChannels, actual: c },
      );
    }
    const [kh, kw] = this.kernel;
    const [sh, sw] = this.stride;
    const pads = this.pads();
    const spanH = h + pads[0] + pads[2] - kh;
    const spanW = w + pads[1] + pads[3] - kw;
    if (spanH < 0 || spanW < 0) {
      call.fail(
        'SHAPE_MISMATCH',
        `the ${kh}×${kw} kernel is larger than the padded ${h + pads[0] + pads[2]}×${w + pads[1] + pads[3]} input`,
        'Use a smaller kernel, more padding, or a larger input.',
      );
    }
    const ho = Math.floor(spanH / sh) + 1;
    const wo = Math.floor(spanW / sw) + 1;
    const fanIn = c * kh * kw;
    const bound = 1 / Math.sqrt(fanIn);
    const g = call.g;
    const wt = call.param('weight', [this.outChannels, c, kh, kw], bound);
    const b = this.bias ? call.param('bias', [this.outChannels], bound) : undefined;
    const attrs = { kernel_shape: [kh, kw], strides: [sh, sw], pads };
    const y = g.op1('Conv', b === undefined ? [x.name, wt.name] : [x.name, wt.name, b.name], attrs);
    call.backward((dy) => {
      // Weight gradient: correlate input channels with output-gradient channels over the batch.
      const perm = { perm: [1, 0, 2, 3] };
      const xt = g.op1('Transpose', [x.name], perm);
      const dyt = g.op1('Transpose', [dy], perm);
      // strides spelled out (ONNX's default): onnxruntime-web's WebGPU Conv refuses a Conv without them.
      let gw = g.op1('Conv', [xt, dyt], { pads, strides: [1, 1], dilations: [sh, sw] });
      // Rows the stride skipped at the end make the result larger than the kernel: cut them.
      if (spanH % sh !== 0 || spanW % sw !== 0) {
        gw = g.op1('Slice', [gw, g.constI64([0, 0]), g.constI64([kh, kw]), g.constI64([2, 3])]);
      }
      call.paramGrad('weight', g.op1('Transpose', [gw], perm));
      if (b !== undefined) call.paramGrad('bias', g.op1('ReduceSum', [dy, g.constI64([0, 2, 3])], { keepdims: 0 }));
      if (call.needsInputGrad) {
        call.inputGrad(g.op1('ConvTranspose', [dy, wt.name], { ...attrs, output_padding: [spanH % sh, spanW % sw] }));
      }
    });
    return call.output(y, [-1, this.outChannels, ho, wo]);
  }
}

/**
 * A 2-D convolution, like `nn.Conv2d(inChannels, outChannels, kernelSize, stride, padding)`.
 *
 * @example `conv2d(1, 64, 7, { padding: 'same' })`
 */
export function conv2d(
  inChannels: number,
  outChannels: number,
  kernelSize: Size2,
  options: Conv2dOptions = {},
): Conv2d {
  return new Conv2d(inChannels, outChannels, kernelSize, options);
}
