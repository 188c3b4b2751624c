import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readRunTables } from '../figure/run-loader.js';

/** Where a run directory stands, as the live page shows it. */
export interface RunDirStatus {
  /** The newest epoch in any of its tables (0 before the first). */
  readonly epoch: number;
  /** ISO time the run was closed, when it is finished; undefined while it may still grow. */
  readonly finishedAt: string | undefined;
}

/**
 * Polls a run directory (names, sizes and mtimes of its Arrow files and run.json) and calls
 * `onChange` with its status whenever that changed. Polling works the same on every
 * filesystem, including ones where fs.watch misses appends from another process.
 *
 * @returns a function that stops polling
 */
export function followRunDir(dir: string, everyMs: number, onChange: (status: RunDirStatus) => void): () => void {
  let signature = '';
  const check = (): void => {
    let next: string;
    try {
      next = readdirSync(dir)
        .filter((f) => /\.arrows?$/.test(f) || f === 'run.json')
        .sort()
        .map((f) => {
          const s = statSync(join(dir, f));
          return `${f}:${s.size}:${s.mtimeMs}`;
        })
        .join('|');
    } catch {
      return; // the directory may not exist yet; keep polling
    }
    if (next === signature) return;
    signature = next;
    onChange({ epoch: lastEpoch(dir), finishedAt: finishedAt(dir) });
  };
  check();
  const timer = setInterval(check, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

function lastEpoch(dir: string): number {
  let last = 0;
  try {
    for (const table of readRunTables(dir).values()) {
      const epochs = table.getChild('epoch');
      if (epochs === null) continue;
      for (const e of epochs as Iterable<unknown>) if (typeof e === 'number' && e > last) last = e;
    }
  } catch {
    // unreadable right now; the next poll tries again
  }
  return last;
}

/**
 * When the run in `dir` finished, or undefined while it may still be written. A run is finished
 * when every table has its `<name>.arrow` (the Inspector writes them on close, and a new run in
 * the same directory removes them first); the time is run.json's `closed`, else — a run finished
 * by `finishRun` or written without a manifest — the newest `.arrow` file's time.
 */
export function finishedAt(dir: string): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  const manifest = readManifest(dir);
  const tables =
    manifest?.tables ??
    entries.map((f) => /^(.+)\.arrows?$/.exec(f)?.[1]).filter((name): name is string => name !== undefined);
  if (tables.length === 0 || !tables.every((t) => entries.includes(`${t}.arrow`))) return undefined;
  if (manifest?.closed !== undefined) return manifest.closed;
  try {
    const newest = Math.max(...tables.map((t) => statSync(join(dir, `${t}.arrow`)).mtimeMs));
    return new Date(newest).toISOString();
  } catch {
    return undefined; // a file went away between the listing and now: not settled yet
  }
}

/** The fields of run.json the status needs; undefined when absent or unreadable. */
function readManifest(dir: string): { tables?: string[]; closed?: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { tables, closed } = parsed as { tables?: unknown; closed?: unknown };
  return {
    ...(Array.isArray(tables) && tables.every((t) => typeof t === 'string') ? { tables } : {}),
    ...(typeof closed === 'string' ? { closed } : {}),
  };
}
