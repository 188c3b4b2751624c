// Command lines of the bench scripts: commander, as in the monitorch CLI and the examples, so
// `--help` lists the options without measuring anything and an unknown option is an error
// that names it (exit code 1).
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';

/** Environment variables that areas read, by area, for the help texts. */
const ENVIRONMENT = {
  viz: '  EPOCHS                   viz: epochs of the synthetic tables drawn (default: 300)',
  memory: '  MONITORCH_MEMORY_EPOCHS  memory: epochs of the long run (default: 10000)',
  'lens-goal': '  MONITORCH_BENCH_GOAL_GROUPS  lens-goal: groups of rounds, one round per mode each (default: 60)',
};

/**
 * The help text's "Environment:" section for the given areas (empty when none reads any).
 *
 * @param {readonly string[]} areas - area names
 * @returns {string} text to add after the options
 */
export function environmentHelp(areas) {
  const lines = areas.map((a) => ENVIRONMENT[a]).filter((l) => l !== undefined);
  return lines.length === 0 ? '' : `\nEnvironment:\n${lines.join('\n')}\n`;
}

/** Whether the module at `url` is the script node was started with, not one imported by run.mjs. */
export function isMain(url) {
  return process.argv[1] !== undefined && url === pathToFileURL(process.argv[1]).href;
}

/**
 * Parses the command line of one area run on its own (`node bench/<area>.mjs`); `--help`
 * prints the options and exits before anything is measured.
 *
 * @param {string} area - the file name without `.mjs`
 * @param {string} description - what the area measures
 * @param {{ json?: boolean }} [options] - whether the area takes `--json`
 * @returns {{ json: boolean }} the parsed options
 */
export function areaOptions(area, description, { json = false } = {}) {
  const program = new Command(`node bench/${area}.mjs`)
    .description(description)
    .addHelpText('after', environmentHelp([area]))
    .showHelpAfterError('(--help lists the options)');
  if (json) program.option('--json', 'print one JSON object');
  return { json: false, ...program.parse().opts() };
}
