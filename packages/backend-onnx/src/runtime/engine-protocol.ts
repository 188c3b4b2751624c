import { MonitorchError, type MonitorchErrorCode } from '@monitorch/core';
import type { RunResult, StepEngine, TensorPayload } from './step-engine.js';

/** The engine methods a worker serves. */
export type EngineMethod = 'load' | 'reuse' | 'setState' | 'getState' | 'clearGeometry' | 'run' | 'close';

/** Main thread → worker: call `method` with `args`. */
export interface EngineCall {
  readonly id: number;
  readonly method: EngineMethod;
  readonly args: unknown[];
}

/** An error as plain data (errors lose their class when posted). */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  readonly code?: MonitorchErrorCode;
  readonly details?: Record<string, unknown>;
}

/** Worker → main thread: the result of call `id`. */
export type EngineReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: ErrorData };

/** Dispatches a call on an engine (used inside the worker); the arguments are the caller's, as posted. */
export function callEngine(engine: StepEngine, call: EngineCall): Promise<unknown> {
  switch (call.method) {
    case 'load':
      return engine.load(...(call.args as Parameters<StepEngine['load']>));
    case 'reuse':
      return engine.reuse(...(call.args as Parameters<StepEngine['reuse']>));
    case 'setState':
      return engine.setState(...(call.args as Parameters<StepEngine['setState']>));
    case 'getState':
      return engine.getState(...(call.args as Parameters<StepEngine['getState']>));
    case 'clearGeometry':
      return engine.clearGeometry();
    case 'run':
      return engine.run(...(call.args as Parameters<StepEngine['run']>));
    case 'close':
      return engine.close();
  }
}

/**
 * Whether a reply's large buffers may be moved rather than copied: only fresh ORT outputs and
 * state copies. `reuse` answers with graphs the worker keeps, which must stay usable there.
 */
export function repliesWithFreshBuffers(method: EngineMethod): boolean {
  return method === 'run' || method === 'getState';
}

/** Turns any thrown value into plain data. */
export function errorToData(e: unknown): ErrorData {
  if (e instanceof MonitorchError)
    return { name: e.name, message: e.message, code: e.code, details: plainDetails(e.details) };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

/** Rebuilds the error on the other side; monitorch errors keep their code. */
export function errorFromData(d: ErrorData): Error {
  if (d.code !== undefined) return new MonitorchError(d.code, d.message, d.details ?? {});
  return new MonitorchError('BACKEND_FAILED', `The training worker failed: ${d.message}`, { name: d.name });
}

/**
 * Below this size a buffer is copied, not moved: detaching and re-wrapping a buffer costs more
 * than copying a few hundred bytes, and a step returns dozens of tiny statistic arrays
 * (measured: moving them all added ~4 ms to a 55 ms step; copying them costs ~0.1 ms).
 */
export const MIN_TRANSFER_BYTES = 64 * 1024;

/**
 * The buffers of typed arrays found in `value` that are worth moving rather than copying: each
 * must be exactly covered by its array, so no other data is detached with it, and at least
 * {@link MIN_TRANSFER_BYTES} long.
 */
export function transferables(value: unknown, out: ArrayBuffer[] = [], seen = new Set<unknown>()): ArrayBuffer[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const buf = value.buffer;
    if (
      buf instanceof ArrayBuffer &&
      value.byteOffset === 0 &&
      value.byteLength === buf.byteLength &&
      buf.byteLength >= MIN_TRANSFER_BYTES &&
      !out.includes(buf)
    )
      out.push(buf);
    return out;
  }
  for (const v of Object.values(value)) transferables(v, out, seen);
  return out;
}

/** Copies of the typed arrays in a state record (for callers that must keep their arrays). */
export function copyState(state: Readonly<Record<string, TensorPayload>>): Record<string, TensorPayload> {
  const out: Record<string, TensorPayload> = {};
  for (const [k, v] of Object.entries(state)) out[k] = { dtype: v.dtype, dims: [...v.dims], data: v.data.slice() };
  return out;
}

function plainDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  try {
    return structuredClone({ ...details });
  } catch {
    return { note: 'details could not be posted from the worker' };
  }
}

/** A run result whose float32 statistics travel as one buffer (see {@link packStats}). */
export interface PackedRunResult extends RunResult {
  readonly packed?: {
    readonly data: Float32Array;
    readonly index: readonly (readonly [string, number, number, readonly number[]])[];
  };
}

/**
 * Packs a run result's float32 statistics into one buffer before it is posted: a step has
 * dozens of tiny statistic arrays, and posting them one by one cost ~2 ms a step (measured on
 * the seed CNN), while one packed buffer costs microseconds.
 */
export function packStats(result: RunResult): PackedRunResult {
  const entries = Object.entries(result.stats);
  const floats = entries.filter(([, t]) => t.data instanceof Float32Array);
  if (floats.length === 0) return result;
  const total = floats.reduce((n, [, t]) => n + t.data.length, 0);
  const data = new Float32Array(total);
  const index: [string, number, number, readonly number[]][] = [];
  let offset = 0;
  for (const [name, t] of floats) {
    data.set(t.data as Float32Array, offset);
    index.push([name, offset, t.data.length, t.dims]);
    offset += t.data.length;
  }
  const rest = Object.fromEntries(entries.filter(([, t]) => !(t.data instanceof Float32Array)));
  return { ...result, stats: rest, packed: { data, index } };
}

/** Undoes {@link packStats}: the statistics become views on the one received buffer. */
export function unpackStats(result: PackedRunResult): RunResult {
  const { packed, ...rest } = result;
  if (packed === undefined) return rest;
  const stats: Record<string, TensorPayload> = { ...rest.stats };
  for (const [name, offset, length, dims] of packed.index) {
    stats[name] = { dtype: 'float32', dims, data: packed.data.subarray(offset, offset + length) };
  }
  return { ...rest, stats };
}
