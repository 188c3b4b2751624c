import type { ModuleKind } from '@monitorch/core';
import type { SymbolicTensor } from '../model/symbolic-tensor.js';
import { padding2, size2, type Size2 } from './conv2d.js';
import { Layer, unsupported, type LayerCall } from './layer.js';
import { maxPoolGradFromWindows } from './max-pool-windows.js';

/** Options of {@link maxPool2d} and {@link avgPool2d}. */
export interface Pool2dOptions {
  /** Stride (default: the kernel size, as in PyTorch). */
  readonly stride?: Size2;
  /** Implicit padding on both sides (default 0); at most half the kernel, as in PyTorch. */
  readonly padding?: Size2;
  /** Only `false` is supported. */
  readonly ceilMode?: boolean;
}

/** Common shape logic of the two pools. */
abstract class Pool2d extends Layer {
  /** {@inheritDoc Layer.kind} */
  readonly kind: ModuleKind = 'pool';
  /** Window `[height, width]`. */
  readonly kernel: [number, number];
  /** Stride `[height, width]`. */
  readonly stride: [number, number];
  /** Implicit padding `[height, width]` on each side. */
  readonly padding: [number, number];

  /**
   * @param type - the layer's `type`, for messages
   * @param kernelSize - the window
   * @param options - stride and padding
   */
  constructor(type: string, kernelSize: Size2, options: Pool2dOptions) {
    super();
    this.kernel = size2(type, 'kernelSize', kernelSize);
    this.stride = size2(type, 'stride', options.stride ?? kernelSize);
    this.padding = padding2(type, options.padding ?? 0);
    if (options.ceilMode === true) unsupported(type, 'ceilMode is not supported', 'Use ceilMode: false (the default)');
    if (this.padding[0] * 2 > this.kernel[0] || this.padding[1] * 2 > this.kernel[1]) {
      unsupported(
        type,
        `padding ${JSON.stringify(this.padding)} is more than half the kernel ${JSON.stringify(this.kernel)}`,
        'Use padding ≤ kernelSize / 2 (PyTorch refuses it too)',
      );
    }
  }

  /** Output `[N, C, Ho, Wo]` plus pool attributes; fails on a bad input. */
  protected geometry(
    call: LayerCall,
    x: SymbolicTensor,
  ): { shape: number[]; attrs: Record<string, number[]>; rest: [number, number] } {
    if (x.shape.length !== 4)
      call.fail('SHAPE_MISMATCH', `${this.type} needs a 4-D input [N, C, H, W]`, 'Pool after a conv2d layer.');
    const [, c, h, w] = x.shape as [number, number, number, number];
    const [kh, kw] = this.kernel;
    const [sh, sw] = this.stride;
    const [ph, pw] = this.padding;
    const spanH = h + 2 * ph - kh;
    const spanW = w + 2 * pw - kw;
    if (spanH < 0 || spanW < 0) {
      call.fail(
        'SHAPE_MISMATCH',
        `the ${kh}×${kw} window is larger than the ${h}×${w} input`,
        'Use a smaller kernel or pool earlier.',
      );
    }
    return {
      shape: [-1, c, Math.floor(spanH / sh) + 1, Math.floor(spanW / sw) + 1],
      attrs: { kernel_shape: [kh, kw], strides: [sh, sw], pads: [ph, pw, ph, pw] },
      rest: [spanH % sh, spanW % sw],
    };
  }
}

/**
 * Max pooling, like `nn.MaxPool2d`. Backward sends dy to the position ORT's MaxPool
 * `Indices` names (the first maximum, as PyTorch): MaxUnpool when windows are disjoint,
 * a scatter that adds where windows overlap. GPU graphs find that position from the window
 * entries instead (see `maxPoolGradFromWindows`): same numbers, no `Indices`, no MaxUnpool.
 */
export class MaxPool2d extends Pool2d {
  /** {@inheritDoc Layer.type} */
  readonly type = 'MaxPool2d';

  /** @param kernelSize - window size @param options - stride, padding */
  constructor(kernelSize: Size2, options: Pool2dOptions = {}) {
    super('MaxPool2d', kernelSize, options);
  }

