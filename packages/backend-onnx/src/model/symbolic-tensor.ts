/**
 * A tensor inside a graph being built: its ONNX name and its shape. Dimension 0 is the batch
 * and is `-1` (dynamic) for every activation; parameters have fully known shapes.
 * `requiresGrad` is false for the network input, so the first layer skips its input gradient.
 */
export interface SymbolicTensor {
  /** The tensor's name in the graph (what ops take as inputs). */
  readonly name: string;
  /** Its shape, `-1` for the batch dimension. */
  readonly shape: readonly number[];
  /** Whether a gradient flows back to it (false for the network input). */
  readonly requiresGrad: boolean;
}

/** `[-1, 3, 28, 28]` → `[N, 3, 28, 28]`, for messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? 'N' : String(d))).join(', ')}]`;
}

/** Number of elements per sample (product of every dimension after the batch). */
export function perSample(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}
