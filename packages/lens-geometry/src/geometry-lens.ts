import {
  ScalarSeriesLens,
  correlationSample,
  defineTable,
  entriesFrom,
  reductionKey,
  scalarSeriesColumns,
  type PanelSpec,
  type Reduction,
  type ReductionRequest,
  type TensorEvent,
} from '@monitorch/core';
import type { ResolvedGeometry } from './geometry-options.js';

/** The reduction of a geometry lens: the norm alone, or the norm with the previous tensor's dot. */
export function geometryReduction(correlation: boolean): Reduction {
  return correlation ? { op: 'previousDot' } : { op: 'l2' };
}

/** What a concrete geometry lens tells {@link GeometryLens}. */
export interface GeometryLensConfig {
  /** Lens id and table name. */
  readonly id: string;
  /** The resolved shared options. */
  readonly options: ResolvedGeometry;
  /** The lens's requests (a geometry reduction, maybe more). */
  readonly requests: readonly ReductionRequest[];
  /** Watched parameters, for parameter lenses. */
  readonly parameters?: readonly string[];
  /** The quantity prefix of a tensor, e.g. `weight_gradient` or `output_gradient`. */
  readonly prefix: (parameter: string | undefined) => string;
  /** Panel title stem per parameter, e.g. `Weight Gradient` (titles add ` Norm` / ` Correlation`). */
  readonly titles: readonly { parameter: string | undefined; stem: string }[];
  /** Quantities after norm and correlation (e.g. the update ratio), with their panels. */
  readonly extra?: { quantity: (parameter: string | undefined) => string; panels: readonly PanelSpec[] };
}

/**
 * Norms and step-to-step correlations of one kind of tensor (semantics §2.6–2.8): per watched
 * report, `‖X‖₂` (or `‖X‖₂/√numel` with `normalizeBySize`) and `cos(X_prev, X)` with the previous
 * watched report of the same tensor — skipped, not 0, when there is none or either is zero.
 */
export abstract class GeometryLens extends ScalarSeriesLens {
  private readonly geometry: GeometryLensConfig;
  private readonly key: string;

  /** @param config - see {@link GeometryLensConfig} */
  protected constructor(config: GeometryLensConfig) {
    const o = config.options;
    const suffix = o.normalize ? 'rms' : 'norm';
    const panels: PanelSpec[] = [];
    for (const { parameter, stem } of config.titles) {
      panels.push({
        title: `${stem} Norm`,
        size: 'small',
        kind: 'numerical',
        quantities: [`${config.prefix(parameter)}_${suffix}`],
        line: o.line,
        bands: o.bands,
        ...(o.logScale ? { yScale: 'log' as const } : {}),
      });
      if (o.correlation) {
        panels.push({
          title: `${stem} Correlation`,
          size: 'small',
          kind: 'numerical',
          quantities: [`${config.prefix(parameter)}_correlation`],
          line: o.line,
          bands: o.bands,
          yDomain: [-1, 1] as const,
        });
      }
    }
    panels.push(...(config.extra?.panels ?? []));
    super({
      id: config.id,
      requests: config.requests,
      table: defineTable(config.id, scalarSeriesColumns(config.parameters !== undefined), { panels }),
      ...(config.parameters === undefined ? {} : { parameters: config.parameters }),
      quantities: (p) => [
        `${config.prefix(p)}_${suffix}`,
        ...(o.correlation ? [`${config.prefix(p)}_correlation`] : []),
        ...(config.extra === undefined ? [] : [config.extra.quantity(p)]),
      ],
    });
    this.geometry = config;
    this.key = reductionKey(geometryReduction(o.correlation));
  }

  /**
   * Adds the norm and correlation samples of one watched report.
   *
   * @param entries - the entries the RMS divides by (the whole tensor for gradients and updates)
   */
  protected foldGeometry(event: TensorEvent, entries: number = entriesFrom(event.shape, 0)): void {
    const r = event.reductions.get(this.key);
    if (r === undefined) return;
    const o = this.geometry.options;
    const parameter = 'parameter' in event ? event.parameter : undefined;
    const prefix = this.geometry.prefix(parameter);
    const norm = r.op === 'previousDot' ? r.norm : r.op === 'l2' ? r.value : Number.NaN;
    this.add(event, `${prefix}_${o.normalize ? 'rms' : 'norm'}`, o.normalize ? norm / Math.sqrt(entries) : norm);
    if (r.op === 'previousDot') {
      const c = correlationSample(r);
      if (c !== undefined) this.add(event, `${prefix}_correlation`, c);
    }
  }
}
