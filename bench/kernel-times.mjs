// Where a graph's time goes, by ONNX Runtime's own profiler: the kernel time of every node. A
// lens's statistics are nodes the plain graph does not have (the training nodes are built first
// and keep their names), so their own kernel time is the sum over those nodes alone: the shared
// convolutions' run-to-run noise, which is larger than most lenses' work, stays out of it. What
// that misses (memory traffic, tensors kept alive longer) shows in the end-to-end figures.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Session options that make ORT profile every run into a file of `dir`. */
export function profilingOptions(dir) {
  return { enableProfiling: true, profileFilePrefix: join(dir, 'profile') };
}

/** A fresh folder for one session's profile. */
export function profileDir() {
  return mkdtempSync(join(tmpdir(), 'monitorch-kernel-times-'));
}

/**
 * Reads the profile ORT wrote into `dir` (after `session.endProfiling()`), drops the first
 * `skipRuns` runs (warm-up), and returns the median run's kernel time and each node's mean
 * kernel time per run (with its op type), in milliseconds. Removes the folder.
 */
export function readKernelTimes(dir, skipRuns = 2) {
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  if (file === undefined) throw new Error(`no ORT profile in ${dir}`);
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  // Runs are model_run events; a node's kernel belongs to the run whose span holds it.
  const runs = events.filter((e) => e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const perRun = runs.map(() => 0);
  const nodes = new Map();
  for (const k of kernels) {
    const r = runs.findIndex((run) => k.ts >= run.ts && k.ts <= run.ts + run.dur);
    if (r < skipRuns) continue;
    perRun[r] += k.dur / 1000;
    const name = k.name.slice(0, -'_kernel_time'.length);
    const node = nodes.get(name) ?? { op: k.args?.op_name ?? '?', ms: 0 };
    node.ms += k.dur / 1000;
    nodes.set(name, node);
  }
  const timed = perRun.slice(skipRuns).sort((a, b) => a - b);
  for (const node of nodes.values()) node.ms /= timed.length;
  return { kernelMs: timed[Math.floor(timed.length / 2)], nodes };
}

/**
 * The kernel time per run of the nodes `times` has and `plain` has not (a lens's statistics),
 * and the op types that take most of it.
 */
export function addedNodes(times, plain, top = 3) {
  const byOp = {};
  let ms = 0;
  for (const [name, node] of times.nodes) {
    if (plain.nodes.has(name)) continue;
    ms += node.ms;
    byOp[node.op] = (byOp[node.op] ?? 0) + node.ms;
  }
  const ops = Object.entries(byOp)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  return { ms, ops };
}
