import type { Aggregation } from '../lens-kit/aggregation.js';
/**
 * Arrow column types a lens table may use. `int32list` is a list of int32 (e.g. channel
 * indices); `float64list` a list of float64 (e.g. a histogram's bin fractions).
 */
export type ColumnType = 'int32' | 'float64' | 'utf8' | 'bool' | 'int32list' | 'float64list';

/** One column of a lens table. */
export interface ColumnSpec {
  /** Column name (snake_case, as users will type it in polars/pandas/DuckDB). */
  readonly name: string;
  /** Arrow type. */
  readonly type: ColumnType;
  /** Whether the column may hold nulls. */
  readonly nullable: boolean;
  /** One sentence on what the column holds; stored in the field metadata. */
  readonly description: string;
}

/** How a band around a line is drawn: mean±std, [min, max] or [q1, q3]. */
export type BandKind = 'std' | 'min-max' | 'q1-q3';

/**
 * One panel of the figure, described as data so the renderer needs no lens knowledge.
 * `big` panels sit in the top row (one panel for all modules, e.g. the loss); `small`
 * panels form a column with one small panel per module.
 */
export interface PanelSpec {
  /** Title shown above the panel or column. */
  readonly title: string;
  /** `big`: one panel in the top row; `small`: one small panel per module. */
  readonly size: 'big' | 'small';
  /**
   * `numerical`: lines with bands; `probability`: lines on a fixed [0,1] axis; `relations`:
   * stacked shares; `distribution`: a heat map per module of how a tensor's values spread over
   * fixed bins, epoch by epoch (x epoch, y value; rows carry float64 columns `lo` and `hi`, the
   * binned range, and a float64list column `fractions`, the share of entries in each of the
   * equal-width bins; colour is the share).
   */
  readonly kind: 'numerical' | 'probability' | 'relations' | 'distribution';
  /** Rows whose `quantity` is listed here feed this panel (one series per phase × quantity). */
  readonly quantities: readonly string[];
  /** Column drawn as the line. */
  readonly line: Aggregation;
  /** Bands drawn under the line (numerical panels). */
  readonly bands?: readonly BandKind[];
  /** Y scale (default linear). */
  readonly yScale?: 'linear' | 'log';
  /** Fixed y domain (probability panels default to [0, 1]). */
  readonly yDomain?: readonly [number, number];
}

/** How a lens's table is drawn: its panels, in order. Stored as JSON in the schema metadata. */
export interface PlotSpec {
  readonly panels: readonly PanelSpec[];
}

/**
 * A lens table: tidy long format, one row per (epoch, phase, module, quantity) with summary
 * columns, plus lens-specific columns. `columns` lists every column in file order.
 */
export interface TableSpec {
  /** Table name; also the run file name (`<name>.arrow`). Lowercase, dashes. */
  readonly name: string;
  /** Every column, in order. Starts with {@link SUMMARY_COLUMNS}. */
  readonly columns: readonly ColumnSpec[];
  /** Figure description. */
  readonly plot: PlotSpec;
}

/** A value in a table row. `null` means "no value" (never a stale number). */
export type CellValue = number | string | boolean | null | readonly number[];

/** One table row, keyed by column name. Missing nullable columns are written as null. */
export type TableRow = Readonly<Record<string, CellValue>>;

/**
 * The columns every lens table starts with:
 * epoch (1-based), phase, module ('' for whole-model rows), quantity, and the summary of the
 * epoch's samples: mean, std (population), min, max and count (number of samples).
 */
export const SUMMARY_COLUMNS: readonly ColumnSpec[] = [
  { name: 'epoch', type: 'int32', nullable: false, description: 'Epoch the row summarises (first epoch is 1).' },
  { name: 'phase', type: 'utf8', nullable: false, description: 'Phase of the samples: train, val or a user label.' },
  {
    name: 'module',
    type: 'utf8',
    nullable: false,
    description: "Full module name; '' for rows about the whole model.",
  },
  { name: 'quantity', type: 'utf8', nullable: false, description: 'What was measured, e.g. activation_rate.' },
  { name: 'mean', type: 'float64', nullable: true, description: "Mean of the epoch's samples." },
  {
    name: 'std',
    type: 'float64',
    nullable: true,
    description: "Population standard deviation of the epoch's samples.",
  },
  { name: 'min', type: 'float64', nullable: true, description: "Smallest of the epoch's samples." },
  { name: 'max', type: 'float64', nullable: true, description: "Largest of the epoch's samples." },
  { name: 'count', type: 'int32', nullable: false, description: 'Number of samples summarised.' },
];

/**
 * Builds a table spec from the summary columns plus lens-specific ones.
 *
 * @param name - table name (file name)
 * @param extra - lens-specific columns appended after the summary columns
 * @param plot - figure description
 */
export function defineTable(name: string, extra: readonly ColumnSpec[], plot: PlotSpec): TableSpec {
  return { name, columns: [...SUMMARY_COLUMNS, ...extra], plot };
}
