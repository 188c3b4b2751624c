import { MonitorchError } from '@monitorch/core';
import type { PayloadDType } from '../runtime/step-engine.js';

/** Bytes per element of each payload type the format stores. */
export const ELEMENT_BYTES: Readonly<Record<PayloadDType, number>> = {
  float32: 4,
  int32: 4,
  int64: 8,
  bool: 1,
  uint8: 1,
  float64: 8,
};

/** One tensor's entry in the header. */
export interface TensorEntry {
  readonly name: string;
  readonly dtype: PayloadDType;
  readonly dims: number[];
  readonly offset: number;
  readonly byteLength: number;
}

/** The checked header of a checkpoint file. */
export interface CheckpointHeader {
  readonly progress: { step: number; epoch: number; learningRate: number; seed?: number };
  readonly meta: Record<string, unknown>;
  readonly tensors: TensorEntry[];
}

/** The error every malformed header gives, saying what is wrong and what to do. */
export function badCheckpoint(why: string): MonitorchError {
  return new MonitorchError(
    'INVALID_ARGUMENT',
    `Not a readable monitorch checkpoint: ${why}. Save checkpoints with trainer.saveCheckpoint().`,
    { why },
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Checks a parsed header completely before any byte of tensor data is read: a crafted or
 * damaged file must fail here with a typed error, not later with a RangeError, as header bytes
 * loaded as weights, or as a learning rate `setLearningRate` would refuse.
 *
 * @param parsed - the header's JSON value
 * @param dataBytes - bytes available after the header's padding (the tensor data section)
 * @throws MonitorchError `INVALID_ARGUMENT` naming the field that is wrong
 */
export function checkHeader(parsed: unknown, dataBytes: number): CheckpointHeader {
  if (!isRecord(parsed)) throw badCheckpoint('the header is not a JSON object');
  if (parsed['version'] !== 1) throw badCheckpoint(`unknown header (version ${String(parsed['version'])})`);
  const progress = parsed['progress'];
  if (!isRecord(progress)) throw badCheckpoint('the header has no progress object');
  const { step, epoch, learningRate, seed } = progress;
  if (!isCount(step)) throw badCheckpoint(`progress.step must be an integer ≥ 0, got ${JSON.stringify(step)}`);
  if (!isCount(epoch)) throw badCheckpoint(`progress.epoch must be an integer ≥ 0, got ${JSON.stringify(epoch)}`);
  // The same rule as setLearningRate: a finite number ≥ 0 (JSON turns 1e400 into Infinity).
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate < 0)
    throw badCheckpoint(`progress.learningRate must be a finite number ≥ 0, got ${JSON.stringify(learningRate)}`);
  if (seed !== undefined && !(typeof seed === 'number' && Number.isSafeInteger(seed)))
    throw badCheckpoint(`progress.seed must be an integer, got ${JSON.stringify(seed)}`);
  const meta = parsed['meta'] ?? {};
  if (!isRecord(meta)) throw badCheckpoint('meta must be a JSON object');
  const entries = parsed['tensors'];
  if (!Array.isArray(entries)) throw badCheckpoint('the header has no tensors list');
  const names = new Set<string>();
  const tensors = entries.map((e: unknown, k) => {
    if (!isRecord(e) || typeof e['name'] !== 'string' || e['name'] === '')
      throw badCheckpoint(`tensor entry ${k} has no name`);
    const name = e['name'];
    if (names.has(name)) throw badCheckpoint(`tensor "${name}" appears twice`);
    names.add(name);
    const { dtype, dims, offset, byteLength } = e;
    if (typeof dtype !== 'string' || !Object.hasOwn(ELEMENT_BYTES, dtype))
      throw badCheckpoint(`tensor "${name}" has an unknown type ${JSON.stringify(dtype)}`);
    if (!Array.isArray(dims) || !dims.every(isCount))
      throw badCheckpoint(`tensor "${name}" has bad dims ${JSON.stringify(dims)}`);
    if (!isCount(offset) || offset % 8 !== 0)
      throw badCheckpoint(
        `tensor "${name}" has a bad offset ${JSON.stringify(offset)} (an integer ≥ 0, a multiple of 8)`,
      );
    const elements = dims.reduce((a, b) => a * b, 1);
    const bytes = elements * ELEMENT_BYTES[dtype as PayloadDType];
    if (byteLength !== bytes)
      throw badCheckpoint(
        `tensor "${name}" has byteLength ${JSON.stringify(byteLength)}; ${elements} ${dtype} elements take ${bytes}`,
      );
    if (offset + bytes > dataBytes) throw badCheckpoint(`tensor "${name}" is cut off`);
    return { name, dtype: dtype as PayloadDType, dims: dims, offset, byteLength: bytes };
  });
  return {
    progress: { step, epoch, learningRate, ...(seed === undefined ? {} : { seed: seed }) },
    meta,
    tensors,
  };
}
