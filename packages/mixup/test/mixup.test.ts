import * as tf from '@tensorflow/tfjs';
import { createRng, mixInputs, mixupBatch } from '../src/index';
import type { MixedBatch } from '../src/index';
import { arangeLabels, expectClose, expectNoLeak, isPermutation, seededTensor, untouchableRng, values } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function disposeBatch(b: MixedBatch): void {
  tf.dispose([b.xs, b.ys.yi, b.ys.yj]);
  if (typeof b.ys.lambda !== 'number') b.ys.lambda.dispose();
}

/** λ_i·x_i + (1−λ_i)·x_{π(i)}, computed element by element in float64. */
function expectedMix(x: number[], rowSize: number, perm: number[], lam: (i: number) => number): number[] {
  return x.map((v, idx) => {
    const i = Math.floor(idx / rowSize);
    const partner = x[(perm[i] as number) * rowSize + (idx % rowSize)] as number;
    return lam(i) * v + (1 - lam(i)) * partner;
  });
}

describe('mixupBatch', () => {
  test("'batch' mode: one λ, a permutation of an odd batch, x̃ = λx + (1−λ)x[π]", () => {
    const xs = seededTensor([5, 2, 3, 2], 1);
    const ys = arangeLabels(5);
    const out = mixupBatch(xs, ys, { alpha: 0.4, rng: createRng(3) });
    const lam = out.ys.lambda;
    if (typeof lam !== 'number') throw new Error('expected a number λ in batch mode');
    expect(lam).toBeGreaterThanOrEqual(0);
    expect(lam).toBeLessThanOrEqual(1);
    const perm = values(out.ys.yj);
    expect(isPermutation(perm, 5)).toBe(true);
    expect(values(out.ys.yi)).toEqual([0, 1, 2, 3, 4]);
    expect(out.ys.yj.dtype).toBe('int32');
    expect(out.xs.shape).toEqual([5, 2, 3, 2]);
    expectClose(values(out.xs), expectedMix(values(xs), 12, perm, () => lam), 1e-5, 1e-6);
    // The inputs are left alone.
    expect(xs.isDisposed).toBe(false);
    expect(values(xs)).toEqual(values(seededTensor([5, 2, 3, 2], 1)));
    disposeBatch(out);
    tf.dispose([xs, ys]);
  });

  test("'elem' mode: one λ per sample, as a float32 [B] tensor", () => {
    const xs = seededTensor([6, 4], 2);
    const ys = arangeLabels(6);
    const out = mixupBatch(xs, ys, { alpha: 0.25, mode: 'elem', rng: createRng(4) });
    const lam = out.ys.lambda;
    if (typeof lam === 'number') throw new Error('expected a tensor λ in elem mode');
    expect(lam.shape).toEqual([6]);
    expect(lam.dtype).toBe('float32');
    const l = values(lam);
    expect(l.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(new Set(l).size).toBeGreaterThan(1);
    const perm = values(out.ys.yj);
    expect(isPermutation(perm, 6)).toBe(true);
    expectClose(values(out.xs), expectedMix(values(xs), 4, perm, (i) => l[i] as number), 1e-5, 1e-6);
    disposeBatch(out);
    tf.dispose([xs, ys]);
  });

  test('soft targets [B, K] are permuted row-wise', () => {
    const xs = seededTensor([4, 3], 3);
    const ys = tf.tensor2d([[1, 0], [0, 1], [0.5, 0.5], [0.2, 0.8]]);
    const out = mixupBatch(xs, ys, { rng: createRng(5) });
    const rows = out.ys.yj.arraySync() as number[][];
    const src = ys.arraySync();
    // Recover π from yj: each row must be some ys row, and together a permutation.
    const perm = rows.map((r) => src.findIndex((s) => s[0] === r[0] && s[1] === r[1]));
    expect(isPermutation(perm, 4)).toBe(true);
    const lam = out.ys.lambda as number;
    expectClose(values(out.xs), expectedMix(values(xs), 3, perm, () => lam), 1e-5, 1e-6);
    disposeBatch(out);
    tf.dispose([xs, ys]);
  });

  test('a batch of one mixes with itself', () => {
    const xs = seededTensor([1, 3], 6);
    const ys = arangeLabels(1);
    const out = mixupBatch(xs, ys, { rng: createRng(1) });
    expectClose(values(out.xs), values(xs), 1e-6, 1e-6);
    expect(values(out.ys.yj)).toEqual([0]);
    disposeBatch(out);
    tf.dispose([xs, ys]);
  });

  test('α = 0 means no mixing: λ = 1, inputs copied, no draws', () => {
    const xs = seededTensor([3, 2], 7);
    const ys = arangeLabels(3);
    const batch = mixupBatch(xs, ys, { alpha: 0, rng: untouchableRng });
    expect(batch.ys.lambda).toBe(1);
    expect(values(batch.xs)).toEqual(values(xs));
    expect(batch.xs).not.toBe(xs);
    expect(values(batch.ys.yj)).toEqual([0, 1, 2]);
    const elem = mixupBatch(xs, ys, { alpha: 0, mode: 'elem', rng: untouchableRng });
    expect(values(elem.ys.lambda as tf.Tensor)).toEqual([1, 1, 1]);
    disposeBatch(batch);
    disposeBatch(elem);
    tf.dispose([xs, ys]);
  });

  test('the same seed gives the same λs and permutations; another seed does not', () => {
    const xs = seededTensor([8, 3], 8);
    const ys = arangeLabels(8);
    const run = (seed: number, mode: 'batch' | 'elem') => {
      const rng = createRng(seed);
      const outs = [mixupBatch(xs, ys, { mode, rng }), mixupBatch(xs, ys, { mode, rng })];
      const summary = outs.map((o) => ({
        x: values(o.xs),
        perm: values(o.ys.yj),
        lam: typeof o.ys.lambda === 'number' ? [o.ys.lambda] : values(o.ys.lambda),
      }));
      outs.forEach(disposeBatch);
      return summary;
    };
    for (const mode of ['batch', 'elem'] as const) {
      const a = run(99, mode);
      expect(run(99, mode)).toEqual(a);
      expect(run(100, mode)).not.toEqual(a);
      // Successive calls on one generator draw fresh λs and permutations.
      expect(a[1]).not.toEqual(a[0]);
    }
    tf.dispose([xs, ys]);
  });

  test('leaves no tensors behind once the caller disposes the result', async () => {
    const xs = seededTensor([4, 2, 2, 1], 9);
    const ys = arangeLabels(4);
    await expectNoLeak(() => disposeBatch(mixupBatch(xs, ys, { rng: createRng(1) })));
    await expectNoLeak(() => disposeBatch(mixupBatch(xs, ys, { mode: 'elem', rng: createRng(1) })));
    await expectNoLeak(() => disposeBatch(mixupBatch(xs, ys, { alpha: 0, mode: 'elem' })));
    tf.dispose([xs, ys]);
  });

  test('reports bad α, mode, inputs, labels and rng', () => {
    const xs = seededTensor([4, 3], 10);
    const ys = arangeLabels(4);
    expect(() => mixupBatch(xs, ys, { alpha: -1 })).toThrow(/^mixupBatch: alpha must be a finite number >= 0.*got -1\.$/);
    expect(() => mixupBatch(xs, ys, { alpha: Number.NaN })).toThrow(/mixupBatch: alpha .*got NaN/);
    expect(() => mixupBatch(xs, ys, { alpha: '0.2' as unknown as number })).toThrow(/mixupBatch: alpha .*got '0\.2'/);
    expect(() => mixupBatch(xs, ys, { mode: 'sample' as 'elem' })).toThrow(/mixupBatch: mode must be one of 'batch', 'pair', 'elem', got 'sample'/);
    const ints = tf.zeros([4, 3], 'int32');
    expect(() => mixupBatch(ints, ys)).toThrow(/mixupBatch: xs must be a float32 tensor \[B, \.\.\.\] with at least one sample, got an int32 tensor of shape \[4, 3\]\./);
    const scalar = tf.scalar(1);
    expect(() => mixupBatch(scalar, ys)).toThrow(/mixupBatch: xs must be a float32 tensor .*, got a float32 tensor of shape \[\]\./);
    const floatLabels = tf.tensor1d([0, 1, 2, 3]);
    expect(() => mixupBatch(xs, floatLabels)).toThrow(/mixupBatch: ys must be int32 labels \[4\] or float32 soft targets \[4, K\] \(class indices are int32: tf.cast\(y, 'int32'\)\), got a float32 tensor of shape \[4\]\./);
    const short = arangeLabels(3);
    expect(() => mixupBatch(xs, short)).toThrow(/mixupBatch: ys must be int32 labels \[4\] or float32 soft targets \[4, K\], got an int32 tensor of shape \[3\]\./);
    expect(() => mixupBatch(xs, [0, 1, 2, 3] as unknown as tf.Tensor)).toThrow(/mixupBatch: ys must be int32 labels \[4\] or float32 soft targets \[4, K\], got \[0,1,2,3\]\./);
    expect(() => mixupBatch(xs, ys, { rng: {} as never })).toThrow(/mixupBatch: rng must be an Rng \{random, getState, setState\} \(see createRng\), got \{\}\./);
    const empty = tf.zeros([0, 3]);
    const noLabels = tf.tensor1d([], 'int32');
    expect(() => mixupBatch(empty, noLabels)).toThrow(/mixupBatch: xs must be a float32 tensor \[B, \.\.\.\] with at least one sample, got a float32 tensor of shape \[0, 3\]\./);
    tf.dispose([xs, ys, ints, scalar, floatLabels, short, empty, noLabels]);
  });
});

describe('mixInputs', () => {
  test('matches the formula for a given permutation and λ', () => {
    const x = seededTensor([4, 3], 11);
    const perm = [2, 0, 3, 1];
    const out = mixInputs(x, perm, 0.3);
    expectClose(values(out), expectedMix(values(x), 3, perm, () => 0.3), 1e-5, 1e-6);
    tf.dispose([x, out]);
  });

  test('gradient: λ·u + (1−λ)·u scattered back through the permutation', () => {
    const x = seededTensor([4, 3], 12);
    const u = seededTensor([4, 3], 13);
    const perm = [2, 0, 3, 1];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    const uv = values(u);
    for (const lambda of [0.3, 'elem'] as const) {
      const lamValues = lambda === 'elem' ? [0.1, 0.5, 0.9, 0.25] : [0.3, 0.3, 0.3, 0.3];
      const lamT = lambda === 'elem' ? tf.tensor1d(lamValues) : null;
      const g = tf.grad((xx: tf.Tensor) => mixInputs(xx, perm, lamT ?? 0.3).mul(u).sum())(x);
      // d/dx_i of Σ_k u_k (λ_k x_k + (1−λ_k) x_{π(k)}) = λ_i u_i + (1−λ_k) u_k for the k with π(k) = i.
      const expected = uv.map((v, idx) => {
        const i = Math.floor(idx / 3);
        const k = inverse[i] as number;
        return (lamValues[i] as number) * v + (1 - (lamValues[k] as number)) * (uv[k * 3 + (idx % 3)] as number);
      });
      expectClose(values(g), expected, 1e-5, 1e-6);
      tf.dispose([g]);
      lamT?.dispose();
    }
    tf.dispose([x, u]);
  });

  test('no leaks, and bad permutations or λ are reported', async () => {
    const x = seededTensor([3, 2], 14);
    await expectNoLeak(() => mixInputs(x, [1, 2, 0], 0.5).dispose());
    expect(() => mixInputs(x, [0, 0, 1], 0.5)).toThrow(/mixInputs: permutation must be 0..2 in some order, each once, got \[0,0,1\]/);
    expect(() => mixInputs(x, [0, 1], 0.5)).toThrow(/mixInputs: permutation must be 0..2 in some order, each once, got \[0,1\]\./);
    expect(() => mixInputs(x, [0, 1, 2], 1.5)).toThrow(/mixInputs: lambda must be a number in \[0, 1\] or a float32 tensor \[3\], got 1\.5/);
    const wrong = tf.ones([2]);
    expect(() => mixInputs(x, [0, 1, 2], wrong as tf.Tensor1D)).toThrow(/mixInputs: lambda .* got a float32 tensor of shape \[2\]/);
    tf.dispose([x, wrong]);
  });
});
