// The schema metadata keys are the contract between the writer (schema.ts) and every reader
// (schema-reader.ts, the viz, pyarrow or polars users), so they live apart from both.

/** Schema metadata key holding the table name. */
export const TABLE_METADATA_KEY = 'monitorch.table';
/** Schema metadata key holding the plot description as JSON. */
export const PLOT_METADATA_KEY = 'monitorch.plot';
/** Schema metadata key holding the run file format version. */
export const FORMAT_METADATA_KEY = 'monitorch.format';
/** The run file format version written by this library. */
export const RUN_FORMAT_VERSION = '1';
