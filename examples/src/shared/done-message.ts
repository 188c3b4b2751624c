/** What a training example says when it is done (see {@link doneMessage}). */
export interface DoneMessageOptions {
  /** Where the results were written (a run directory, or the parent of several). */
  readonly results: string;
  /** A run directory `monitorch serve` can show again. */
  readonly runDir: string;
  /** Address of the live page, when one was started. */
  readonly pageUrl: string | undefined;
  /** Whether the page stays up until Ctrl-C (`--keep-serving`). */
  readonly keepServing: boolean;
}

/**
 * The closing lines of a training example: the results are written, and what becomes of the
 * live page — so the terminal never leaves a user wondering whether the command is still busy.
 *
 * @example
 * ```ts
 * console.log(doneMessage({ results: 'runs/mnist', runDir: 'runs/mnist', pageUrl: undefined, keepServing: false }));
 * // Done: training finished and the results are written to runs/mnist.
 * ```
 */
export function doneMessage(o: DoneMessageOptions): string {
  const lines = [`Done: training finished and the results are written to ${o.results}.`];
  if (o.pageUrl !== undefined && o.keepServing) {
    lines.push(`The live page stays up at ${o.pageUrl} (it shows the finished run) — press Ctrl-C to exit.`);
  } else if (o.pageUrl !== undefined) {
    lines.push(
      'The live page has stopped; an open tab keeps the final figure (--keep-serving keeps the page up).',
      `To see the run in the browser again: npx monitorch serve ${o.runDir}`,
    );
  }
  return lines.join('\n');
}
