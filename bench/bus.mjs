// Events per second through the bus: (1) the bare bus, (2) the Inspector with the three seed
// lenses folding ready-made answered events, (3) the LoopAdapter end to end (tiny tensors, the
// reductions computed on the CPU) with the same lenses. One step = 10 ReLU outputs, 10 weight
// and 10 bias gradients, a loss and a step event (32 events); an epoch is 500 steps.
import { EventEmitter } from 'eventemitter3';
import { Bus, Inspector, LoopAdapter } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { areaOptions, isMain } from './cli.mjs';

const LAYERS = 10;
const BATCH = 8;
const WIDTH = 16;
const STEPS_PER_EPOCH = 500;

function lenses() {
  return [new LossMetrics(), new OutputActivation(), new ParameterGradientActivation()];
}

/** Tensors of one step: ReLU-like outputs and gradients with some exact zeros. */
function tensors() {
  let s = 99;
  const fill = (a) => {
    for (let i = 0; i < a.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const u = s / 4294967296;
      a[i] = u < 0.4 ? 0 : u - 0.4;
    }
    return a;
  };
  return {
    out: fill(new Float32Array(BATCH * WIDTH)),
    weight: fill(new Float32Array(WIDTH * WIDTH)),
    bias: fill(new Float32Array(WIDTH)),
  };
}

/** Reports one training step through `loop`. */
function step(loop, t, loss) {
  for (let l = 0; l < LAYERS; l++) loop.output(`relu${l}`, t.out, [BATCH, WIDTH], { kind: 'activation' });
  for (let l = LAYERS - 1; l >= 0; l--) {
    loop.gradient(`lin${l}`, 'weight', t.weight, [WIDTH, WIDTH], { kind: 'linear' });
    loop.gradient(`lin${l}`, 'bias', t.bias, [WIDTH]);
  }
  loop.loss(loss, { batchSize: BATCH });
  loop.step();
}

const EVENTS_PER_STEP = 3 * LAYERS + 2;

function seconds(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** The answered reports of one step, as the loop adapter makes them for the three lenses. */
function recordedStep(requests) {
  const emitter = new EventEmitter();
  const reports = [];
  emitter.on('report', (r) => reports.push(r));
  const loop = new LoopAdapter();
  loop.connect({ emitter, requests });
  const t = tensors();
  step(loop, t, 0.5); // first step: parameters learned, events held until step()
  reports.length = 0;
  step(loop, t, 0.5);
  loop.disconnect();
  return reports;
}

/** Bare bus: publish the recorded reports with one subscriber per stream. */
function bareBus(reports, steps) {
  const bus = new Bus();
  let n = 0;
  bus.events$.subscribe(() => {
    n += 1;
  });
  const t0 = process.hrtime.bigint();
  for (let s = 0; s < steps; s++) for (const r of reports) bus.emitter.emit('report', r);
  const sec = seconds(t0);
  return { eventsPerSecond: n / sec, seconds: sec };
}

/** Inspector + three lenses fed ready-made reports (no reductions computed). */
async function lensesOnly(reports, steps) {
  const inspector = new Inspector({ lenses: lenses(), logger: null });
  let connection;
  inspector.attach({
    connect: (c) => {
      connection = c;
    },
    disconnect: () => {},
  });
  const t0 = process.hrtime.bigint();
  for (let s = 1; s <= steps; s++) {
    for (const r of reports) connection.emitter.emit('report', r);
    if (s % STEPS_PER_EPOCH === 0) await inspector.tickEpoch();
  }
  const sec = seconds(t0);
  await inspector.close();
  return { eventsPerSecond: (steps * reports.length) / sec, seconds: sec };
}

/** The LoopAdapter end to end: validation, reductions, events, three lenses, ticks. */
async function endToEnd(steps) {
  const inspector = new Inspector({ lenses: lenses(), logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  const t = tensors();
  const t0 = process.hrtime.bigint();
  for (let s = 1; s <= steps; s++) {
    step(loop, t, 1 / s);
    if (s % STEPS_PER_EPOCH === 0) await inspector.tickEpoch();
  }
  const sec = seconds(t0);
  await inspector.close();
  return { eventsPerSecond: (steps * EVENTS_PER_STEP) / sec, stepMicros: (sec / steps) * 1e6, seconds: sec };
}

/** Runs the three measurements (after a warm-up) and prints them. */
export async function run() {
  const requests = lenses().flatMap((l) => l.requests);
  const reports = recordedStep(requests);
  const steps = 10_000;
  // Warm-up so the JIT has compiled the hot paths.
  bareBus(reports, 1000);
  await lensesOnly(reports, 1000);
  await endToEnd(1000);
  const bus = bareBus(reports, steps);
  const folded = await lensesOnly(reports, steps);
  const e2e = await endToEnd(steps);
  const k = (x) => `${(x / 1000).toFixed(0)}k`;
  console.log(
    `${reports.length} events per step (${LAYERS} ReLU outputs [${BATCH}, ${WIDTH}], ${LAYERS} × weight+bias gradients, loss, step), ${steps} steps`,
  );
  console.log(`bare bus:                          ${k(bus.eventsPerSecond)} events/s`);
  console.log(
    `bus + 3 lenses (answers given):    ${k(folded.eventsPerSecond)} events/s (ticks every ${STEPS_PER_EPOCH} steps included)`,
  );
  console.log(
    `LoopAdapter + 3 lenses end to end: ${k(e2e.eventsPerSecond)} events/s, ${e2e.stepMicros.toFixed(1)} µs of monitoring per step`,
  );
  return {
    eventsPerStep: reports.length,
    bareBusEventsPerSecond: Math.round(bus.eventsPerSecond),
    lensEventsPerSecond: Math.round(folded.eventsPerSecond),
    loopAdapterEventsPerSecond: Math.round(e2e.eventsPerSecond),
    loopAdapterMicrosPerStep: Number(e2e.stepMicros.toFixed(2)),
  };
}

if (isMain(import.meta.url))
  await run(
    areaOptions('bus', 'Events per second through the bus, the Inspector with the seed lenses, and the LoopAdapter.'),
  );
