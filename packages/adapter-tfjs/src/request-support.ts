import { MonitorchError, matchesModule, reduce, type ReductionRequest } from '@monitorch/core';
import { DOWNLOADED_OPS } from './backend-reductions.js';
import type { ModelModules } from './model-modules.js';

/**
 * Checks, at attach, that the adapter can answer every request of the Inspector's lenses, so a
 * lens that needs what tfjs cannot give fails at once with its reason instead of sitting empty.
 *
 * - `outputGradient`: tfjs keeps no gradient of a layer's output that the adapter could read
 *   without changing the model's graph; refused.
 * - `singularRatio` and `histogram` run on core's CPU kernel over the downloaded tensor, which
 *   the adapter does only for parameter snapshots (a whole activation every step would defeat
 *   the point); refused on other tensors, and refused while core has no such kernel.
 * - an output request that names a module by name that reports no output (a wrapper layer, a
 *   Dense whose output is reported by its fused activation) is refused with the module to use.
 *
 * @throws MonitorchError `UNSUPPORTED` naming the request and what is missing
 */
export function checkRequestsSupported(requests: readonly ReductionRequest[], model: ModelModules): void {
  const withOutput = new Set(model.outputs.map((o) => o.module.name));
  for (const r of requests) {
    const what = `a lens asks for ${r.reduction.op} of ${r.select.of} tensors`;
    if (r.select.of === 'outputGradient') {
      throw new MonitorchError(
        'UNSUPPORTED',
        `${what}, but tfjs gives no gradient of a layer's output to the tfjs adapter (only parameter gradients ` +
          'through the optimizer). Remove that lens, or train with @monitorch/backend-onnx, which computes output gradients.',
        { source: r.select.of, op: r.reduction.op },
      );
    }
    if (DOWNLOADED_OPS.has(r.reduction.op)) {
      if (r.select.of !== 'parameter') {
        throw new MonitorchError(
          'UNSUPPORTED',
          `${what}; the tfjs adapter computes ${r.reduction.op} only on parameter snapshots (it downloads the tensor ` +
            'for core’s kernel, affordable once per epoch, not every step). Ask for it on parameter tensors.',
          { source: r.select.of, op: r.reduction.op },
        );
      }
      probeKernel(r, what);
    }
    if (r.select.of === 'output') {
      for (const name of r.select.modules.names ?? []) {
        if (withOutput.has(name)) continue;
        const module = model.modules.find((m) => m.name === name);
        if (module === undefined || !matchesModule(r.select.modules, module)) continue;
        const fused = model.modules.find((m) => m.name.startsWith(`${name}.`) && m.order === module.order + 1);
        const hint =
          fused === undefined
            ? `${module.type} layers run an inner layer the model does not list, so the adapter cannot see the output.`
            : `its output is reported by its fused activation, module "${fused.name}"; watch that name instead.`;
        throw new MonitorchError('UNSUPPORTED', `${what} of module "${name}", which reports no output: ${hint}`, {
          module: name,
          type: module.type,
        });
      }
    }
  }
}

/** Refuses an op core has no CPU kernel for yet (the adapter would only fail at the first snapshot). */
function probeKernel(r: ReductionRequest, what: string): void {
  try {
    reduce(new Float32Array([1, 0, 0, 1]), [2, 2], r.reduction);
  } catch (e) {
    throw new MonitorchError(
      'UNSUPPORTED',
      `${what}, which the tfjs adapter computes with core’s CPU kernel, and that kernel failed: ${String(e)}`,
      { source: r.select.of, op: r.reduction.op },
      { cause: e },
    );
  }
}
