// Why OutputGradientGeometry is the costly lens on the CPU provider: what it costs to carry one
// tensor the size of the seed CNN's first-layer output gradient ([256, 64, 28, 28], 49 MiB) out
// of ONNX Runtime and back in, next to the arithmetic of the correlation itself. Three graphs run
// round-robin on the same input: the tensor reduced inside the graph only ("kept inside"), the
// same plus the tensor as a graph output ("carried out"), and that plus the dot with the previous
// step's tensor fed back as an input ("carried and correlated", what `previousDot` does). A last
// pair times, in plain JS, writing 49 MiB into a freshly allocated buffer and into a reused one:
// onnxruntime-node copies every output into a new ArrayBuffer, and a fresh buffer this large is
// new pages that the kernel must map on first touch.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '@monitorch/backend-onnx/internals';

const DIMS = [256, 64, 28, 28];
const SIZE = DIMS.reduce((a, b) => a * b, 1);

function graph(kind) {
  const g = new GraphBuilder(`copy-${kind}`);
  const x = g.input('x', 'float32', DIMS);
  const prev = g.input('prev', 'float32', DIMS);
  const y = g.op1('Relu', [x]);
  g.output(g.op1('ReduceSumSquare', [y], { keepdims: 0 }));
  if (kind !== 'inside') g.output(g.rename(y, 'carried'));
  if (kind === 'correlated') g.output(g.op1('ReduceSum', [g.op1('Mul', [prev, y])], { keepdims: 0 }));
  else g.output(g.op1('Identity', [g.op1('ReduceMax', [prev], { keepdims: 0 })])); // every graph reads `prev`
  return g.toBytes();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median milliseconds per run of each graph, and of the two JS writes. */
export async function outputCopyCost({ rounds = 15 } = {}) {
  const kinds = ['inside', 'carried', 'correlated'];
  const sessions = {};
  for (const k of kinds) {
    sessions[k] = await ort.InferenceSession.create(graph(k), {
      executionProviders: ['cpu'],
      intraOpNumThreads: 2,
      logSeverityLevel: 3,
    });
  }
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: SIZE }, (_, i) => (i % 7) - 3),
    DIMS,
  );
  const prev = Object.fromEntries(kinds.map((k) => [k, new ort.Tensor('float32', new Float32Array(SIZE), DIMS)]));
  const times = Object.fromEntries([...kinds, 'freshWrite', 'reusedWrite'].map((k) => [k, []]));
  const reused = new Float32Array(SIZE);
  for (let r = 0; r < rounds + 2; r++) {
    for (const k of r % 2 === 0 ? kinds : [...kinds].reverse()) {
      const start = performance.now();
      const out = await sessions[k].run({ x, prev: prev[k] });
      const ms = performance.now() - start;
      if (out.carried !== undefined) prev[k] = out.carried;
      if (r >= 2) times[k].push(ms);
    }
    let start = performance.now();
    new Float32Array(SIZE).fill(r);
    if (r >= 2) times.freshWrite.push(performance.now() - start);
    start = performance.now();
    reused.fill(r);
    if (r >= 2) times.reusedWrite.push(performance.now() - start);
  }
  for (const s of Object.values(sessions)) await s.release();
  return { mib: (4 * SIZE) / 2 ** 20, ...Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) };
}
