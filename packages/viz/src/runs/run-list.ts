import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Table } from 'apache-arrow';
import { runStatus, type RunStatus, type TableRow } from '@monitorch/core';
import { drawablePlotSpec } from '../figure/plot-spec.js';
import { readRunTables } from '../figure/run-loader.js';
import { epochSummary } from '../terminal/epoch-summary.js';
import { runDirsIn } from './run-dirs.js';

/** One run of a run list, as the runs page shows it. */
export interface RunListRow {
  /** The run directory's name inside the list: the run's id on the page and in URLs. */
  readonly name: string;
  /** Its label (run.json; default the directory name). */
  readonly label: string;
  /** ISO time it started (run.json), when known. */
  readonly created: string | undefined;
  readonly status: RunStatus;
  /** Closed epochs (the newest epoch in its tables); 0 before the first. */
  readonly epochs: number;
  /** Final loss values of the last epoch, e.g. `train loss 0.3212`. */
  readonly loss: readonly string[];
  /** Final metric values of the last epoch, e.g. `val accuracy 0.9412`. */
  readonly metrics: readonly string[];
  /** Why the run's tables could not be read, when they could not. */
  readonly error?: string;
}

/** What the list knows of a run without reading its tables. */
interface Entry {
  readonly name: string;
  readonly dir: string;
  /** Names, sizes and mtimes of its run files: changes when it writes an epoch or closes. */
  signature: string;
  label: string;
  created: string | undefined;
  status: RunStatus;
  /** The table-based part of the row, for `signature`; dropped when the signature changes. */
  summary: Pick<RunListRow, 'epochs' | 'loss' | 'metrics' | 'error'> | undefined;
}

/** A run's files that change as it is written. */
const RUN_FILE = /^(run\.json|run\.lock|.+\.arrows?)$/;

/**
 * A directory of runs, kept up to date cheaply: {@link RunList.scan} lists the run
 * directories and stats their files (no table is read) and re-reads run.json only for runs
 * whose files changed; a run's tables are read only when its row is asked for (one page of the
 * list) and only once per change. So a list of 200 finished runs costs a few hundred `stat`s per
 * scan, and only the runs on screen are ever read.
 */
export class RunList {
  private readonly entries = new Map<string, Entry>();
  /** How many times a run's tables were read (the expensive part), for tests and monitoring. */
  tablesRead = 0;

  /** @param dir - the directory whose subdirectories are runs */
  constructor(readonly dir: string) {}

  /**
   * Looks at the directory again.
   *
   * @returns the names of runs that appeared, changed, went away or changed status
   */
  scan(): string[] {
    const changed: string[] = [];
    const seen = new Set<string>();
    for (const dir of runDirsIn(this.dir)) {
      const name = basename(dir);
      seen.add(name);
      const signature = filesSignature(dir);
      const known = this.entries.get(name);
      if (known !== undefined && known.signature === signature) {
        // Files unchanged, but a running run's writer may have died: check its lock.
        if (known.status === 'running') {
          const status = runStatus(dir).status;
          if (status !== known.status) {
            known.status = status;
            changed.push(name);
          }
        }
        continue;
      }
      const { manifest, status } = runStatus(dir);
      this.entries.set(name, {
        name,
        dir,
        signature,
        label: manifest?.label ?? name,
        created: manifest?.created,
        status,
        summary: undefined,
      });
      changed.push(name);
    }
    for (const name of [...this.entries.keys()]) {
      if (!seen.has(name)) {
        this.entries.delete(name);
        changed.push(name);
      }
    }
    return changed;
  }

  /** Number of runs. */
  get size(): number {
    return this.entries.size;
  }

  /** The run directory of the run named `name` in this list, or undefined for any other name. */
  dirOf(name: string): string | undefined {
    return this.entries.get(name)?.dir;
  }

  /** The files' signature of run `name` (changes with every epoch it writes). */
  signatureOf(name: string): string | undefined {
    return this.entries.get(name)?.signature;
  }

  /**
   * One page of rows, by name; only these runs' tables are read (and only when they changed).
   *
   * @param offset - first row
   * @param limit - at most this many rows
   */
  rows(offset: number, limit: number): RunListRow[] {
    const names = [...this.entries.keys()].sort();
    return names.slice(offset, offset + limit).map((name) => {
      const e = this.entries.get(name) as Entry;
      if (e.summary === undefined) {
        e.summary = summarise(e.dir);
        this.tablesRead += 1;
      }
      return { name, label: e.label, created: e.created, status: e.status, ...e.summary };
    });
  }
}

function filesSignature(dir: string): string {
  try {
    return readdirSync(dir)
      .filter((f) => RUN_FILE.test(f))
      .sort()
      .map((f) => {
        const s = statSync(join(dir, f));
        return `${f}:${s.size}:${s.mtimeMs}`;
      })
      .join('|');
  } catch {
    return '';
  }
}

/** The last epoch and its headline values (loss, metrics), from the run's tables. */
function summarise(dir: string): Pick<RunListRow, 'epochs' | 'loss' | 'metrics' | 'error'> {
  let tables: Map<string, Table>;
  try {
    tables = readRunTables(dir, { damaged: 'recover' });
  } catch (e) {
    return { epochs: 0, loss: [], metrics: [], error: e instanceof Error ? e.message : String(e) };
  }
  let last = 0;
  for (const table of tables.values()) {
    for (const e of (table.getChild('epoch') ?? []) as Iterable<unknown>) if (typeof e === 'number' && e > last) last = e;
  }
  const rows = new Map<string, TableRow[]>();
  const plots = new Map<string, NonNullable<ReturnType<typeof drawablePlotSpec>>>();
  for (const [name, table] of tables) {
    const plot = drawablePlotSpec(table);
    if (plot === undefined) continue;
    plots.set(name, plot);
    const epochs = table.getChild('epoch');
    const mine: TableRow[] = [];
    for (let i = 0; i < table.numRows; i++) {
      if (epochs?.get(i) === last) mine.push(table.get(i)?.toJSON() as TableRow);
    }
    rows.set(name, mine);
  }
  const { values } = epochSummary(rows, plots);
  return {
    epochs: last,
    loss: values.filter((v) => /\bloss\b/.test(v)),
    metrics: values.filter((v) => !/\bloss\b/.test(v)),
  };
}
