/** What {@link runPipelined} does with each item. */
export interface PipelineStages<B, R> {
  /**
   * Starts the step for `item` (in the worker: it runs while this thread does other work). Post
   * the step before returning: `report` runs as soon as this returns, and it overlaps only a
   * step already posted — one posted after an `await` would start only once `report` is done.
   */
  start(item: B): Promise<R>;
  /**
   * Runs when a step's result arrives, before the next step is started: accounting, user
   * callbacks that may change what the next step does (a learning rate), and the decision to
   * go on. Return false to start no further step.
   */
  settle(item: B, result: R): boolean;
  /** Runs after the next step was started, so it overlaps with it: reporting to the lenses. */
  report(item: B, result: R): void;
}

/**
 * Runs one step per item with the next step already running while the previous one is
 * reported: the lenses' folding (and the next batch's gathering) happen during the step, not
 * between steps, so monitoring does not stall training. Only one step is ever in flight, and
 * `settle` sees each result before the following step starts, so stopping after a bad step
 * starts nothing more.
 *
 * @param items - the batches, pulled one ahead of the running step
 * @param stages - see {@link PipelineStages}
 */
export async function runPipelined<B, R>(items: Iterator<B>, stages: PipelineStages<B, R>): Promise<void> {
  let next = items.next();
  if (next.done === true) return;
  let running: { item: B; result: Promise<R> } | undefined = { item: next.value, result: stages.start(next.value) };
  next = items.next(); // gather the following batch while the first step runs
  while (running !== undefined) {
    const done: { item: B; result: Promise<R> } = running;
    running = undefined;
    const result = await done.result;
    if (stages.settle(done.item, result) && next.done !== true) {
      running = { item: next.value, result: stages.start(next.value) };
      next = items.next();
    }
    try {
      stages.report(done.item, result);
    } catch (e) {
      // Never leave a step running unobserved: let it finish before the error goes up.
      await running?.result.catch(() => undefined);
      throw e;
    }
  }
}
