import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RecordBatchReader, Table, type RecordBatch, type Schema } from 'apache-arrow';
import { MonitorchError } from '@monitorch/core';
import { tableNameOf } from './plot-spec.js';

/**
 * Reads every lens table of a run directory, by table name, sorted by name.
 * A finished table (`<name>.arrow`) wins over its stream (`<name>.arrows`). A stream that
 * another process is still appending to is read up to its last complete batch, so a live page
 * can follow a run in progress.
 *
 * @param dir - run directory
 * @throws MonitorchError `INVALID_ARGUMENT` when `dir` is not a readable directory
 */
export function readRunTables(dir: string): Map<string, Table> {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir);
  } catch (e) {
    throw new MonitorchError('INVALID_ARGUMENT',
      `The run directory "${dir}" does not exist or is not a directory. Pass the runDir your Inspector wrote to (it holds <table>.arrow files).`,
      { dir }, { cause: e });
  }
  const files = new Map<string, string>();
  for (const file of names.sort()) {
    const m = /^(.*)\.arrows?$/.exec(file);
    if (m === null || m[1] === undefined) continue;
    const stem = m[1];
    if (file.endsWith('.arrow') || !files.has(stem)) files.set(stem, file);
  }
  const tables = new Map<string, Table>();
  for (const [stem, file] of files) {
    const table = readTableFile(join(dir, file));
    if (table !== undefined) tables.set(tableNameOf(table, basename(stem)), table);
  }
  return tables;
}

/** Reads one IPC file or stream, keeping the complete batches of a stream still being written. */
function readTableFile(path: string): Table | undefined {
  let bytes: Uint8Array;
  try {
    const buffer = readFileSync(path);
    // Arrow's reader mistakes a Node Buffer for something else; hand it a plain Uint8Array view.
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch {
    return undefined;
  }
  const batches: RecordBatch[] = [];
  let schema: Schema | undefined;
  try {
    const reader = RecordBatchReader.from(bytes);
    reader.open();
    // The reader forgets its schema once iteration ends; keep it now.
    schema = reader.schema;
    for (const batch of reader) batches.push(batch);
  } catch {
    // A torn last message of a live stream: keep what was complete.
  }
  return schema === undefined ? undefined : new Table(schema, batches);
}
