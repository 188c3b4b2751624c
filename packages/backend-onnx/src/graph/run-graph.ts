import { MonitorchError } from '@monitorch/core';
import { loadNodeOrt, type InferenceSession, type OrtApi, type Tensor } from '../runtime/ort-api.js';
import type { CompiledGraph } from './compiled-graph.js';

/** A plain tensor to feed: the element type follows the array type. */
export interface FeedTensor {
  /** The elements, row-major; the array type gives the element type. */
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
  /** The shape. */
  readonly dims: readonly number[];
}

/** A fetched output as plain data. */
export interface RunOutput {
  /** The elements, row-major. */
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Float64Array;
  /** The shape. */
  readonly dims: readonly number[];
  /** ONNX Runtime's element type name (`float32`, `int64`, `bool`, …). */
  readonly type: string;
}

function dtypeOf(data: FeedTensor['data']): 'float32' | 'int32' | 'int64' | 'bool' {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'bool';
}

/**
 * A compiled graph opened in an in-process ORT session (CPU, 2 threads, quiet logs), for
 * tests, benchmarks and simple scripts. The trainer uses its own engines instead.
 */
export class GraphRunner {
  private constructor(
    private readonly ort: OrtApi,
    private readonly session: InferenceSession,
    readonly graph: CompiledGraph,
  ) {}

  /**
   * Opens a session for `graph`.
   *
   * @param graph - the compiled graph
   * @param ort - the ORT package (default: `onnxruntime-node`)
   */
  static async open(graph: CompiledGraph, ort?: OrtApi): Promise<GraphRunner> {
    const api = ort ?? (await loadNodeOrt());
    const session = await api.InferenceSession.create(graph.bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 2,
      logSeverityLevel: 3,
    });
    return new GraphRunner(api, session, graph);
  }

  /** Runs once; every graph input must be fed. Returns every output by name. */
  async run(feeds: Readonly<Record<string, FeedTensor>>): Promise<Record<string, RunOutput>> {
    const tensors: Record<string, Tensor> = {};
    for (const input of this.graph.inputs) {
      const f = feeds[input.name];
      if (f === undefined) {
        throw new MonitorchError(
          'INVALID_ARGUMENT',
          `runGraph: no feed for graph input "${input.name}" (${input.role}). Feed every input listed in graph.inputs.`,
          { input: input.name },
        );
      }
      tensors[input.name] = new this.ort.Tensor(dtypeOf(f.data), f.data as Float32Array, [...f.dims]);
    }
    const out = await this.session.run(tensors);
    const result: Record<string, RunOutput> = {};
    for (const [name, value] of Object.entries(out)) {
      const t = value;
      result[name] = { data: t.data as RunOutput['data'], dims: [...t.dims], type: t.type };
    }
    return result;
  }

  /** Releases the session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Opens `graph`, runs it once with `feeds`, releases it, and returns every output. */
export async function runGraph(
  graph: CompiledGraph,
  feeds: Readonly<Record<string, FeedTensor>>,
  ort?: OrtApi,
): Promise<Record<string, RunOutput>> {
  const runner = await GraphRunner.open(graph, ort);
  try {
    return await runner.run(feeds);
  } finally {
    await runner.release();
  }
}
