import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File name of the manifest in a run directory. */
export const MANIFEST_FILE = 'run.json';

/** The size and checksum of a finished `<table>.arrow`, recorded when it is written. */
export interface ArrowFileSum {
  /** Rows in the file. */
  readonly rows: number;
  /** File size in bytes. */
  readonly bytes: number;
  /** CRC-32 of the whole file. */
  readonly crc: number;
}

/**
 * The small `run.json` of a run directory: which tables belong to the run (a directory reused
 * by a later run may still hold other files), when it started and whether it was closed.
 */
export interface RunManifest {
  /** Run file format version (`'1'`). */
  readonly format: string;
  /** Table names, in the order the lenses were given. */
  readonly tables: readonly string[];
  /** ISO time the run directory was opened. */
  readonly created: string;
  /** ISO time the run was closed; absent for a run still going or one that crashed. */
  readonly closed?: string;
  /**
   * `'crc32'` when every `.arrows` has its `.arrows.sums` (see run-sums.ts), so a missing one
   * is damage. Absent in runs written before the sums existed.
   */
  readonly checks?: 'crc32';
  /** Size and checksum of each finished `.arrow`, by table. */
  readonly files?: Readonly<Record<string, ArrowFileSum>>;
  /** What the run is called in comparisons and run lists (`InspectorOptions.label`). */
  readonly label?: string;
  /** What produced the run, as the user passed it (`InspectorOptions.config`): plain JSON. */
  readonly config?: Readonly<Record<string, RunConfigValue>>;
  /** Versions of what wrote the run: `@monitorch/core`, `node`, and any the user added. */
  readonly versions?: Readonly<Record<string, string>>;
}

/** A value of a run's `config`: anything JSON can hold. */
export type RunConfigValue =
  string | number | boolean | null | readonly RunConfigValue[] | { readonly [key: string]: RunConfigValue };

/** Writes the manifest atomically (temp file + rename), so readers never see half of it. */
export function writeManifest(dir: string, manifest: RunManifest): void {
  const path = join(dir, MANIFEST_FILE);
  const temp = `${path}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true }); // a full disk must not leave a half-written temp file behind
    throw e;
  }
}

/**
 * Parses run.json's text; undefined when it is not a manifest (the data files matter more).
 *
 * @param text - the file's contents
 */
export function parseManifest(text: string | undefined): RunManifest | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<RunManifest> | null;
    const tables: unknown = parsed?.tables;
    if (parsed === null || !Array.isArray(tables) || !tables.every((t) => typeof t === 'string')) return undefined;
    return parsed as RunManifest;
  } catch {
    return undefined;
  }
}

/**
 * Reads a run directory's manifest; undefined when it is missing or unreadable.
 *
 * @param dir - run directory
 */
export function readManifest(dir: string): RunManifest | undefined {
  try {
    return parseManifest(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}
