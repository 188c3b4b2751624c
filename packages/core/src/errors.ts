/**
 * Every stable error and warning code. A code never changes meaning once published; tests and
 * users may switch on it. Warnings that adapters publish (`NON_FINITE_INPUT`, `DEVICE_FALLBACK`,
 * …) use the same codes, so `inspector.errors$` carries them unchanged.
 */
export const MONITORCH_ERROR_CODES = [
  'SHAPE_MISMATCH',
  'INVALID_ARGUMENT',
  'UNKNOWN_MODULE',
  'UNKNOWN_METRIC',
  'NON_FINITE_INPUT',
  'NON_FINITE_LOSS',
  'TICK_WITHOUT_DATA',
  'RUN_DIR_UNWRITABLE',
  'RUN_DIR_UNREADABLE',
  'NOT_ATTACHED',
  'ALREADY_CLOSED',
  'LENS_FAILED',
  'UNSUPPORTED',
  'DEVICE_UNAVAILABLE',
  'DEVICE_FALLBACK',
  'ADAPTER_IN_USE',
  'BACKEND_FAILED',
  'RUN_DIR_LOCKED',
  'RUN_DIR_EXISTS',
  'RUN_DAMAGED',
  'SOURCE_NOT_REPORTED',
] as const;

/** A stable error or warning code (see {@link MONITORCH_ERROR_CODES}). */
export type MonitorchErrorCode = (typeof MONITORCH_ERROR_CODES)[number];

/** True when `code` is one of {@link MONITORCH_ERROR_CODES} (for codes from untyped code). */
export function isMonitorchErrorCode(code: unknown): code is MonitorchErrorCode {
  return (MONITORCH_ERROR_CODES as readonly unknown[]).includes(code);
}

/**
 * The one error class of monitorch. `code` is stable; `message` says what was wrong and
 * what to do about it; `details` carries the offending values for programs.
 *
 * @example
 * ```ts
 * try { loop.output('relu1', data, [2, 3]); }
 * catch (e) { if (e instanceof MonitorchError && e.code === 'SHAPE_MISMATCH') … }
 * ```
 */
export class MonitorchError extends Error {
  /** Stable machine-readable code. */
  readonly code: MonitorchErrorCode;
  /** Structured context (shapes, names, values) for programs and logs. */
  readonly details: Readonly<Record<string, unknown>>;

  /**
   * @param code - stable code
   * @param message - what was wrong and what to do
   * @param details - structured context
   * @param options - standard `cause`
   */
  constructor(
    code: MonitorchErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MonitorchError';
    this.code = code;
    this.details = details;
  }
}

/** True when `e` is a {@link MonitorchError}, optionally with the given code. */
export function isMonitorchError(e: unknown, code?: MonitorchErrorCode): e is MonitorchError {
  return e instanceof MonitorchError && (code === undefined || e.code === code);
}
