// Number parsers for commander options. Kept apart from cli-options.ts, which imports the ONNX
// backend (for --device): the plain-TypeScript MLP example parses numbers without loading ONNX Runtime.
import { InvalidArgumentError } from 'commander';

/** Parses a positive integer option (`--epochs 3`). */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** Parses an integer option that may be 0 or negative (`--seed 0`). */
export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer.');
  return n;
}

/** Parses a positive finite number option (`--lr 0.01`). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('expected a positive number.');
  }
  return n;
}
