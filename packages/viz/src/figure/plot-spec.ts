import type { Table } from 'apache-arrow';
import type { BandKind, PanelSpec, PlotSpec } from '@monitorch/core';

/** Schema metadata keys of a lens table (written by core's Arrow helpers). */
export const METADATA = { table: 'monitorch.table', plot: 'monitorch.plot', format: 'monitorch.format' } as const;

const SIZES = new Set(['big', 'small']);
const KINDS = new Set(['numerical', 'probability', 'relations']);
const LINES = new Set(['mean', 'median', 'min', 'max']);
const BANDS = new Set<BandKind>(['std', 'min-max', 'q1-q3']);

/**
 * The figure description stored in a table's schema metadata, or `undefined` when the table
 * carries none (such a table is simply not drawn). Panels that do not parse are dropped one by
 * one, so one odd panel does not hide a lens's other panels.
 *
 * @param table - a lens table
 */
export function plotSpecOf(table: Table): PlotSpec | undefined {
  const json = table.schema.metadata.get(METADATA.plot);
  if (json === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const panels = (parsed as { panels?: unknown }).panels;
  if (!Array.isArray(panels)) return undefined;
  return { panels: panels.flatMap((p: unknown) => { const panel = asPanel(p); return panel === undefined ? [] : [panel]; }) };
}

/**
 * The table's name: its `monitorch.table` metadata, else the given fallback (e.g. the run file
 * name).
 */
export function tableNameOf(table: Table, fallback: string): string {
  return table.schema.metadata.get(METADATA.table) ?? fallback;
}

function asPanel(value: unknown): PanelSpec | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Record<string, unknown>;
  if (typeof p['title'] !== 'string' || !SIZES.has(String(p['size'])) || !KINDS.has(String(p['kind']))) return undefined;
  const quantities = p['quantities'];
  if (!Array.isArray(quantities) || !quantities.every((q) => typeof q === 'string')) return undefined;
  const line = LINES.has(String(p['line'])) ? (p['line'] as PanelSpec['line']) : 'mean';
  const bands = Array.isArray(p['bands']) ? (p['bands'] as unknown[]).filter((b): b is BandKind => BANDS.has(b as BandKind)) : undefined;
  const yDomain = p['yDomain'];
  const validDomain = Array.isArray(yDomain) && yDomain.length === 2 && yDomain.every((v) => typeof v === 'number' && Number.isFinite(v))
    ? (yDomain as unknown as readonly [number, number]) : undefined;
  return {
    title: p['title'],
    size: p['size'] as PanelSpec['size'],
    kind: p['kind'] as PanelSpec['kind'],
    quantities: quantities as string[],
    line,
    ...(bands === undefined ? {} : { bands }),
    ...(p['yScale'] === 'log' || p['yScale'] === 'linear' ? { yScale: p['yScale'] } : {}),
    ...(validDomain === undefined ? {} : { yDomain: validDomain }),
  };
}
