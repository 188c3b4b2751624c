import { histogramProblem } from './kernels/histogram.js';
import { MODULE_KINDS } from './module-info.js';
import type { ReductionOp, TensorSource } from './reduction.js';

/**
 * The reduction ops, as data. A `Record` over the op union: adding an op to `Reduction`
 * fails to compile here until it is listed.
 */
const OPS: Record<ReductionOp, true> = {
  activeCount: true,
  sum: true,
  sumSquares: true,
  min: true,
  max: true,
  l2: true,
  nonFinite: true,
  sampleL2: true,
  previousDot: true,
  updateRatio: true,
  singularRatio: true,
  histogram: true,
};

/** The tensor sources, as data (same rule as {@link OPS}). */
const SOURCES: Record<TensorSource, true> = {
  output: true,
  outputGradient: true,
  gradient: true,
  update: true,
  parameter: true,
};

/**
 * What is wrong with a lens request, or undefined when it is well-formed. Requests are plain
 * data and may come from untyped code, so every field is checked before any adapter plans with
 * it: a bad request found here names its lens, instead of failing every report later.
 *
 * @param request - the request as the lens declared it
 */
export function requestProblem(request: unknown): string | undefined {
  if (!isObject(request)) return 'a request is an object { select, reduction }';
  const select = request['select'];
  return (
    selectProblem(select) ??
    reductionProblem(request['reduction']) ??
    pairingProblem(select as Record<string, unknown>, request['reduction'] as Record<string, unknown>) ??
    samplingProblem(request['sampling'])
  );
}

/** Which sources each source-bound op works on, and why (the words of the message). */
const OP_SOURCES: Partial<Record<ReductionOp, { sources: readonly TensorSource[]; why: string }>> = {
  sampleL2: {
    sources: ['output', 'outputGradient'],
    why: 'it averages per-sample norms over the batch dimension, which only module outputs and output gradients have',
  },
  updateRatio: { sources: ['update'], why: 'it divides an update by the parameter before the step' },
  singularRatio: {
    sources: ['parameter'],
    why: 'it is a property of a weight matrix, computed from the epoch-end parameter snapshot',
  },
};

/** An op used on a source it does not apply to (both parts are well-formed already). */
function pairingProblem(select: Record<string, unknown>, reduction: Record<string, unknown>): string | undefined {
  const op = reduction['op'] as ReductionOp;
  const of = select['of'] as TensorSource;
  const rule = OP_SOURCES[op];
  if (rule === undefined || rule.sources.includes(of)) return undefined;
  return `${op} works on ${rule.sources.join(' or ')} tensors, not ${of}: ${rule.why}`;
}

/**
 * What is wrong with a `sampling` (whole numbers ≥ 1, both optional), or undefined.
 *
 * @param sampling - a request's or the Inspector's sampling
 */
export function samplingProblem(sampling: unknown): string | undefined {
  if (sampling === undefined) return undefined;
  if (!isObject(sampling))
    return `sampling must be an object { everySteps?, everyEpochs }, got ${JSON.stringify(sampling)}`;
  for (const field of ['everySteps', 'everyEpochs'] as const) {
    const v = sampling[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)) {
      return `sampling.${field} must be a whole number >= 1, got ${JSON.stringify(v)}`;
    }
  }
  return undefined;
}

function selectProblem(select: unknown): string | undefined {
  if (!isObject(select)) return 'select must be an object such as { of: "output", modules: {} }';
  const of = select['of'];
  if (typeof of !== 'string' || !Object.hasOwn(SOURCES, of)) {
    return `select.of is ${JSON.stringify(of)}; use one of ${Object.keys(SOURCES).join(', ')}`;
  }
  if (of === 'output' || of === 'outputGradient') {
    if (!isObject(select['modules']))
      return `select.modules must be a module selector object ({} selects every module)`;
  }
  if (select['modules'] !== undefined) {
    const problem = selectorProblem(select['modules']);
    if (problem !== undefined) return problem;
  }
  if (select['phases'] !== undefined && !isStringList(select['phases'], true)) {
    return `select.phases must be a non-empty array of phase names, got ${JSON.stringify(select['phases'])}`;
  }
  if ((of === 'gradient' || of === 'update' || of === 'parameter') && !isStringList(select['parameters'], true)) {
    return `select.parameters must be a non-empty array of parameter names, got ${JSON.stringify(select['parameters'])}`;
  }
  return undefined;
}

function selectorProblem(modules: unknown): string | undefined {
  if (!isObject(modules)) return 'select.modules must be an object';
  for (const field of ['kinds', 'excludeKinds'] as const) {
    const kinds = modules[field];
    if (kinds === undefined) continue;
    if (!isStringList(kinds, false) || kinds.some((k) => !(MODULE_KINDS as readonly string[]).includes(k))) {
      return `select.modules.${field} must list module kinds (${MODULE_KINDS.join(', ')}), got ${JSON.stringify(kinds)}`;
    }
  }
  for (const field of ['names', 'excludeNames'] as const) {
    if (modules[field] !== undefined && !isStringList(modules[field], false)) {
      return `select.modules.${field} must be an array of module names, got ${JSON.stringify(modules[field])}`;
    }
  }
  return undefined;
}

function reductionProblem(reduction: unknown): string | undefined {
  if (!isObject(reduction)) return 'reduction must be an object such as { op: "l2" }';
  const op = reduction['op'];
  if (typeof op !== 'string' || !Object.hasOwn(OPS, op)) {
    return `reduction op ${JSON.stringify(op)} is not one of ${Object.keys(OPS).join(', ')}`;
  }
  if (op === 'histogram') {
    const problem = histogramProblem(reduction['lo'], reduction['hi'], reduction['bins']);
    return problem === undefined ? undefined : `histogram: ${problem}`;
  }
  if (op !== 'activeCount') return undefined;
  const per = reduction['per'];
  if (per !== 'channel' && per !== 'neuron')
    return `activeCount needs per: "channel" or "neuron", got ${JSON.stringify(per)}`;
  const eps = reduction['eps'];
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
    return `activeCount needs eps, a finite number >= 0 (monitorch uses 1e-8), got ${JSON.stringify(eps)}`;
  }
  const last = reduction['channelsLast'];
  if (last !== undefined && typeof last !== 'boolean')
    return `channelsLast must be true or false, got ${JSON.stringify(last)}`;
  return undefined;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isStringList(x: unknown, nonEmpty: boolean): x is string[] {
  return Array.isArray(x) && (!nonEmpty || x.length > 0) && x.every((v) => typeof v === 'string' && v !== '');
}
