/** Shared test helpers: backend set-up, seeded data, onednn-versus-cpu comparison. */
import * as tf from '@tensorflow/tfjs';

import { kernelStats, registerOneDnnBackend, resetKernelStats, unavailableReason } from '../src/index';

/** True when the addon loaded and the backend is registered. */
export const available = registerOneDnnBackend();

/**
 * `describe` for tests that need the addon. Without it they fail in CI (which installs libdnnl-dev),
 * and locally one test reports why instead of running them.
 */
export function describeNative(name: string, body: () => void): void {
  if (available) {
    describe(name, body);
    return;
  }
  const reason = unavailableReason() ?? 'unknown reason';
  describe(name, () => {
    if (process.env.CI) {
      test('the oneDNN addon is available (required in CI)', () => {
        throw new Error(`@aa/backend-onednn addon unavailable in CI: ${reason}`);
      });
    } else {
      test(`oneDNN addon missing locally, native tests not run: ${reason}`, () => {
        console.warn(`@aa/backend-onednn: ${name}: addon unavailable (${reason}); install libdnnl-dev and run \`node scripts/build-native.js\``);
      });
    }
  });
}

/** Deterministic uniform numbers in [lo, hi) (mulberry32). */
export function seeded(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** A float32 tensor of the given shape filled with seeded values. */
export function rand(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  return tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);
}

/** Runs `f` on one backend and returns every output's values and shape; checks for leaked tensors. */
export async function runOn(backend: 'cpu' | 'onednn', f: () => tf.Tensor | tf.Tensor[]): Promise<Array<{ shape: number[]; values: Float32Array }>> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(() => {
    const r = f();
    return Array.isArray(r) ? r : [r];
  });
  const result = outs.map((t) => ({ shape: t.shape.slice(), values: Float32Array.from(t.dataSync()) }));
  tf.dispose(outs);
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

/** Element-wise closeness: |a - b| <= atol + rtol * |a|; NaN matches only NaN, an infinity only itself. */
export function expectClose(actual: Float32Array, expected: Float32Array, { atol = 1e-4, rtol = 1e-3 } = {}): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if ((Number.isNaN(e) && Number.isNaN(a)) || a === e) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess)) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new Error(`values differ at ${worst}: onednn ${actual[worst]} vs cpu ${expected[worst]} (of ${actual.length})`);
  }
}

/**
 * Runs `f` on cpu (the reference) and on onednn, compares every output, and returns the onednn
 * kernel counts so callers can check the native path really ran.
 */
export async function compareBackends(
  f: () => tf.Tensor | tf.Tensor[],
  tolerance: { atol?: number; rtol?: number } = {},
): Promise<ReturnType<typeof kernelStats>> {
  const ref = await runOn('cpu', f);
  resetKernelStats();
  const got = await runOn('onednn', f);
  const stats = kernelStats();
  expect(got.length).toBe(ref.length);
  got.forEach((g, i) => {
    const r = ref[i] as { shape: number[]; values: Float32Array };
    expect(g.shape).toEqual(r.shape);
    expectClose(g.values, r.values, tolerance);
  });
  await tf.setBackend('cpu');
  return stats;
}

/** Asserts the kernel ran natively at least once and never fell back or failed. */
export function expectNative(stats: ReturnType<typeof kernelStats>, ...kernels: string[]): void {
  for (const k of kernels) {
    const s = stats[k];
    expect({ kernel: k, ran: (s?.native ?? 0) > 0, fallback: s?.fallback ?? 0, errors: s?.errors ?? 0 }).toEqual({ kernel: k, ran: true, fallback: 0, errors: 0 });
  }
}

/** Asserts the kernel went to the cpu fallback (and never errored). */
export function expectFallback(stats: ReturnType<typeof kernelStats>, kernel: string): void {
  const s = stats[kernel];
  expect({ kernel, fellBack: (s?.fallback ?? 0) > 0, errors: s?.errors ?? 0 }).toEqual({ kernel, fellBack: true, errors: 0 });
}
