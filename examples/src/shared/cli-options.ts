import { InvalidArgumentError } from 'commander';
import { DEVICES, type Device } from '@monitorch/backend-onnx';

/** Parses `--device cpu|cuda|webgpu`. */
export function device(value: string): Device {
  if (!(DEVICES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${DEVICES.join(', ')}.`);
  }
  return value as Device;
}

/** The three dropout probabilities of the seed CNN (conv, before lin1, before lin2). */
export type Dropout = readonly [number, number, number];

/** The seed's two settings. */
export const NO_DROPOUT: Dropout = [0, 0, 0];
/** The seed's regularised run. */
export const SEED_DROPOUT: Dropout = [0.5, 0.5, 0.2];

/**
 * Parses one dropout setting: `0.5,0.5,0.2` (three probabilities), or one number used for all
 * three, or `none` / `seed` for the notebook's two settings.
 */
export function dropout(value: string): Dropout {
  if (value === 'none') return NO_DROPOUT;
  if (value === 'seed') return SEED_DROPOUT;
  const parts = value.split(',').map((v) => Number(v.trim()));
  const three = parts.length === 1 ? [parts[0], parts[0], parts[0]] : parts;
  if (three.length !== 3 || three.some((p) => p === undefined || !(p >= 0 && p < 1))) {
    throw new InvalidArgumentError(
      'expected three probabilities in [0, 1) like 0.5,0.5,0.2, one probability, "none" or "seed".',
    );
  }
  return three as unknown as Dropout;
}

/** Parses `--dropout` of the comparison example: `both` (the seed's two runs) or one setting. */
export function dropoutList(value: string): Dropout[] {
  if (value === 'both') return [NO_DROPOUT, SEED_DROPOUT];
  return value
    .split(/\s*;\s*|\s+/)
    .filter((v) => v !== '')
    .map(dropout);
}

/** `[0.5, 0.5, 0.2]` → `0.5,0.5,0.2`. */
export function dropoutLabel(d: Dropout): string {
  return d.join(',');
}
