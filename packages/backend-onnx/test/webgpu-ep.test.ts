// The gradient checks on onnxruntime-node's real WebGPU execution provider (Dawn on Vulkan;
// here SwiftShader, chromium's software Vulkan), with CPU fallback disabled: every node of every
// case's WebGPU-form train graph runs on WebGPU, and its gradients match finite differences of
// the float64 reference as on the CPU provider. This shows the WebGPU kernels compute the right
// numbers and that nothing falls back to the CPU; it says nothing about GPU speed.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { crossEntropy, dropout, linear, sequential, sgd } from '@monitorch/backend-onnx';
import { compileTrainGraph } from '@monitorch/backend-onnx/internals';
import { gradCheck } from './fixtures/gradcheck-harness.js';
import { gradCheckCases } from './fixtures/gradcheck-cases.js';
import {
  openOnWebGpu,
  runOnWebGpu,
  softwareVulkanMissing,
  SWIFTSHADER_ENV,
  vulkanChosen,
} from './fixtures/software-vulkan.js';

const TOL = 1e-3;

if (vulkanChosen()) {
  let overall = 0;
  for (const c of gradCheckCases) {
    t.test(`${c.name} (webgpu graph on the WebGPU provider)`, async (t) => {
      const r = await gradCheck(c.model, c.shape, c.loss, c.targets, {
        entries: c.entries ?? 6,
        device: 'webgpu',
        run: runOnWebGpu,
      });
      overall = Math.max(overall, r.worst);
      t.comment(`worst relative error ${r.worst.toExponential(2)}; loss error ${r.lossError.toExponential(2)}`);
      t.ok(r.lossError < 1e-5, `WebGPU loss equals the float64 reference (${r.lossError.toExponential(2)})`);
      for (const [p, e] of Object.entries(r.perParam))
        t.ok(e < TOL, `${p}: relative error ${e.toExponential(2)} < ${TOL}`);
    });
  }
  t.test(
    'the check bites: a CPU-form graph (in-graph dropout hash, BitwiseXor) is refused on WebGPU alone',
    async (t) => {
      const graph = compileTrainGraph(sequential({ l1: linear(4, 8), drop: dropout(0.4), l2: linear(8, 3) }), {
        inputShape: [-1, 4],
        loss: crossEntropy(),
        optimizer: sgd({ lr: 0 }),
        device: 'cpu',
      });
      await t.rejects(openOnWebGpu(graph), /fallback to CPU EP has been explicitly disabled/);
    },
  );
  t.teardown(() => {
    console.log(`# WebGPU provider gradient check: worst relative error over all cases ${overall.toExponential(2)}`);
  });
} else {
  // The Vulkan loader is found through LD_LIBRARY_PATH, which only a new process picks up.
  const missing = softwareVulkanMissing();
  if (missing !== undefined) {
    t.comment(`skipped: ${missing}`);
    t.pass(`skipped: ${missing}`, { skip: missing });
  } else {
    void t.spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url)],
      { env: { ...process.env, ...SWIFTSHADER_ENV } },
      'gradient checks on the WebGPU provider (SwiftShader Vulkan)',
    );
  }
}
