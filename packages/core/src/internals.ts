/**
 * `@monitorch/core/internals`: the machinery behind the Inspector's tables and run files, for
 * tests, benchmarks and tools that write run files without an Inspector. Not part of the
 * stable API: names and signatures may change in any release.
 *
 * @packageDocumentation
 */
export { LensTable, type LensTableOptions } from './tables/lens-table.js';
export { rowsToRecordBatch, schemaFor } from './arrow/schema.js';
export { RunWriter, type RunWriterOptions } from './arrow/run-writer.js';
export { finishRun, type FinishedTable } from './arrow/run-finish.js';
export { closestObservationRank } from './stats/closest-observation.js';
