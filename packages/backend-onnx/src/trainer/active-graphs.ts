import type { ReductionRequest } from '@monitorch/core';
import type { Device } from '../runtime/device.js';
import type { EngineConfig, EngineGraphs, StepEngine } from '../runtime/step-engine.js';
import type { NetworkCompiler } from './network-compiler.js';

/** A graph pair with the key the engine keeps its sessions under. */
export type KeyedGraphs = EngineGraphs & { readonly key: string };

/**
 * Identifies compiled graphs: what their statistics compute (each request's tensors and
 * reduction, as a set) and the device whose form they take. A request's `sampling` only decides
 * which runs use the graph, and the order of requests only the order of outputs that are found
 * by name, so neither is part of the key: two Inspectors that differ only there share warm
 * sessions instead of compiling and loading the same graph again (and pushing a pair that is
 * still in use out of the engine's few kept ones). Parameter-value requests are left out too:
 * the trainer answers them from host snapshots and no graph computes them, so the steps a
 * sampled Inspector does not watch (which keep only those requests) run the warm plain pair.
 * Keyed apart, that identical graph took a fourth place in the engine's three, and a run with
 * ParameterNorm, a lens sampled every 10th step and one every 100th rebuilt a pair at every
 * switch (+10.5 % end to end in bench/lens-goal.mjs; +1.2 and +2.4 % after).
 */
export function graphsKey(requests: readonly ReductionRequest[], device: Device): string {
  const inGraph = requests.filter((r) => r.select.of !== 'parameter');
  const computed = new Set(inGraph.map((r) => JSON.stringify([r.select, r.reduction])));
  return `${device}\u0000${[...computed].sort().join('\u0000')}`;
}

/** Compiles the graph pair answering `requests` in the form `device` runs, keyed for reuse. */
export function compileKeyed(
  compiler: NetworkCompiler,
  requests: readonly ReductionRequest[],
  device: Device,
): KeyedGraphs {
  return { ...compiler.compile(requests, { device }), key: graphsKey(requests, device) };
}

/**
 * The graph pair the engine runs now, and the switch to another pair when the attached lenses'
 * requests change. Earlier pairs are not remembered here: the engine keeps its warm sessions
 * with their graphs ({@link StepEngine.reuse}), and only what it no longer keeps is compiled.
 */
export class ActiveGraphs {
  private graphs: EngineGraphs;
  private key: string;
  private actualDevice: Device;
  /** The requests last followed: the same array again (a step like the last) needs no key. */
  private followed: readonly ReductionRequest[] | undefined;

  /**
   * @param engine - the engine that runs (and keeps) the graphs
   * @param compiler - compiles a pair for a new request set
   * @param config - how the engine loads a pair
   * @param initial - the pair loaded when the trainer started
   * @param device - the device that pair runs on
   */
  constructor(
    private readonly engine: StepEngine,
    private readonly compiler: NetworkCompiler,
    private readonly config: EngineConfig,
    initial: KeyedGraphs,
    device: Device,
  ) {
    this.graphs = initial;
    this.key = initial.key;
    this.actualDevice = device;
  }

  /** The pair the next run uses. */
  get current(): EngineGraphs {
    return this.graphs;
  }

  /** The device the sessions run on (`cpu` after a fallback). */
  get device(): Device {
    return this.actualDevice;
  }

  /**
   * Whether the loaded pair already serves `requests` (the array last followed): a run can then
   * be posted at once, without waiting for {@link follow}.
   */
  serves(requests: readonly ReductionRequest[]): boolean {
    return requests === this.followed;
  }

  /** Makes the pair answering `requests` the current one: the engine's kept pair, or a new compile. */

  async follow(requests: readonly ReductionRequest[]): Promise<void> {
    if (requests === this.followed) return;
    const key = graphsKey(requests, this.actualDevice);
    if (key !== this.key) await this.switchTo(requests, key);
    this.followed = requests;
  }

  private async switchTo(requests: readonly ReductionRequest[], key: string): Promise<void> {
    const kept = await this.engine.reuse(key);
    if (kept !== undefined) {
      this.use(kept.graphs, key, kept.device);
      return;
    }
    const graphs = compileKeyed(this.compiler, requests, this.actualDevice);
    const loaded = await this.engine.load(graphs, { ...this.config, device: this.actualDevice });
    this.use(graphs, key, loaded.device);
  }

  private use(graphs: EngineGraphs, key: string, device: Device): void {
    this.graphs = graphs;
    this.key = key;
    this.actualDevice = device;
  }
}
