import { Inspector } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { TerminalReporter, serve, type LivePage } from '@monitorch/viz';
import type { LensChoice } from '../shared/lens-choice.js';

/** An Inspector with the seed's three lenses, its terminal output and (optionally) a live page. */
export interface Watch {
  readonly inspector: Inspector;
  readonly reporter: TerminalReporter;
  /** The live page, unless `serve` was false. */
  readonly page: LivePage | undefined;
  /**
   * Ends the watch when training is done: stops the reporter and closes the Inspector (its
   * `.arrow` files are written), so the live page says the run finished. The page stays up.
   */
  finish(): Promise<void>;
  /** {@link finish}, then stops the live page. */
  close(): Promise<void>;
}

/**
 * The seed's lenses — LossMetrics (`val_accuracy`; loss and metrics in separate panels, so the
 * accuracy has its own 0–1 axis), OutputActivation, ParameterGradientActivation — plus the
 * chosen `lenses` (`--lenses`) in one Inspector, with a progress bar and per-epoch summary on
 * stderr, and a live page on 127.0.0.1 (any free port) when `serve`.
 */
export async function watch(options: { serve: boolean; title: string; lenses: readonly LensChoice[] }): Promise<Watch> {
  const inspector = new Inspector({
    lenses: [
      new LossMetrics({ metrics: ['val_accuracy'] }),
      new OutputActivation(),
      new ParameterGradientActivation(),
      ...options.lenses.map((l) => l.create()),
    ],
    // npm start writes runs/mnist (and the dropout runs) again on every run: replace them.
    overwrite: true,
  });
  const reporter = new TerminalReporter().attach(inspector);
  const page = options.serve ? await serve(inspector, { host: '127.0.0.1', title: options.title }) : undefined;
  const finish = async (): Promise<void> => {
    reporter.detach();
    await inspector.close();
  };
  return {
    inspector,
    reporter,
    page,
    finish,
    async close() {
      // Inspector first: its close is what tells the open pages the run finished.
      await finish();
      await page?.close();
    },
  };
}

/** Resolves on Ctrl-C (SIGINT) or SIGTERM, so a live page can stay up after training. */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
