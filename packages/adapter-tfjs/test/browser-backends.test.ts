// The adapter on tfjs's GPU backends in headless Chromium, WebGL and WebGPU, both on SwiftShader
// (software WebGL through ANGLE; a WebGPU adapter on software Vulkan): the backend's answers
// equal core's kernels on the same entries (counts exactly, at and next to every threshold), and
// fit() with watch() fills the three seed lenses' tables and leaves no tensor behind per epoch.
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReductionResult } from '@monitorch/core';
import {
  CHROMIUM_SKIP,
  bundleForBrowser,
  launchChromium,
  servePage,
  type ServedPage,
} from '../../../test/helpers/chromium.js';
import type { BackendRun } from './fixtures/browser-entry.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Counts and flags equal exactly; a finite norm to float32 tolerance (the shader sums in its own order). */
function sameAnswer(got: ReductionResult, want: ReductionResult): boolean {
  const norms = ['l2', 'sampleL2'];
  if (norms.includes(want.op) && got.op === want.op && 'value' in got && 'value' in want) {
    if (Number.isFinite(want.value)) return Math.abs(got.value - want.value) <= 2e-6 * Math.max(1, want.value);
  }
  return JSON.stringify(got, plain) === JSON.stringify(want, plain);
}

/** Typed arrays and non-finite numbers as comparable JSON. */
function plain(_key: string, v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

let served: ServedPage | undefined;
t.before(async () => {
  if (CHROMIUM_SKIP !== false) return;
  served = await servePage(await bundleForBrowser(join(here, 'fixtures', 'browser-entry.ts')));
});
t.teardown(() => served?.close());

for (const backend of ['webgl', 'webgpu'] as const) {
  t.test(`fit() watched on the ${backend} backend in Chromium`, { skip: CHROMIUM_SKIP }, async (t) => {
    const browser = await launchChromium(backend);
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(served!.url);
    await page.waitForFunction(() => typeof (globalThis as { runOnBackend?: unknown }).runOnBackend === 'function');
    const result = (await page.evaluate(
      async (name) => (globalThis as unknown as { runOnBackend(b: string): Promise<unknown> }).runOnBackend(name),
      backend,
    )) as BackendRun;
    t.same(pageErrors, []);
    t.equal(result.backend, backend, `tfjs ran on ${backend}`);
    t.equal(result.answers.length, 21, 'eight ops on the NHWC tensor, with and without NaN, and five thresholds');
    // WGSL and GLSL let a shader flush subnormal floats to zero (SwiftShader does): an entry
    // below 2^-126 in magnitude may then count as 0. Every other entry must count exactly.
    const flushed: string[] = [];
    for (const a of result.answers) {
      const exact = sameAnswer(a.got, a.want);
      if (!exact && sameAnswer(a.got, a.wantFlushed)) flushed.push(a.what);
      t.ok(exact || sameAnswer(a.got, a.wantFlushed), `${a.what}: equals core's kernel`, {
        got: JSON.stringify(a.got, plain),
        want: JSON.stringify(a.want, plain),
      });
    }
    t.comment(`${backend}: answers equal only with subnormals flushed: ${flushed.join('; ') || 'none'}`);
    t.same(result.warnings, [], 'no warning');
    for (const table of ['loss-metrics', 'output-activation', 'gradient-activation', 'parameter-norm']) {
      t.ok((result.tables[table] ?? 0) > 0, `${table} has ${result.tables[table]} rows`);
    }
    // Parameter snapshots read ahead asynchronously (prepareSnapshot): the numbers are the weights'.
    t.equal(result.norms.length, 4, 'lin1 and lin2, kernel and bias');
    for (const n of result.norms) {
      t.ok(
        Math.abs(n.lens - n.direct) <= 1e-5 * Math.max(1, n.direct),
        `${n.parameter}: ParameterNorm ${n.lens} = ‖w‖₂ ${n.direct}`,
      );
    }
    const [first, ...rest] = result.tensorsPerEpoch;
    t.same(rest, [first, first], `tensors after every epoch: ${result.tensorsPerEpoch.join(', ')}`);
  });
}
