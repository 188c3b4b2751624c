import type { ModuleInfo } from '@monitorch/core';
import { MonitorchError } from '@monitorch/core';
import type { GraphInput } from '../graph/compiled-graph.js';
import type { DropoutMasks } from '../layers/dropout-mask.js';
import type { Device } from '../runtime/device.js';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import { addAll } from '../onnx/add-all.js';
import type { ParameterSlot } from './parameter-slot.js';
import type { SymbolicTensor } from './symbolic-tensor.js';

/** Extra graph outputs for tests and debugging (never used by the trainer). */
export interface DebugOptions {
  /** Output every parameter gradient as `debug.grad.<param>`. */
  readonly gradients?: boolean;
  /** Output every module output as `debug.out.<module>`. */
  readonly outputs?: boolean;
  /** Output every module output gradient as `debug.outgrad.<module>`. */
  readonly outputGradients?: boolean;
  /** Output every dropout mask as `debug.mask.<module>` (bool). */
  readonly masks?: boolean;
}

/** A module's output in the traced graph. */
export interface ModuleOutput {
  /** The module. */
  readonly module: ModuleInfo;
  /** Its output tensor. */
  readonly value: SymbolicTensor;
}

/**
 * The state of one graph trace: the forward pass records, per layer, how to send gradients
 * back (a tape); `runBackward` replays it in reverse, summing gradients where a tensor feeds
 * several consumers (residual connections, custom forwards).
 */
export class Trace {
  /** Modules in forward order. */
  readonly modules: ModuleInfo[] = [];
  /** Parameters in declaration order. */
  readonly parameters: ParameterSlot[] = [];
  /** Each module's output. */
  readonly moduleOutputs: ModuleOutput[] = [];
  /** Parameter gradient tensor names by full parameter name (after `runBackward`). */
  readonly paramGrads = new Map<string, string>();
  /** Debug outputs added so far. */
  readonly debugOutputs: string[] = [];
  /** Per-step inputs layers declared (dropout keys and masks), fed by the runner. */
  readonly layerInputs: GraphInput[] = [];
  private readonly tape: (() => void)[] = [];
  private readonly gradParts = new Map<string, string[]>();
  private readonly gradSum = new Map<string, string>();
  private readonly names = new Set<string>();
  private batchF: string | undefined;

  /**
   * @param g - the graph being built
   * @param input - the network input tensor
   * @param training - dropout active (train graph)
   * @param withBackward - record backward rules
   * @param debug - extra outputs
   * @param dropoutMasks - how dropout layers draw their masks
   * @param device - where the graph will run (layers avoid ops a GPU provider lacks)
   */
  constructor(
    readonly g: GraphBuilder,
    readonly input: SymbolicTensor,
    readonly training: boolean,
    readonly withBackward: boolean,
    readonly debug: DebugOptions = {},
    readonly dropoutMasks: DropoutMasks = 'counter',
    readonly device: Device = 'cpu',
  ) {}

  /**
   * Declares an int32 scalar graph input whose value the trainer's `hypers` gives every step.
   *
   * @param name - the input's name, also its hyper-parameter key
   */
  hyperInput(name: string): string {
    this.g.input(name, 'int32', []);
    this.layerInputs.push({ name, role: 'hyper', dtype: 'int32', shape: [], hyper: name });
    return name;
  }

  /**
   * Declares a bool dropout keep-mask input the runner draws every step (see `fillKeepMask`).
   *
   * @param name - the input's name
   * @param shape - the masked tensor's shape (`-1` batch)
   * @param key - the hyper-parameter holding the mask's key
   * @param p - the drop probability
   */
  maskInput(name: string, shape: readonly number[], key: string, p: number): string {
    this.g.input(name, 'bool', shape);
    this.layerInputs.push({ name, role: 'mask', dtype: 'bool', shape: [...shape], hyper: key, dropoutP: p });
    return name;
  }

  /** Claims a module name; two modules may not share one (no parameter sharing). */
  claimName(name: string): number {
    if (this.names.has(name)) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `Module "${name}" is used twice in the network. Give each use its own layer (parameter sharing is not supported).`,
        { module: name },
      );
    }
    this.names.add(name);
    return this.names.size - 1;
  }

  /** Records a backward step (replayed in reverse order). */
  record(step: () => void): void {
    if (this.withBackward) this.tape.push(step);
  }

  /** Adds one contribution to the gradient of `v`. */
  addGrad(v: SymbolicTensor, grad: string): void {
    if (!v.requiresGrad) return;
    if (this.gradSum.has(v.name)) throw new Error(`gradient of ${v.name} was read before all contributions arrived`);
    const parts = this.gradParts.get(v.name) ?? [];
    parts.push(grad);
    this.gradParts.set(v.name, parts);
  }

  /** The total gradient of `v` (summed over its consumers), or undefined when none flows. */
  gradOf(v: SymbolicTensor): string | undefined {
    const done = this.gradSum.get(v.name);
    if (done !== undefined) return done;
    const parts = this.gradParts.get(v.name);
    if (parts === undefined || parts.length === 0) return undefined;
    const sum = addAll(this.g, parts);
    this.gradSum.set(v.name, sum);
    return sum;
  }

  /** Seeds the gradient of the network output and replays the tape backwards. */
  runBackward(output: SymbolicTensor, dOutput: string): void {
    this.addGrad(output, dOutput);
    for (let i = this.tape.length - 1; i >= 0; i--) (this.tape[i] as () => void)();
  }

  /** The batch size N as a float32 scalar, computed once from the input's runtime shape. */
  batchSize(): string {
    if (this.batchF === undefined) {
      // N ones summed rather than Cast(Squeeze(Shape)): the WebGPU provider has no int64
      // Squeeze or Cast, so those two would run on the CPU. The sum is exact below 2²⁴.
      const shape = this.g.op1('Shape', [this.input.name], { start: 0, end: 1 });
      const ones = this.g.op1('Expand', [this.g.constF32([1], [1]), shape]);
      this.batchF = this.g.op1('ReduceSum', [ones], { keepdims: 0 });
    }
    return this.batchF;
  }

  /** Adds `value` as a debug graph output named `name`. */
  debugOutput(value: string, name: string): void {
    this.g.output(this.g.rename(value, name));
    this.debugOutputs.push(name);
  }
}
