import t, { type Test } from 'tap';
import { adam, adamW, linear, mse, sequential, sgd, type Optimizer } from '@monitorch/backend-onnx';
import { compileTrainGraph, GraphRunner, STEP_INPUT, type FeedTensor } from '@monitorch/backend-onnx/internals';

// A 3-parameter problem: y = w·x + b (w has 2 entries), MSE against fixed targets.
const X = [
  [1, 2],
  [-1, 0.5],
  [0.3, -2],
];
const T = [0.5, -1, 2];
const W0 = [0.2, -0.3];
const B0 = 0.1;

/** Float64 gradient of the mean squared error at (w, b). */
function grad(w: number[], b: number): { gw: number[]; gb: number } {
  const gw = [0, 0];
  let gb = 0;
  X.forEach((x, n) => {
    const r = (w[0]! * x[0]! + w[1]! * x[1]! + b - T[n]!) * (2 / X.length);
    gw[0]! += r * x[0]!;
    gw[1]! += r * x[1]!;
    gb += r;
  });
  return { gw, gb };
}

/** Runs `lrs.length` steps in ORT; returns the parameters after each step as [w0, w1, b]. */
async function ortSteps(optimizer: Optimizer, lrs: number[]): Promise<number[][]> {
  const graph = compileTrainGraph(sequential({ lin: linear(2, 1) }), { inputShape: [3, 2], loss: mse(), optimizer });
  const runner = await GraphRunner.open(graph);
  const state: Record<string, FeedTensor> = {
    'lin.weight': { data: Float32Array.from(W0), dims: [1, 2] },
    'lin.bias': { data: Float32Array.from([B0]), dims: [1] },
  };
  for (const i of graph.inputs) {
    if (i.role === 'optState')
      state[i.name] = { data: new Float32Array(i.shape.reduce((a, b) => a * b, 1)), dims: i.shape };
  }
  const history: number[][] = [];
  for (const lr of lrs) {
    const out = await runner.run({
      ...state,
      x: { data: Float32Array.from(X.flat()), dims: [3, 2] },
      y: { data: Float32Array.from(T), dims: [3, 1] },
      lr: { data: new Float32Array([lr]), dims: [] },
    });
    for (const o of graph.outputs) {
      if (o.feeds !== undefined) state[o.feeds] = out[o.name] as FeedTensor;
    }
    history.push([...(state['lin.weight']!.data as Float32Array), ...(state['lin.bias']!.data as Float32Array)]);
  }
  t.equal(Number(state[STEP_INPUT]!.data[0]), lrs.length, 'the step counter counts the steps');
  await runner.release();
  return history;
}

/** Hand-computed optimizer over the flat parameter vector [w0, w1, b]. */
function handSteps(
  update: (p: number[], g: number[], step: number, lr: number) => number[],
  lrs: number[],
): number[][] {
  let p = [...W0, B0];
  const out: number[][] = [];
  lrs.forEach((lr, step) => {
    const { gw, gb } = grad([p[0]!, p[1]!], p[2]!);
    p = update(p, [...gw, gb], step, lr);
    out.push(p);
  });
  return out;
}

function close(t: Test, actual: number[][], expected: number[][], tol: number, what: string): void {
  let worst = 0;
  actual.forEach((row, s) =>
    row.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - expected[s]![i]!) / Math.max(Math.abs(expected[s]![i]!), 1e-3));
    }),
  );
  t.ok(
    worst < tol,
    `${what}: every parameter after every step matches (worst relative difference ${worst.toExponential(2)})`,
  );
}

const LRS = [0.1, 0.1, 0.05];

t.test('SGD plain', async (t) => {
  const expected = handSteps((p, g, _s, lr) => p.map((v, i) => v - lr * g[i]!), LRS);
  close(t, await ortSteps(sgd({ lr: 0.1 }), LRS), expected, 1e-6, 'SGD');
});

