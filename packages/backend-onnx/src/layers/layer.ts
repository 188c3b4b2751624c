import {
  MonitorchError,
  type ModuleInfo,
  type ModuleKind,
  type MonitorchErrorCode,
  type ParameterInfo,
} from '@monitorch/core';
import type { Block, Scope } from '../model/block.js';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import { formatShape, type SymbolicTensor } from '../model/symbolic-tensor.js';
import type { Trace } from '../model/trace.js';

/**
 * What a layer sees while it adds itself to a graph: its name, the graph, its parameters,
 * and where to send gradients. One call per layer use.
 */
export class LayerCall {
  private readonly params: ParameterInfo[] = [];
  private backwardStep: ((dy: string) => void) | undefined;
  /** Full module name (`conv.conv1`). */
  readonly name: string;
  /** The graph trace. */
  readonly trace: Trace;
  /** The graph under construction. */
  readonly g: GraphBuilder;

  /**
   * @param scope - where the layer sits
   * @param layer - the layer being built
   * @param input - its input tensor
   */
  constructor(
    scope: Scope,
    readonly layer: Layer,
    readonly input: SymbolicTensor,
  ) {
    this.trace = scope.trace;
    this.g = scope.trace.g;
    this.name = scope.name === '' ? layer.type.toLowerCase() : scope.name;
  }

  /** True in the train graph (dropout active). */
  get training(): boolean {
    return this.trace.training;
  }

  /** True when the input's gradient is needed (false for the network input). */
  get needsInputGrad(): boolean {
    return this.trace.withBackward && this.input.requiresGrad;
  }

  /** Declares a parameter (a graph input named `<module>.<name>`), initialised U(−bound, bound). */
  param(name: string, shape: readonly number[], bound: number): SymbolicTensor {
    const fullName = `${this.name}.${name}`;
    this.params.push({ name, shape: [...shape] });
    this.trace.parameters.push({
      fullName,
      module: this.name,
      name,
      shape: [...shape],
      init: { kind: 'uniform', bound },
    });
    this.g.input(fullName, 'float32', shape);
    return { name: fullName, shape: [...shape], requiresGrad: true };
  }

  /** The layer's output tensor (requires a gradient if the input or a parameter does). */
  output(name: string, shape: readonly number[]): SymbolicTensor {
    return { name, shape, requiresGrad: this.input.requiresGrad || this.params.length > 0 };
  }

  /** Sets the backward rule: given dL/dy, emit the input and parameter gradients. */
  backward(step: (dy: string) => void): void {
    this.backwardStep = step;
  }

  /** Sends dL/dx to the input. */
  inputGrad(dx: string): void {
    this.trace.addGrad(this.input, dx);
  }

  /** Stores dL/d(param). */
  paramGrad(name: string, grad: string): void {
    this.trace.paramGrads.set(`${this.name}.${name}`, grad);
  }

  /** Throws a {@link MonitorchError} naming this layer and its input shape. */
  fail(code: MonitorchErrorCode, problem: string, fix: string, details: Record<string, unknown> = {}): never {
    throw new MonitorchError(
      code,
      `Layer "${this.name}" (${this.layer.type}) got input ${formatShape(this.input.shape)}: ${problem}. ${fix}`,
      { layer: this.name, type: this.layer.type, inputShape: [...this.input.shape], ...details },
    );
  }

  /** Finishes the call: registers the module, its output and its backward step. */
  finish(order: number, y: SymbolicTensor): ModuleInfo {
    const module: ModuleInfo = {
      name: this.name,
      kind: this.layer.kind,
      type: this.layer.type,
      parameters: this.params,
      order,
    };
    this.trace.modules.push(module);
    this.trace.moduleOutputs.push({ module, value: y });
    const step = this.backwardStep;
    if (step !== undefined) {
      this.trace.record(() => {
        const dy = this.trace.gradOf(y);
        if (dy !== undefined) step(dy);
      });
    }
    return module;
  }
}

/**
 * A leaf module: one PyTorch-like layer with a type name (`Conv2d`) and a kind lenses select
 * on (`conv`). Subclasses write the forward ops and the hand-derived backward ops.
 */
export abstract class Layer implements Block {
  /** Layer class name as PyTorch calls it (`ReLU`, `Conv2d`, …). */
  abstract readonly type: string;
  /** Kind used by lens selectors. */
  abstract readonly kind: ModuleKind;

  /** Adds the layer to the trace under `scope`'s name. */
  build(scope: Scope, x: SymbolicTensor): SymbolicTensor {
    const call = new LayerCall(scope, this, x);
    const order = scope.trace.claimName(call.name);
    const y = this.forward(call, x);
    call.finish(order, y);
    return y;
  }

  /** Forward ops (and `call.backward(...)`); returns the output. */
  protected abstract forward(call: LayerCall, x: SymbolicTensor): SymbolicTensor;
}

/** Throws `INVALID_ARGUMENT` at declaration time for a bad layer option. */
export function badOption(type: string, problem: string, fix: string, details: Record<string, unknown> = {}): never {
  throw new MonitorchError('INVALID_ARGUMENT', `${type}: ${problem}. ${fix}`, { type, ...details });
}

/** Throws `UNSUPPORTED` at declaration time for an option this backend does not implement. */
export function unsupported(type: string, problem: string, fix: string, details: Record<string, unknown> = {}): never {
  throw new MonitorchError('UNSUPPORTED', `${type}: ${problem}. ${fix}`, { type, ...details });
}

/** Checks that `v` is a positive integer, else a declaration error. */
export function positiveInt(type: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    badOption(type, `${what} must be a positive integer, got ${String(v)}`, `Pass a whole number ≥ 1 for ${what}`, {
      [what]: v,
    });
  }
  return v;
}
