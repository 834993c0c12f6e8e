import * as tf from '@tensorflow/tfjs';

/** Flattens a nested array of numbers (the fixtures' layout) in row-major order. */
export function flat(nested: unknown): number[] {
  return Array.isArray(nested) ? nested.flatMap((v) => flat(v)) : [nested as number];
}

/** Asserts |actual - expected| <= atol + rtol * |expected| element-wise, reporting the worst element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new Error(`element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Runs `body` and asserts that it leaves no tensor behind. */
export async function expectNoLeak(body: () => unknown): Promise<void> {
  const before = tf.memory().numTensors;
  await body();
  expect(tf.memory().numTensors).toBe(before);
}

/** A deterministic pseudo-random float32 tensor (mulberry32), independent of tfjs's own RNG. */
export function seededTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const size = shape.reduce((p, n) => p * n, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (next() * 2 - 1) * scale;
  return tf.tensor(values, shape);
}
