#!/usr/bin/env node
// The `monitorch` command: render a saved run later, our portable replacement for the
// original recorder/player (the run's Arrow files are the recording).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isMonitorchError, readRunsSync, runDamageText, runNames, type RunTableSource } from '@monitorch/core';
import { figureFormatOf, renderFigureToFile } from './figure/figure-file.js';
import { readRunTables } from './figure/run-loader.js';
import { serve } from './live/serve.js';
import { serveRuns } from './live/serve-runs.js';
import { globRunDirs, isRunDir, runDirsIn, runSourceKind } from './runs/run-dirs.js';

// dist/cli.js → the package's own package.json, so --version can never drift from the release.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('monitorch')
  .description('Figures and a live page for monitorch runs (directories of <table>.arrow files).')
  .version(version, '-V, --version', 'print the version of monitorch (@monitorch/viz)')
  .showHelpAfterError();

program
  .command('plot')
  .description(
    'Render a run directory as one figure (PNG, SVG or standalone HTML); several runs (or a directory of runs) are ' +
      'compared in one figure, one colour per run.',
  )
  .argument('[runDirs...]', 'run directories written by an Inspector (runDir option), or one directory of runs')
  .requiredOption('-o, --output <file>', 'output file: figure.png, figure.svg or figure.html')
  .option(
    '--runs <glob>',
    "compare the run directories a glob matches, e.g. 'runs/*' (quoted; repeatable)",
    collect,
    [],
  )
  .option('-w, --width <pixels>', 'figure width in pixels', positiveInt)
  .option('-t, --title <text>', 'heading written above the figure')
  .option('--accept-damage', 'draw the intact rows of a damaged run (the damage is printed)')
  .action(
    async (
      runDirs: string[],
      opts: { output: string; runs: string[]; width?: number; title?: string; acceptDamage?: boolean },
    ) => {
      figureFormatOf(opts.output); // fail on a bad extension before any work
      const look = {
        file: opts.output,
        ...(opts.width === undefined ? {} : { width: opts.width }),
        ...(opts.title === undefined ? {} : { title: opts.title }),
      };
      const dirs = comparedDirs(runDirs, opts.runs);
      if (dirs === undefined) {
        const runDir = runDirs[0] ?? '';
        requireRunDir(runDir);
        const tables = checkedTables(runDir, opts.acceptDamage === true);
        requireRows(runDir, tables);
        const figure = await renderFigureToFile(tables, look);
        process.stdout.write(`wrote ${opts.output} (${figure.format}, ${figure.width}×${figure.height})\n`);
        return;
      }
      const tables = readRunsSync(dirs, { damaged: opts.acceptDamage === true ? 'recover' : 'throw' });
      requireRows(dirs.join(', '), tables);
      const runs = runNames(dirs).map((r) => r.run);
      const figure = await renderFigureToFile(tables, { ...look, runs });
      process.stdout.write(
        `wrote ${opts.output} (${figure.format}, ${figure.width}×${figure.height}) comparing ${runs.length} runs: ` +
          `${runs.join(', ')}\n`,
      );
    },
  );