t.test('SGD with momentum, dampening and weight decay (PyTorch: first buffer = gradient)', async (t) => {
  const m = 0.9,
    d = 0.2,
    wd = 0.05;
  let buf: number[] = [];
  const expected = handSteps((p, g0, step, lr) => {
    const g = g0.map((v, i) => v + wd * p[i]!);
    buf = step === 0 ? g : buf.map((b, i) => m * b + (1 - d) * g[i]!);
    return p.map((v, i) => v - lr * buf[i]!);
  }, LRS);
  close(
    t,
    await ortSteps(sgd({ lr: 0.1, momentum: m, dampening: d, weightDecay: wd }), LRS),
    expected,
    1e-6,
    'SGD momentum',
  );
});

t.test('SGD nesterov', async (t) => {
  const m = 0.8;
  let buf: number[] = [];
  const expected = handSteps((p, g, step, lr) => {
    buf = step === 0 ? g : buf.map((b, i) => m * b + g[i]!);
    return p.map((v, i) => v - lr * (g[i]! + m * buf[i]!));
  }, LRS);
  close(t, await ortSteps(sgd({ lr: 0.1, momentum: m, nesterov: true }), LRS), expected, 1e-6, 'SGD nesterov');
});

function adamHand(b1: number, b2: number, eps: number, wd: number, decoupled: boolean) {
  let mm = [0, 0, 0];
  let vv = [0, 0, 0];
  return (p0: number[], g0: number[], step: number, lr: number): number[] => {
    const t1 = step + 1;
    const p = decoupled ? p0.map((v) => v * (1 - lr * wd)) : p0;
    const g = decoupled ? g0 : g0.map((v, i) => v + wd * p0[i]!);
    mm = mm.map((m, i) => b1 * m + (1 - b1) * g[i]!);
    vv = vv.map((v, i) => b2 * v + (1 - b2) * g[i]! ** 2);
    const stepSize = lr / (1 - b1 ** t1);
    return p.map((v, i) => v - (stepSize * mm[i]!) / (Math.sqrt(vv[i]!) / Math.sqrt(1 - b2 ** t1) + eps));
  };
}

t.test('Adam (defaults, then with L2 weight decay)', async (t) => {
  close(t, await ortSteps(adam({ lr: 0.1 }), LRS), handSteps(adamHand(0.9, 0.999, 1e-8, 0, false), LRS), 3e-5, 'Adam');
  close(
    t,
    await ortSteps(adam({ lr: 0.1, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }), LRS),
    handSteps(adamHand(0.8, 0.99, 1e-6, 0.1, false), LRS),
    3e-5,
    'Adam with weight decay',
  );
});

t.test('AdamW (decoupled weight decay, default 1e-2 and 0.3)', async (t) => {
  close(
    t,
    await ortSteps(adamW({ lr: 0.1 }), LRS),
    handSteps(adamHand(0.9, 0.999, 1e-8, 1e-2, true), LRS),
    3e-5,
    'AdamW',
  );
  close(
    t,
    await ortSteps(adamW({ lr: 0.1, weightDecay: 0.3 }), LRS),
    handSteps(adamHand(0.9, 0.999, 1e-8, 0.3, true), LRS),
    3e-5,
    'AdamW wd 0.3',
  );
  // Decoupled and L2 decay really differ here, so the test can tell them apart.
  const l2 = handSteps(adamHand(0.9, 0.999, 1e-8, 0.3, false), LRS);
  const dec = handSteps(adamHand(0.9, 0.999, 1e-8, 0.3, true), LRS);
  t.ok(Math.abs(l2[2]![0]! - dec[2]![0]!) > 1e-4, 'AdamW and Adam+L2 give different parameters');
});

t.test('bad optimizer options', async (t) => {
  t.throws(() => sgd({ lr: -1 }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => sgd({ lr: 0.1, nesterov: true }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => adam({ betas: [1, 0.9] }), { code: 'INVALID_ARGUMENT' });
  t.equal(adam().learningRate, 1e-3, 'Adam default lr is 1e-3');
});
