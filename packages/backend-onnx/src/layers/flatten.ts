import type { ModuleKind } from '@monitorch/core';
import type { SymbolicTensor } from '../model/symbolic-tensor.js';
import { perSample } from '../model/symbolic-tensor.js';
import { Layer, type LayerCall } from './layer.js';

/** `[N, d1, d2, …]` → `[N, d1·d2·…]`, like `torch.flatten(x, start_dim=1)` / `nn.Flatten()`. */
export class Flatten extends Layer {
  /** {@inheritDoc Layer.type} */
  readonly type = 'Flatten';
  /** {@inheritDoc Layer.kind} */
  readonly kind: ModuleKind = 'reshape';

  protected forward(call: LayerCall, x: SymbolicTensor): SymbolicTensor {
    if (x.shape.length < 2)
      call.fail('SHAPE_MISMATCH', 'Flatten needs at least [N, features]', 'Check the layers before it.');
    const g = call.g;
    const y = g.op1('Flatten', [x.name], { axis: 1 });
    call.backward((dy) => {
      if (call.needsInputGrad) call.inputGrad(g.op1('Reshape', [dy, g.constI64([-1, ...x.shape.slice(1)])]));
    });
    return call.output(y, [-1, perSample(x.shape)]);
  }
}

/** Flattens every dimension after the batch, like `nn.Flatten()`. */
export function flatten(): Flatten {
  return new Flatten();
}
