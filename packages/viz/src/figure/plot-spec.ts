import type { Table } from 'apache-arrow';
import { plotSpecOf, tableSpecOf, type PanelSpec, type PlotSpec } from '@monitorch/core';
import { PANEL_KINDS, isPanelKind } from './panels/panel-kinds.js';

/** A panel a table asks for that this version cannot draw, and why. */
export interface SkippedPanel {
  /** The table's name, or `undefined` when its metadata has none. */
  readonly table: string | undefined;
  /** The panel's title. */
  readonly title: string;
  /** The kind the panel asks for. */
  readonly kind: string;
  /** Which panel, why it is not drawn and what to do, for the reader of the figure. */
  readonly message: string;
}

/** What the figure draws of one table. */
export interface DrawableTable {
  /** The table's plot description, keeping only the panels of kinds this version draws. */
  readonly plot: PlotSpec;
  /** The panels left out, in spec order. */
  readonly skipped: readonly SkippedPanel[];
}

/**
 * Reads a table's plot description for drawing. A panel of a kind this version does not draw
 * (written by a newer lens, or a typo) is left out and reported, never drawn as another kind:
 * the rest of the table, and of the figure, is still drawn. A table without a readable plot
 * description gives `undefined`: it is simply not drawn, so one odd table never hides the others.
 *
 * @param table - a lens table (its schema metadata carries `monitorch.plot`)
 */
export function drawableTable(table: Table): DrawableTable | undefined {
  let plot: PlotSpec;
  try {
    plot = plotSpecOf(table);
  } catch {
    return undefined;
  }
  const panels: PanelSpec[] = [];
  const skipped: SkippedPanel[] = [];
  for (const panel of plot.panels) {
    // Core types the kind as a known one, but it was read from metadata any version may write.
    const kind: string = panel.kind;
    if (isPanelKind(kind)) panels.push(panel);
    else skipped.push(skippedPanel(tableName(table), panel.title, kind));
  }
  return { plot: skipped.length === 0 ? plot : { ...plot, panels }, skipped };
}

/**
 * The figure description of a table, or `undefined` when it has none (or an unreadable one):
 * such a table is simply not drawn, so one odd table never hides the others. Panels of kinds
 * this version does not draw are left out ({@link drawableTable} says which).
 *
 * @param table - a lens table (its schema metadata carries `monitorch.plot`)
 */
export function drawablePlotSpec(table: Table): PlotSpec | undefined {
  return drawableTable(table)?.plot;
}

/** The table's name from its metadata, if it can be read (the note can do without). */
function tableName(table: Table): string | undefined {
  try {
    return tableSpecOf(table).name;
  } catch {
    return undefined;
  }
}

function skippedPanel(table: string | undefined, title: string, kind: string): SkippedPanel {
  const where = table === undefined ? '' : ` of table "${table}"`;
  return {
    table,
    title,
    kind,
    message:
      `Panel "${title}"${where} is not drawn: its kind "${kind}" is not one of ${PANEL_KINDS.join(', ')}. ` +
      "Update @monitorch/viz if a newer lens wrote this table, or fix the kind in the lens's plot spec.",
  };
}