program
  .command('serve')
  .description(
    'Serve a live page for a run directory (it follows a run still being written), or for a directory of runs: ' +
      'a list of them, ticked runs overlaid in one figure.',
  )
  .argument('<runDir>', 'run directory written by an Inspector, or a directory of runs (e.g. runs/)')
  // The default's description replaces commander's "(default: 0)", which would say it twice.
  .addOption(new Option('-p, --port <port>', 'port').argParser(nonNegativeInt).default(0, 'any free port'))
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--accept-damage', 'draw the intact rows of a damaged run (the damage is printed)')
  .action(async (runDir: string, opts: { port: number; host: string; acceptDamage?: boolean }) => {
    requireRunDir(runDir);
    // An empty directory is a run not started yet: its page waits for it, as it always did.
    if (!isEmptyDir(runDir) && runSourceKind(runDir) === 'run-list') {
      const list = await serveRuns(runDir, { port: opts.port, host: opts.host });
      process.stdout.write(`monitorch runs page: ${list.url}  (Ctrl+C to stop)\n`);
      const stopList = (): void => {
        void list.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stopList);
      process.once('SIGTERM', stopList);
      return;
    }
    const acceptDamage = opts.acceptDamage === true;
    checkedTables(runDir, acceptDamage); // a damaged run fails here, before the page starts
    const page = await serve(runDir, { port: opts.port, host: opts.host, acceptDamage });
    process.stdout.write(`monitorch live page: ${page.url}  (Ctrl+C to stop)\n`);
    const stop = (): void => {
      void page.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

/**
 * The runs to compare, or undefined for one run drawn alone (one run directory, no --runs).
 * A single directory of runs (`runs/`) compares the runs in it; a path named twice counts once.
 */
function comparedDirs(args: readonly string[], globs: readonly string[]): string[] | undefined {
  if (args.length === 0 && globs.length === 0) fail("pass a run directory, several, or --runs 'runs/*'.");
  if (args.length === 1 && globs.length === 0) {
    const only = args[0] ?? '';
    requireRunDir(only);
    // An empty directory keeps its own message ("nothing to plot") from the single-run path.
    if (isEmptyDir(only) || runSourceKind(only) === 'run') return undefined;
    return runDirsIn(only);
  }
  const dirs = [...args, ...globs.flatMap((g) => globRunDirs(g))];
  for (const dir of args) {
    requireRunDir(dir);
    if (!isRunDir(dir)) {
      fail(
        `"${dir}" is not a monitorch run (no run.json or <table>.arrow files). Pass the runDirs your Inspectors wrote to.`,
      );
    }
  }
  const seen = new Set<string>();
  return dirs.filter((d) => !seen.has(resolve(d)) && seen.add(resolve(d)) !== undefined);
}

function isEmptyDir(dir: string): boolean {
  return readdirSync(dir).length === 0;
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

function requireRunDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    fail(`run directory "${dir}" not found. Pass the runDir your Inspector wrote to (it holds <table>.arrow files).`);
  }
}

/**
 * A figure of a run without rows would be an empty "Nothing to plot yet" picture: a wrong
 * directory, or a run that has not closed an epoch. Say so instead of writing that picture.
 */
function requireRows(dir: string, tables: ReadonlyMap<string, { readonly numRows: number }>): void {
  if (tables.size === 0) {
    fail(
      `run directory "${dir}" holds no <table>.arrow or .arrows files, so there is nothing to plot. Pass the runDir your Inspector wrote to.`,
    );
  }
  if ([...tables.values()].every((t) => t.numRows === 0)) {
    fail(
      `run directory "${dir}" has no closed epoch yet, so there is nothing to plot. Plot it after the first tickEpoch().`,
    );
  }
}

/**
 * Reads the run, printing any damage to stderr. Without `acceptDamage` a damaged run is an
 * error (exit 1, the damage in the message); with it, the intact rows are drawn.
 */
function checkedTables(dir: string, acceptDamage: boolean): ReturnType<typeof readRunTables> {
  const sources = new Map<string, RunTableSource>();
  const tables = readRunTables(dir, { damaged: acceptDamage ? 'recover' : 'throw', sources });
  for (const source of sources.values()) {
    for (const d of source.damage ?? [])
      process.stderr.write(`monitorch: damaged, drawn without it: ${runDamageText(d)}\n`);
    if (source.fallback !== undefined)
      process.stderr.write(`monitorch: read ${source.path} because ${source.fallback}\n`);
  }
  return tables;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0–65535).');
  return n;
}

function fail(message: string): never {
  process.stderr.write(`monitorch: ${message}\n`);
  process.exit(1);
}

program.parseAsync(process.argv).catch((e: unknown) => {
  fail(isMonitorchError(e) || e instanceof Error ? e.message : String(e));
});
