import t from 'tap';
import { EarlyStopper } from '@monitorch/backend-onnx';

// An independent transcription of the seed's Python EarlyStopper.__call__.
function seedStopper(patience: number, eps: number): (v: number) => boolean {
  let loss = Infinity;
  let timer = 0;
  return (v) => {
    if (loss - v > eps) {
      loss = v;
      timer = 0;
      return false;
    }
    timer += 1;
    return timer >= patience;
  };
}

t.test('stops after `patience` calls without an improvement larger than eps', async (t) => {
  const s = new EarlyStopper({ patience: 2, eps: 0.1 });
  t.equal(s.step(1.0), false, 'first value always improves on +inf');
  t.equal(s.step(0.95), false, 'improvement 0.05 ≤ eps: waiting 1');
  t.equal(s.waiting, 1);
  t.equal(s.best, 1.0, 'best does not move without an improvement');
  t.equal(s.step(0.85), false, '1.0 − 0.85 > 0.1: improvement resets');
  t.equal(s.best, 0.85);
  t.equal(s.step(0.9), false);
  t.equal(s.step(Number.NaN), true, 'NaN never improves; second miss stops');
});

t.test('exactly eps is not an improvement', async (t) => {
  const s = new EarlyStopper({ patience: 1, eps: 0.5 });
  s.step(1);
  t.equal(s.step(0.5), true);
});

t.test('matches the seed rule on a long random sequence; defaults 5 and 1e-3', async (t) => {
  const ours = new EarlyStopper();
  t.equal(ours.patience, 5);
  t.equal(ours.eps, 1e-3);
  const theirs = seedStopper(5, 1e-3);
  let x = 12345;
  let stops = 0;
  for (let i = 0; i < 500; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const v = 1 / (1 + i / 50) + (x / 2147483648) * 0.01;
    const mine = ours.step(v);
    if (mine) stops++;
    t.equal(mine, theirs(v), `call ${i}`);
  }
  t.ok(stops > 0, 'the sequence does trigger stops');
  ours.reset();
  t.equal(ours.best, Infinity);
});

t.test('bad options are refused', async (t) => {
  t.throws(() => new EarlyStopper({ patience: 0 }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => new EarlyStopper({ eps: -1 }), { code: 'INVALID_ARGUMENT' });
});
