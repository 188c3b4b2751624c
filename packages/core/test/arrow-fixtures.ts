// Shared fixtures of the arrow*.test.ts files: a table spec that uses every column type, rows
// with nulls in every nullable column, and a plain-JS view of Arrow tables to compare against.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { defineTable, type TableRow, type TableSpec } from '@monitorch/core';

/** A table with every column type: the summary columns plus bool, utf8, int32 and int32list extras. */
export const PROBE: TableSpec = defineTable(
  'probe',
  [
    { name: 'dead', type: 'bool', nullable: true, description: 'Whether the module is dead.' },
    { name: 'note', type: 'utf8', nullable: true, description: 'Free text, e.g. a unit.' },
    { name: 'rank', type: 'int32', nullable: true, description: 'Rank of the module by mean.' },
    { name: 'channels', type: 'int32list', nullable: true, description: 'Indices of dead channels.' },
    { name: 'layer', type: 'int32', nullable: false, description: 'Layer index.' },
  ],
  {
    panels: [
      {
        title: 'Loss',
        size: 'big',
        kind: 'numerical',
        quantities: ['loss'],
        line: 'mean',
        bands: ['std', 'min-max'],
        yScale: 'log',
      },
      {
        title: 'Activation rate',
        size: 'small',
        kind: 'probability',
        quantities: ['activation_rate'],
        line: 'median',
        yDomain: [0, 1],
      },
    ],
  },
);

/**
 * Rows of epoch `e`: two modules plus a whole-model row. Nulls sit in different columns in
 * different rows (explicit null and missing key both), values are awkward floats (1/3,
 * subnormal, -0, huge, infinity), strings are non-ASCII, lists include empty ones.
 */
export function probeRows(e: number): TableRow[] {
  return [
    {
      epoch: e,
      phase: 'train',
      module: 'fc1',
      quantity: 'activation_rate',
      mean: 1 / 3 + e,
      std: 0.1 + 0.2,
      min: -0,
      max: 1e308,
      count: 60000,
      dead: false,
      note: 'ümlaut ✓',
      rank: -e,
      channels: [0, 7, 2147483647],
      layer: 0,
    },
    {
      epoch: e,
      phase: 'val',
      module: 'fc2',
      quantity: 'activation_rate',
      mean: 5e-324 * e,
      std: null,
      min: -Infinity,
      max: Infinity,
      count: 10000,
      dead: true,
      note: null,
      channels: [],
      layer: 1,
    },
    {
      epoch: e,
      phase: 'train',
      module: '',
      quantity: 'loss',
      mean: 2.302585 / e,
      count: 0,
      dead: null,
      rank: 2,
      layer: -2147483648,
    },
  ];
}

/** `probeRows(e)` with every column present (missing nullable cells as null), as readers should return them. */
export function expectedRows(e: number): Record<string, unknown>[] {
  return probeRows(e).map((row) => {
    const out: Record<string, unknown> = {};
    for (const c of PROBE.columns) out[c.name] = row[c.name] ?? null;
    return out;
  });
}

/** Rows of a table as plain objects (lists as number arrays), for deep comparison. */
export function plainRows(table: Table): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const columns = table.schema.fields.map((f) => [f.name, table.getChild(f.name)] as const);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const [name, vector] of columns) {
      const v: unknown = vector?.get(i);
      row[name] = v !== null && typeof v === 'object' && Symbol.iterator in v ? Array.from(v as Iterable<number>) : v;
    }
    rows.push(row);
  }
  return rows;
}

/** A fresh directory under the OS temp directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `monitorch-${prefix}-`));
}
