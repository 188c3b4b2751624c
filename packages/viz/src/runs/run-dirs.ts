import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MonitorchError } from '@monitorch/core';
import { globSync } from 'tinyglobby';

/** A directory's files that make it a run: its manifest and its tables' Arrow files. */
const RUN_FILE = /^(run\.json|.+\.arrows?)$/;

/**
 * Whether `dir` is a run directory: it holds a `run.json` or `<table>.arrow(s)` files.
 * A missing or unreadable path is not.
 *
 * @param dir - any path
 */
export function isRunDir(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => RUN_FILE.test(f));
  } catch {
    return false;
  }
}

/**
 * The run directories directly inside `dir`, by name (a directory whose subdirectories are
 * runs is a run list, e.g. `runs/`). One `readdir` of each subdirectory: no table is read.
 *
 * @param dir - a directory of runs
 * @returns their paths (`dir/<name>`), sorted by name
 */
export function runDirsIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
  return names
    .sort()
    .map((name) => join(dir, name))
    .filter(isRunDir);
}

/** What a directory given on the command line is. */
export type RunSourceKind = 'run' | 'run-list';

/**
 * Says whether `dir` is one run or a directory of runs.
 *
 * @param dir - a path from the user
 * @throws MonitorchError `RUN_DIR_UNREADABLE` when it is missing, not a directory, or neither
 *   a run nor a directory holding runs
 */
export function runSourceKind(dir: string): RunSourceKind {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) {
    throw new MonitorchError(
      'RUN_DIR_UNREADABLE',
      `"${dir}" is not a directory. Pass the runDir your Inspector wrote to, or a directory holding such run directories.`,
      { dir },
    );
  }
  if (isRunDir(dir)) return 'run';
  if (runDirsIn(dir).length > 0) return 'run-list';
  throw new MonitorchError(
    'RUN_DIR_UNREADABLE',
    `"${dir}" is not a monitorch run (no run.json or <table>.arrow files) and holds no run directories. ` +
      'Pass the runDir your Inspector wrote to, or the directory above several of them (e.g. runs/).',
    { dir },
  );
}

/**
 * The run directories a glob such as `runs/*` matches, sorted; matches that are not runs
 * (files, empty directories) are left out. Globbing is tinyglobby's (Node 20 has no fs.glob).
 *
 * @param pattern - a glob, e.g. `runs/*` or `runs/lr-*`
 * @throws MonitorchError `INVALID_ARGUMENT` when no run directory matches
 */
export function globRunDirs(pattern: string): string[] {
  const matches = globSync(pattern, { onlyDirectories: true, expandDirectories: false })
    .map((p) => p.replace(/\/$/, ''))
    .sort();
  const runs = matches.filter(isRunDir);
  if (runs.length === 0) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `--runs '${pattern}' matches no run directory` +
        (matches.length > 0 ? ` (${matches.length} director${matches.length === 1 ? 'y' : 'ies'}, none a run)` : '') +
        '. Quote the pattern so the shell does not expand it, e.g. --runs \'runs/*\'.',
      { pattern },
    );
  }
  return runs;
}
