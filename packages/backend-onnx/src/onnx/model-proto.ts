import { ProtoWriter } from './proto-writer.js';

/** ONNX element types used by monitorch graphs, with their TensorProto.DataType codes. */
export const ONNX_DTYPES = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float64: 11, uint32: 12 } as const;

/** An element type name (see {@link ONNX_DTYPES}). */
export type OnnxDType = keyof typeof ONNX_DTYPES;

/**
 * An attribute value. JS numbers cannot tell `1` from `1.0`, so floats are always explicit
 * (`{ float: 1 }`); a plain number is an INT and must be an integer.
 */
export type AttrValue =
  | number
  | readonly number[]
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly string: string }
  | { readonly tensor: TensorValue }
  | { readonly graph: GraphValue };

/** A float attribute (ONNX cannot tell `2` from `2.0` otherwise). */
export function float(value: number): AttrValue {
  return { float: value };
}

/** A constant tensor: an initializer or a `tensor` attribute. */
export interface TensorValue {
  /** Its name in the graph. */
  readonly name: string;
  /** The element type. */
  readonly dtype: OnnxDType;
  /** The shape. */
  readonly dims: readonly number[];
  /** Little-endian element bytes (`raw_data`). */
  readonly raw: Uint8Array;
}

/** One NodeProto. */
export interface NodeValue {
  /** The operator type (`Gemm`, `Relu`, …). */
  readonly op: string;
  /** Input value names, in the operator's order. */
  readonly inputs: readonly string[];
  /** Output value names. */
  readonly outputs: readonly string[];
  /** The node's own name. */
  readonly name: string;
  /** Attributes by name. */
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** The operator set's domain (default: the ONNX domain). */
  readonly domain?: string;
}

/** A graph input or output declaration. `dims` entries that are strings are symbolic (`N`). */
export interface ValueInfo {
  /** The value's name. */
  readonly name: string;
  /** Its element type, when declared. */
  readonly dtype?: OnnxDType;
  /** Its shape, when declared. */
  readonly dims?: readonly (number | string)[];
}

/** One GraphProto: the model's graph, or a subgraph (an `If` branch) held in an attribute. */
export interface GraphValue {
  /** The graph's name. */
  readonly graphName: string;
  /** Nodes in topological order. */
  readonly nodes: readonly NodeValue[];
  /** Constant tensors. */
  readonly initializers: readonly TensorValue[];
  /** Declared inputs. */
  readonly inputs: readonly ValueInfo[];
  /** Declared outputs. */
  readonly outputs: readonly ValueInfo[];
}

/** Everything a ModelProto holds for monitorch. */
export interface ModelValue extends GraphValue {
  /** The ONNX operator set version the nodes follow. */
  readonly opset: number;
}

/** IR version 8 (ONNX 1.10+): accepted by every ORT 1.1x–1.30 build. */
const IR_VERSION = 8;

/** Serializes a model to ModelProto bytes (field numbers from onnx.proto). */
export function encodeModel(model: ModelValue): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, IR_VERSION);
  w.string(2, 'monitorch');
  w.message(7, (g) => writeGraph(g, model));
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, model.opset);
  });
  return w.finish();
}

function writeGraph(g: ProtoWriter, graph: GraphValue): void {
  for (const n of graph.nodes) g.message(1, (m) => writeNode(m, n));
  g.string(2, graph.graphName);
  for (const t of graph.initializers) g.message(5, (m) => writeTensor(m, t));
  for (const i of graph.inputs) g.message(11, (m) => writeValueInfo(m, i));
  for (const o of graph.outputs) g.message(12, (m) => writeValueInfo(m, o));
}

function writeNode(w: ProtoWriter, n: NodeValue): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.op);
  for (const [name, value] of Object.entries(n.attrs)) w.message(5, (a) => writeAttr(a, name, value, n));
  if (n.domain !== undefined && n.domain !== '') w.string(7, n.domain);
}

// AttributeProto.type: FLOAT=1, INT=2, STRING=3, TENSOR=4, GRAPH=5, FLOATS=6, INTS=7.
function writeAttr(w: ProtoWriter, name: string, value: AttrValue, node: NodeValue): void {
  w.string(1, name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      throw new Error(`Attribute ${node.op}.${name} = ${value} is not an integer; wrap floats with float().`);
    }
    w.int(3, value);
    w.int(20, 2);
  } else if (isIntList(value)) {
    for (const v of value) {
      if (!Number.isInteger(v)) throw new Error(`Attribute ${node.op}.${name} has a non-integer entry ${v}.`);
    }
    w.packedInts(8, value);
    w.int(20, 7);
  } else if ('float' in value) {
    w.float(2, value.float);
    w.int(20, 1);
  } else if ('floats' in value) {
    w.packedFloats(7, value.floats);
    w.int(20, 6);
  } else if ('string' in value) {
    w.bytes(4, new TextEncoder().encode(value.string));
    w.int(20, 3);
  } else if ('graph' in value) {
    w.message(6, (g) => writeGraph(g, value.graph));
    w.int(20, 5);
  } else {
    w.message(5, (t) => writeTensor(t, value.tensor));
    w.int(20, 4);
  }
}

function isIntList(v: AttrValue): v is readonly number[] {
  return Array.isArray(v);
}

function writeTensor(w: ProtoWriter, t: TensorValue): void {
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  w.int(2, ONNX_DTYPES[t.dtype]);
  w.string(8, t.name);
  w.bytes(9, t.raw);
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  if (v.dtype === undefined) return;
  const dtype = v.dtype;
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ONNX_DTYPES[dtype]);
      if (v.dims === undefined) return;
      const dims = v.dims;
      tensor.message(2, (shape) => {
        for (const d of dims) shape.message(1, (dim) => (typeof d === 'string' ? dim.string(2, d) : dim.int(1, d)));
      });
    }),
  );
}