  protected forward(call: LayerCall, x: SymbolicTensor): SymbolicTensor {
    const { shape, attrs, rest } = this.geometry(call, x);
    const g = call.g;
    if (call.trace.device !== 'cpu') {
      const y = g.op1('MaxPool', [x.name], attrs);
      const [, c, h, w] = x.shape as [number, number, number, number];
      const windows = {
        channels: c,
        input: [h, w],
        output: [shape[2] as number, shape[3] as number],
        kernel: this.kernel,
        stride: this.stride,
        padding: this.padding,
        rest,
      } as const;
      call.backward((dy) => {
        if (call.needsInputGrad) call.inputGrad(maxPoolGradFromWindows(g, x.name, y, dy, windows));
      });
      return call.output(y, shape);
    }
    const [y, indices] = g.op('MaxPool', [x.name], attrs, 2) as [string, string];
    const disjoint =
      this.stride[0] >= this.kernel[0] &&
      this.stride[1] >= this.kernel[1] &&
      this.padding[0] === 0 &&
      this.padding[1] === 0;
    call.backward((dy) => {
      if (!call.needsInputGrad) return;
      if (disjoint) {
        // Windows that never overlap name every input position at most once, so MaxUnpool's
        // overwrite equals a sum — and it runs about 5× faster than the scatter below.
        call.inputGrad(
          g.op1('MaxUnpool', [dy, indices, g.op1('Shape', [x.name])], {
            kernel_shape: attrs['kernel_shape']!,
            strides: attrs['strides']!,
          }),
        );
        return;
      }
      const flat = g.constI64([-1]);
      const size = g.op1('Reshape', [g.op1('Size', [x.name]), g.constI64([1])]);
      const zeros = g.op1('ConstantOfShape', [size], {
        value: { tensor: { name: 'zero', dtype: 'float32', dims: [1], raw: new Uint8Array(4) } },
      });
      const scattered = g.op1(
        'ScatterElements',
        [zeros, g.op1('Reshape', [indices, flat]), g.op1('Reshape', [dy, flat])],
        { axis: 0, reduction: { string: 'add' } },
      );
      call.inputGrad(g.op1('Reshape', [scattered, g.op1('Shape', [x.name])]));
    });
    return call.output(y, shape);
  }
}

/**
 * Average pooling, like `nn.AvgPool2d` (count_include_pad=True: padded zeros count in the
 * divisor). Backward spreads dy/(kh·kw) over each window: a ConvTranspose with a constant
 * kernel, run per channel.
 */
export class AvgPool2d extends Pool2d {
  /** {@inheritDoc Layer.type} */
  readonly type = 'AvgPool2d';

  /** @param kernelSize - window size @param options - stride, padding */
  constructor(kernelSize: Size2, options: Pool2dOptions = {}) {
    super('AvgPool2d', kernelSize, options);
  }

  protected forward(call: LayerCall, x: SymbolicTensor): SymbolicTensor {
    const { shape, attrs, rest } = this.geometry(call, x);
    const g = call.g;
    const [, c, h, w] = x.shape as [number, number, number, number];
    const [, , ho, wo] = shape as [number, number, number, number];
    const y = g.op1('AveragePool', [x.name], { ...attrs, count_include_pad: 1 });
    call.backward((dy) => {
      if (!call.needsInputGrad) return;
      const [kh, kw] = this.kernel;
      const ones = g.constF32(new Float32Array(kh * kw).fill(1 / (kh * kw)), [1, 1, kh, kw]);
      const perChannel = g.op1('Reshape', [dy, g.constI64([-1, 1, ho, wo])]);
      const dx = g.op1('ConvTranspose', [perChannel, ones], { ...attrs, output_padding: rest });
      call.inputGrad(g.op1('Reshape', [dx, g.constI64([-1, c, h, w])]));
    });
    return call.output(y, shape);
  }
}

/** Max pooling, like `nn.MaxPool2d(kernelSize, stride = kernelSize, padding = 0)`. */
export function maxPool2d(kernelSize: Size2, options: Pool2dOptions = {}): MaxPool2d {
  return new MaxPool2d(kernelSize, options);
}

/** Average pooling, like `nn.AvgPool2d(kernelSize, stride = kernelSize, padding = 0)`. */
export function avgPool2d(kernelSize: Size2, options: Pool2dOptions = {}): AvgPool2d {
  return new AvgPool2d(kernelSize, options);
}
