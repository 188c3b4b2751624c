import { isMonitorchError } from '@monitorch/core';

/**
 * Runs an example's main function; a MonitorchError (a device that cannot start, a bad option,
 * missing data) is printed as its message — which says what to do — with exit code 1, instead
 * of a stack trace. Other errors are bugs and keep their stack.
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (!isMonitorchError(e)) throw e;
    console.error(`\nerror (${e.code}): ${e.message}`);
    process.exitCode = 1;
  }
}
