import type { ModuleKind } from '@monitorch/core';
import type { SymbolicTensor } from '../model/symbolic-tensor.js';
import { DROPOUT_KEY_PREFIX, DROPOUT_MASK_PREFIX, keepMask } from './dropout-mask.js';
import { badOption, Layer, type LayerCall } from './layer.js';

/**
 * Dropout, like `nn.Dropout(p)`: in the train graph each entry is zeroed with probability p
 * and the rest scaled by 1/(1−p); in the eval graph it is the identity. The backward reuses the
 * forward's mask. On the CPU the mask is a counter hash of each entry's index and a per-step
 * key (`dropout.key.<module>`, from the trainer's seed and step), so runs repeat and resumed
 * runs continue exactly; WebGPU graphs take the same masks as inputs, CUDA graphs use ONNX
 * Dropout (see `DropoutMasks`).
 */
export class Dropout extends Layer {
  /** {@inheritDoc Layer.type} */
  readonly type = 'Dropout';
  /** {@inheritDoc Layer.kind} */
  readonly kind: ModuleKind = 'dropout';

  /** @param p - drop probability in [0, 1) */
  constructor(readonly p = 0.5) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) {
      badOption(
        'Dropout',
        `p must be in [0, 1), got ${String(p)}`,
        'Pass a drop probability such as 0.3 (p = 1 would zero everything)',
        { p },
      );
    }
  }

  protected forward(call: LayerCall, x: SymbolicTensor): SymbolicTensor {
    const g = call.g;
    if (!call.training || this.p === 0) {
      const y = g.op1('Identity', [x.name]);
      call.backward((dy) => {
        if (call.needsInputGrad) call.inputGrad(dy);
      });
      return call.output(y, x.shape);
    }
    const rank = x.shape.length;
    /** Registers the backward through `mask` (and its debug output); returns `y`. */
    const backThrough = (y: string, mask: string): string => {
      if (call.trace.debug.masks === true) call.trace.debugOutput(mask, `debug.mask.${call.name}`);
      call.backward((dy) => {
        if (!call.needsInputGrad) return;
        const scaled = g.op1('Mul', [dy, g.scalar(1 / (1 - this.p), rank)]);
        call.inputGrad(g.op1('Where', [mask, scaled, g.scalar(0, rank)]));
      });
      return y;
    };
    if (call.trace.dropoutMasks === 'ort') {
      const train = g.op1('Cast', [g.constI32([1], [])], { to: 9 });
      const [y, mask] = g.op('Dropout', [x.name, g.scalar(this.p), train], {}, 2) as [string, string];
      return call.output(backThrough(y, mask), x.shape);
    }
    const key = `${DROPOUT_KEY_PREFIX}${call.name}`;
    const mask =
      call.trace.dropoutMasks === 'host'
        ? call.trace.maskInput(`${DROPOUT_MASK_PREFIX}${call.name}`, x.shape, key, this.p)
        : keepMask(g, x.name, rank, call.trace.hyperInput(key), this.p);
    const y = g.op1('Where', [mask, g.op1('Mul', [x.name, g.scalar(1 / (1 - this.p), rank)]), g.scalar(0, rank)]);
    return call.output(backThrough(y, mask), x.shape);
  }
}

/** Dropout with drop probability `p` (default 0.5), like `nn.Dropout(p)`. */
export function dropout(p = 0.5): Dropout {
  return new Dropout(p);
}
