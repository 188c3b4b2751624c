import type { Table } from 'apache-arrow';
import { plotSpecOf, type PlotSpec } from '@monitorch/core';

/**
 * The figure description of a table, or `undefined` when it has none (or an unreadable one):
 * such a table is simply not drawn, so one odd table never hides the others.
 *
 * @param table - a lens table (its schema metadata carries `monitorch.plot`)
 */
export function drawablePlotSpec(table: Table): PlotSpec | undefined {
  try {
    return plotSpecOf(table);
  } catch {
    return undefined;
  }
}
