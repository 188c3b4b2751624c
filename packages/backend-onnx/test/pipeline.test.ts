import t from 'tap';
import { runPipelined } from '@monitorch/backend-onnx/internals';

/** A step that finishes when the test says so, like a worker step. */
function controllable() {
  const log: string[] = [];
  const finish = new Map<number, (value: number) => void>();
  const stages = {
    start: (item: number): Promise<number> => {
      log.push(`start ${item}`);
      return new Promise<number>((resolve) => finish.set(item, resolve));
    },
    settle: (item: number, result: number): boolean => {
      log.push(`settle ${item}=${result}`);
      return result >= 0;
    },
    report: (item: number): void => {
      log.push(`report ${item}`);
    },
  };
  return { log, finish, stages };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

t.test('the next step starts before the previous one is reported, with one step in flight', async (t) => {
  const { log, finish, stages } = controllable();
  const run = runPipelined([1, 2, 3][Symbol.iterator](), stages);
  await tick();
  t.same(log, ['start 1'], 'one step in flight');
  finish.get(1)?.(10);
  await tick();
  t.same(
    log,
    ['start 1', 'settle 1=10', 'start 2', 'report 1'],
    'settled, next started, then reported while step 2 runs',
  );
  finish.get(2)?.(20);
  await tick();
  finish.get(3)?.(30);
  await run;
  t.same(log.slice(4), ['settle 2=20', 'start 3', 'report 2', 'settle 3=30', 'report 3']);
});

t.test('a settle that says stop starts nothing more, and the stopped step is still reported', async (t) => {
  const { log, finish, stages } = controllable();
  const run = runPipelined([1, 2, 3][Symbol.iterator](), stages);
  await tick();
  finish.get(1)?.(-1);
  await run;
  t.same(log, ['start 1', 'settle 1=-1', 'report 1']);
});

t.test('a failing step rejects the run; a failing report waits for the running step first', async (t) => {
  await t.rejects(
    runPipelined([1, 2][Symbol.iterator](), {
      start: (item) => (item === 1 ? Promise.reject(new Error('step 1 failed')) : Promise.resolve(item)),
      settle: () => true,
      report: () => undefined,
    }),
    /step 1 failed/,
  );
  let secondFinished = false;
  await t.rejects(
    runPipelined([1, 2][Symbol.iterator](), {
      start: (item) =>
        new Promise<number>((resolve) =>
          setTimeout(() => {
            if (item === 2) secondFinished = true;
            resolve(item);
          }, 5),
        ),
      settle: () => true,
      report: (item) => {
        if (item === 1) throw new Error('report failed');
      },
    }),
    /report failed/,
  );
  t.ok(secondFinished, 'step 2 had finished before the error came out');
  await runPipelined([][Symbol.iterator](), {
    start: () => t.fail('no items, no step') as never,
    settle: () => true,
    report: () => undefined,
  });
});
