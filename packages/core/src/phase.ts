/**
 * The phase an event belongs to: `train`, `val`, or any user label (e.g. `test`).
 * Phases are never mixed: every lens keeps one series per phase it records.
 */
export type Phase = 'train' | 'val' | (string & {});

/** The default phase of events reported without one. */
export const DEFAULT_PHASE: Phase = 'train';
