import {
  encodeModel,
  type AttrValue,
  type GraphValue,
  type NodeValue,
  type OnnxDType,
  type TensorValue,
  type ValueInfo,
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
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly scope: SharedScope;

  /**
   * @param name - the graph's name (informative)
   * @param parent - for a subgraph ({@link branch}): the graph whose names and constants it shares
   */
  constructor(
    readonly name: string,
    parent?: GraphBuilder,
  ) {
    this.scope = parent?.scope ?? {
      used: new Set(),
      counter: 0,
      identities: new Map(),
      producers: new Map(),
      reserved: new Set(),
      initializers: [],
      constCache: new Map(),
    };
  }

  /**
   * A subgraph (the body of an `If` branch) that may read every tensor of this graph. Names stay
   * unique across both, as ONNX requires; its constants are this graph's initializers, which
   * ONNX Runtime lets subgraphs read. Turn it into an attribute with {@link asAttribute}.
   */
  branch(name: string): GraphBuilder {
    return new GraphBuilder(name, this);
  }

  /** This (sub)graph as a `GRAPH` attribute value, e.g. an `If` node's `then_branch`. */
  asAttribute(): AttrValue {
    const graph: GraphValue = {
      graphName: this.name,
      nodes: this.nodes,
      initializers: [],
      inputs: this.inputs,
      outputs: this.outputs,
    };
    return { graph };
  }

  /** A fresh tensor name starting with `prefix`. */
  unique(prefix: string): string {
    const used = this.scope.used;
    let name = prefix;
    while (used.has(name)) name = `${prefix}_${++this.scope.counter}`;
    used.add(name);
    return name;
  }

  /**
   * A fresh name for a tensor that a later node will output: pass it in that node's `outputs`.
   * Lets a value be used (e.g. renamed as a graph output) before the node that makes it exists.
   */
  reserve(prefix: string): string {
    const name = this.unique(prefix);
    this.scope.reserved.add(name);
    return name;
  }

  /** Declares a graph input; `-1` or a string in `dims` is the dynamic batch dimension `N`. */
  input(name: string, dtype: OnnxDType, dims: readonly (number | string)[]): string {
    if (this.scope.used.has(name)) throw new Error(`Graph name "${name}" is used twice.`);
    this.scope.used.add(name);
    this.inputs.push({ name, dtype, dims: dims.map((d) => (d === -1 ? 'N' : d)) });
    return name;
  }

  /** Declares `name` (an existing tensor) as a graph output. */
  output(name: string): void {
    this.outputs.push({ name });
  }

  /** Whether `name` is already declared as an output of this (sub)graph. */
  isOutput(name: string): boolean {
    return this.outputs.some((o) => o.name === name);
  }

  /**
   * Adds a node and returns its output names (`nOutputs` fresh ones, or the given names).
   *
   * @param op - ONNX op type
   * @param inputs - input tensor names (`''` for an omitted optional input)
   * @param attrs - attributes; plain numbers are INTs, floats use `float()`
   * @param outputs - how many outputs, or their exact names
   */
  op(
    op: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, AttrValue>> = {},
    outputs: number | readonly string[] = 1,
  ): string[] {
    const names =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, () => this.unique(op.toLowerCase()))
        : outputs.map((o) => {
            if (this.scope.reserved.delete(o)) return o;
            if (this.scope.used.has(o)) throw new Error(`Graph name "${o}" is used twice.`);
            this.scope.used.add(o);
            return o;
          });
    this.nodes.push({ op, inputs, outputs: names, name: this.unique(`node_${op}`), attrs });
    if (op === 'Identity' && inputs[0] !== undefined && names[0] !== undefined)
      this.scope.identities.set(names[0], inputs[0]);
    for (const n of names) this.scope.producers.set(n, op);
    return names;
  }

  /**
   * The tensor whose values `name` carries unchanged: follows Identity nodes back (itself when
   * it is not an Identity output). Lets statistics of equal tensors be computed once.
   */
  origin(name: string): string {
    let current = name;
    const identities = this.scope.identities;
    for (let from = identities.get(current); from !== undefined; from = identities.get(current)) current = from;
    return current;
  }

  /** The op type of the node that outputs `name` (undefined for inputs and constants). */
  producer(name: string): string | undefined {
    return this.scope.producers.get(name);
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

  /** A uint32 constant (hash multipliers: uint32 arithmetic wraps modulo 2³², on every provider). */
  constU32(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant('uint32', new Uint8Array(Uint32Array.from(values).buffer), dims);
  }

  /**
   * A float32 scalar constant, shaped `[1, …, 1]` with `rank` ones (a plain scalar for 0).
   *
   * Give element-wise ops a scalar of the other operand's rank: ORT's CPU broadcaster walks a
   * `[256, 128, 1, 1]` tensor against a rank-0 scalar one element at a time (≈ 30× slower,
   * measured), while a `[1, 1, 1, 1]` one takes the fast path.
   */
  scalar(value: number, rank = 0): string {
    return this.constF32(
      [value],
      Array.from({ length: rank }, () => 1),
    );
  }

  /** Serialized ModelProto bytes. */
  toBytes(): Uint8Array {
    return encodeModel({
      graphName: this.name,
      opset: OPSET,
      nodes: this.nodes,
      initializers: this.scope.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
    });
  }

  /** How many nodes the graph has so far. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  private constant(dtype: OnnxDType, raw: Uint8Array, dims: readonly number[]): string {
    const key = `${dtype}|${dims.join(',')}|${Array.from(raw).join(',')}`;
    const cached = raw.length <= 64 ? this.scope.constCache.get(key) : undefined;
    if (cached !== undefined) return cached;
    const name = this.unique(`const_${dtype}`);
    this.scope.initializers.push({ name, dtype, dims, raw });
    if (raw.length <= 64) this.scope.constCache.set(key, name);
    return name;
  }
}

/** What a graph shares with its subgraphs: the name space, Identity links and constants. */
interface SharedScope {
  readonly used: Set<string>;
  counter: number;
  readonly identities: Map<string, string>;
  readonly producers: Map<string, string>;
  /** Names handed out by `reserve` whose node is not built yet. */
  readonly reserved: Set<string>;
  readonly initializers: TensorValue[];
  readonly constCache: Map<string, string>;
}
