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

/** Row k-1 of Pascal's triangle by integer addition, divided by 2^(k-1): the filter by its definition. */
export function pascalTaps(k: number): number[] {
  let row = [1];
  for (let r = 1; r < k; r++) row = Array.from({ length: r + 1 }, (_, i) => (row[i - 1] ?? 0) + (row[i] ?? 0));
  return row.map((c) => c / 2 ** (k - 1));
}

/** Every multi-index of an array of shape `dims`, in row-major order. */
function* multiIndices(dims: readonly number[]): Generator<number[]> {
  const total = dims.reduce((p, n) => p * n, 1);
  for (let flatIndex = 0; flatIndex < total; flatIndex++) {
    const idx = new Array<number>(dims.length);
    let rest = flatIndex;
    for (let a = dims.length - 1; a >= 0; a--) {
      idx[a] = rest % (dims[a] as number);
      rest = Math.floor(rest / (dims[a] as number));
    }
    yield idx;
  }
}

function rowMajor(idx: readonly number[], shape: readonly number[]): number {
  return idx.reduce((acc, v, a) => acc * (shape[a] as number) + v, 0);
}

/**
 * Naive channels-last N-D blur, written from the definition and sharing no code with the package:
 * out[o] = sum over the k^d window of prod(taps) * padded x, where padded cell q of an axis of n
 * cells reads x[q - before] inside, nothing (zero) outside under `'same'`, and the mirror image
 * x[-j] / x[2(n-1) - j] (edge not repeated, as torch's 'reflect') under `'reflect'`.
 */
export function naiveBlur(
  x: ArrayLike<number>,
  shape: readonly number[],
  { kernelSize: k, stride, padding }: { kernelSize: number; stride: number; padding: 'valid' | 'same' | 'reflect' | 'replicate' },
): { values: number[]; shape: number[] } {
  const spatial = shape.slice(1, -1);
  const before = padding === 'valid' ? 0 : Math.floor((k - 1) / 2);
  const after = padding === 'valid' ? 0 : k - 1 - before;
  const outSpatial = spatial.map((n) => Math.floor((n + before + after - k) / stride) + 1);
  const outShape = [shape[0] as number, ...outSpatial, shape[shape.length - 1] as number];
  const taps = pascalTaps(k);
  const source = (q: number, n: number): number => {
    const j = q - before;
    if (j >= 0 && j < n) return j;
    if (padding === 'replicate') return j < 0 ? 0 : n - 1;
    if (padding !== 'reflect') return -1;
    return j < 0 ? -j : 2 * (n - 1) - j;
  };
  const values: number[] = [];
  for (const out of multiIndices(outShape)) {
    let sum = 0;
    for (const t of multiIndices(spatial.map(() => k))) {
      const src = t.map((ta, a) => source((out[a + 1] as number) * stride + ta, spatial[a] as number));
      if (src.some((j) => j < 0)) continue;
      const weight = t.reduce((p, ta) => p * (taps[ta] as number), 1);
      sum += weight * (x[rowMajor([out[0] as number, ...src, out[out.length - 1] as number], shape)] as number);
    }
    values.push(sum);
  }
  return { values, shape: outShape };
}

/** Naive max pool of `[B, H, W, C]`: window p, stride 1, p//2 cells of padding on both sides that never win. */
export function naiveMaxPoolStride1(x: ArrayLike<number>, shape: readonly number[], p: number): { values: number[]; shape: number[] } {
  const [b, h, w, c] = shape as [number, number, number, number];
  const half = Math.floor(p / 2);
  const outShape = [b, h + 2 * half - p + 1, w + 2 * half - p + 1, c];
  const values: number[] = [];
  for (const [ob, oi, oj, oc] of multiIndices(outShape) as Generator<[number, number, number, number]>) {
    let best = -Infinity;
    for (let di = 0; di < p; di++) {
      for (let dj = 0; dj < p; dj++) {
        const i = oi + di - half;
        const j = oj + dj - half;
        if (i >= 0 && i < h && j >= 0 && j < w) best = Math.max(best, x[rowMajor([ob, i, j, oc], shape)] as number);
      }
    }
    values.push(best);
  }
  return { values, shape: outShape };
}
