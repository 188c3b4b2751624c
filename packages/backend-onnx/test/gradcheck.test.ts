import t from 'tap';
import { gradCheck } from './fixtures/gradcheck-harness.js';
import { gradCheckCases as cases } from './fixtures/gradcheck-cases.js';

const TOL = 1e-3;

let overall = 0;
// Every case twice: the CPU graph, and the GPU form of the same network (no MaxPool Indices or
// MaxUnpool, ONNX Dropout, no finiteness gate) run on the CPU provider.
for (const device of ['cpu', 'webgpu'] as const) {
  for (const c of cases) {
    t.test(`${c.name} (${device} graph)`, async (t) => {
      const r = await gradCheck(c.model, c.shape, c.loss, c.targets, { entries: c.entries ?? 6, device });
      overall = Math.max(overall, r.worst);
      t.comment(
        `worst relative error ${r.worst.toExponential(2)} over ${r.checked} entries; loss error ${r.lossError.toExponential(2)}`,
      );
      t.ok(r.lossError < 1e-5, `ORT loss equals the float64 reference (${r.lossError.toExponential(2)})`);
      for (const [p, e] of Object.entries(r.perParam))
        t.ok(e < TOL, `${p}: relative error ${e.toExponential(2)} < ${TOL}`);
    });
  }
}

t.teardown(() => {
  console.log(`# gradient check: worst relative error over all cases ${overall.toExponential(2)}`);
});
