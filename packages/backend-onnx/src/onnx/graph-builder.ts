import {
  encodeModel, type AttrValue, type NodeValue, type OnnxDType, type TensorValue, type ValueInfo,
} from './model-proto.js';

/** The default-domain opset every monitorch graph targets (see ort-gpu-notes: no version traps at 18). */
export const OPSET = 18;

/**
 * Builds one ONNX graph: nodes, constants, inputs and outputs, with unique tensor names.
 *
 * @example
 * ```ts
 * const g = new GraphBuilder('demo');
 * const x = g.input('x', 'float32', ['N', 3]);
 * const y = g.op1('Relu', [x]);
 * g.output(g.rename(y, 'y'));
 * const bytes = g.toBytes();
 * ```
 */
export class GraphBuilder {
  private readonly nodes: NodeValue[] = [];
  private readonly identities = new Map<string, string>();
  private readonly initializers: TensorValue[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly used = new Set<string>();
  private readonly constCache = new Map<string, string>();
  private counter = 0;

  /** @param name - the graph's name (informative) */
  constructor(readonly name: string) {}

  /** A fresh tensor name starting with `prefix`. */
  unique(prefix: string): string {
    let name = prefix;
    while (this.used.has(name)) name = `${prefix}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Declares a graph input; `-1` or a string in `dims` is the dynamic batch dimension `N`. */
  input(name: string, dtype: OnnxDType, dims: readonly (number | string)[]): string {
    if (this.used.has(name)) throw new Error(`Graph name "${name}" is used twice.`);
    this.used.add(name);
    this.inputs.push({ name, dtype, dims: dims.map((d) => (d === -1 ? 'N' : d)) });
    return name;
  }

  /** Declares `name` (an existing tensor) as a graph output. */
  output(name: string): void {
    this.outputs.push({ name });
  }

  /**
   * Adds a node and returns its output names (`nOutputs` fresh ones, or the given names).
   *
   * @param op - ONNX op type
   * @param inputs - input tensor names (`''` for an omitted optional input)
   * @param attrs - attributes; plain numbers are INTs, floats use `float()`
   * @param outputs - how many outputs, or their exact names
   */
  op(op: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, outputs: number | readonly string[] = 1): string[] {
    const names = typeof outputs === 'number'
      ? Array.from({ length: outputs }, () => this.unique(op.toLowerCase()))
      : outputs.map((o) => {
        if (this.used.has(o)) throw new Error(`Graph name "${o}" is used twice.`);
        this.used.add(o);
        return o;
      });
    this.nodes.push({ op, inputs, outputs: names, name: this.unique(`node_${op}`), attrs });
    if (op === 'Identity' && inputs[0] !== undefined && names[0] !== undefined) this.identities.set(names[0], inputs[0]);
    return names;
  }

  /**
   * The tensor whose values `name` carries unchanged: follows Identity nodes back (itself when
   * it is not an Identity output). Lets statistics of equal tensors be computed once.
   */
  origin(name: string): string {
    let current = name;
    for (let from = this.identities.get(current); from !== undefined; from = this.identities.get(current)) current = from;
    return current;
  }

  /** {@link op} with exactly one output, returned as a string. */
  op1(op: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}): string {
    return this.op(op, inputs, attrs, 1)[0] as string;
  }

  /** Gives `value` the exact name `name` (an Identity node; ORT removes it). */
  rename(value: string, name: string): string {
    return this.op('Identity', [value], {}, [name])[0] as string;
  }

  /** A float32 constant (initializer), deduplicated by value. */
  constF32(values: readonly number[] | Float32Array, dims: readonly number[] = []): string {
    return this.constant('float32', new Uint8Array(Float32Array.from(values).buffer), dims);
  }

  /** An int64 constant (shapes, axes). */
  constI64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant('int64', new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer), dims);
  }

  /** An int32 constant (class indices). */
  constI32(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant('int32', new Uint8Array(Int32Array.from(values).buffer), dims);
  }

  /** A float32 scalar constant. */
  scalar(value: number): string {
    return this.constF32([value], []);
  }

  /** Serialized ModelProto bytes. */
  toBytes(): Uint8Array {
    return encodeModel({
      graphName: this.name, opset: OPSET, nodes: this.nodes, initializers: this.initializers,
      inputs: this.inputs, outputs: this.outputs,
    });
  }

  /** How many nodes the graph has so far. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  private constant(dtype: OnnxDType, raw: Uint8Array, dims: readonly number[]): string {
    const key = `${dtype}|${dims.join(',')}|${Array.from(raw).join(',')}`;
    const cached = raw.length <= 64 ? this.constCache.get(key) : undefined;
    if (cached !== undefined) return cached;
    const name = this.unique(`const_${dtype}`);
    this.initializers.push({ name, dtype, dims, raw });
    if (raw.length <= 64) this.constCache.set(key, name);
    return name;
  }
}
