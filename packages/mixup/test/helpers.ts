import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../src/rng';

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

/** Deterministic values in [-scale, scale) from mulberry32, independent of tfjs's and the package's generators. */
export function seededValues(size: number, seed: number, scale = 1): Float32Array {
  let a = seed >>> 0;
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return values;
}

/** A float32 tensor of {@link seededValues}. */
export function seededTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(seededValues(shape.reduce((p, n) => p * n, 1), seed, scale), shape, 'float32');
}

/** int32 labels 0..b-1, so a permuted copy reveals the permutation. */
export function arangeLabels(b: number): tf.Tensor1D {
  return tf.tensor1d(Array.from({ length: b }, (_, i) => i), 'int32');
}

/** Synchronous values of a tensor as a plain array. */
export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** True when `p` holds each of 0..n-1 exactly once. */
export function isPermutation(p: ArrayLike<number>, n: number): boolean {
  if (p.length !== n) return false;
  const sorted = Array.from(p).sort((x, y) => x - y);
  return sorted.every((v, i) => v === i);
}

/**
 * An Rng that replays scripted uniforms, to pin λ (Beta(1, 1) is the uniform itself, so with α = 1 a λ is one scripted
 * number), the permutation (Fisher–Yates draws) and positions in tests. It throws when the script runs out, so a test
 * also notices extra draws; its state is the position in the script.
 */
export function scriptedRng(uniforms: number[]): Rng & { used: () => number } {
  let u = 0;
  return {
    random() {
      if (u >= uniforms.length) throw new Error('scriptedRng: out of uniforms');
      return uniforms[u++] as number;
    },
    getState: () => [u],
    setState: (state: number[]) => {
      u = state[0] as number;
    },
    used: () => u,
  };
}

/** An Rng that must not be touched. */
export const untouchableRng: Rng = {
  random() {
    throw new Error('rng.random must not be called');
  },
  getState: () => [],
  setState: () => undefined,
};

type Fixture = {
  mixupLoss: { logits: number[][]; yi: number[]; yj: number[]; lam: number; loss: number; grad: number[][] }[];
  mixupLossElem: { logits: number[][]; yi: number[]; yj: number[]; lam: number[]; loss: number; grad: number[][] };
  mixupLossSmoothed: {
    logits: number[][];
    yi: number[];
    yj: number[];
    lam: number;
    labelSmoothing: number;
    loss: number;
    grad: number[][];
  };
  manifold: {
    x: number[][];
    W1: number[][];
    b1: number[];
    W2: number[][];
    y: number[];
    perm: number[];
    lam: number;
    boundary: number;
    logits: number[][];
    loss: number;
    gradX: number[][];
    gradW1: number[][];
    gradB1: number[];
    gradW2: number[][];
  };
};

/** The PyTorch golden values in test/fixtures/mixup.json (float64). */
export const fixtures: Fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'mixup.json'), 'utf8')) as Fixture;

/**
 * The uniforms that make `randomPermutation` (Fisher–Yates from the last index down, `j = floor(u·(i+1))`) return
 * `target`: at step i the entry wanted at i sits at some j <= i, and u is the middle of j's interval.
 */
export function permutationUniforms(target: readonly number[]): number[] {
  const a = target.map((_, i) => i);
  const uniforms: number[] = [];
  for (let i = a.length - 1; i > 0; i--) {
    const j = a.indexOf(target[i] as number);
    uniforms.push((j + 0.5) / (i + 1));
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return uniforms;
}

/** The uniform in [0, 1) that makes `lo + floor(u·(hi − lo + 1))` equal `v` (an integer drawn from lo..hi inclusive). */
export function intUniform(v: number, lo: number, hi: number): number {
  return (v - lo + 0.5) / (hi - lo + 1);
}
