import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../src/losses';
import { accuracy } from '../src/scores';
import fixtures from './fixtures/reference.json';
import { argmax, ce, mulberry32 } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface MixCase {
  logits: number[][];
  yi: number[];
  yj: number[];
  lam: number;
  loss: number;
}
const mixCases = fixtures.mixupLoss as MixCase[];

function softmax(row: number[]): number[] {
  const mx = Math.max(...row);
  const e = row.map((v) => Math.exp(v - mx));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function randomLogits(b: number, k: number, seed: number): number[][] {
  const r = mulberry32(seed);
  return Array.from({ length: b }, () => Array.from({ length: k }, () => 4 * r.next() - 2));
}

/** Central finite differences of f at x (float32 tensors: eps 1e-2 keeps rounding noise small). */
function finiteDiff(f: (x: tf.Tensor2D) => tf.Scalar, x: number[][], eps = 1e-2): number[][] {
  return x.map((row, i) =>
    row.map((_, j) => {
      const shifted = (d: number): number =>
        tf.tidy(() => {
          const y = x.map((r) => r.slice());
          (y[i] as number[])[j] = (row[j] as number) + d;
          return f(tf.tensor2d(y)).dataSync()[0] as number;
        });
      return (shifted(eps) - shifted(-eps)) / (2 * eps);
    }),
  );
}

function expectAllClose(actual: number[][], expected: number[][], atol: number): void {
  actual.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - (expected[i] as number[])[j]!)).toBeLessThan(atol)));
}

describe('crossEntropy', () => {
  // The fixtures are PyTorch's λ·CE(z, yi) + (1−λ)·CE(z, yj): the plain loss, applied to each label set, must compose to them.
  it.each(mixCases.map((c, i) => [i, c] as const))('composes to the PyTorch two-label fixture %i', (_i, c) => {
    const start = tf.memory().numTensors;
    const logits = tf.tensor2d(c.logits);
    const yi = tf.tensor1d(c.yi, 'int32');
    const yj = tf.tensor1d(c.yj, 'int32');
    const li = crossEntropy(yi, logits);
    const lj = crossEntropy(yj, logits);
    expect(li.rank).toBe(0);
    const got = c.lam * (li.dataSync()[0] as number) + (1 - c.lam) * (lj.dataSync()[0] as number);
    expect(Math.abs(got - c.loss)).toBeLessThan(1e-5 * Math.abs(c.loss));
    tf.dispose([logits, yi, yj, li, lj]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('equals the mean of −log softmax[y] on int labels (nn.CrossEntropyLoss)', () => {
    const c = mixCases[0] as MixCase;
    const expected = c.logits.reduce((s, row, b) => s + ce(row, c.yi[b] as number), 0) / c.logits.length;
    const got = tf.tidy(() => crossEntropy(tf.tensor1d(c.yi, 'int32'), tf.tensor2d(c.logits)).dataSync()[0] as number);
    expect(Math.abs(got - expected)).toBeLessThan(1e-5);
  });

  it('handles soft targets [B, K]', () => {
    const logits = randomLogits(3, 4, 5);
    const t = [
      [0.7, 0.1, 0.1, 0.1],
      [0, 0, 1, 0],
      [0.25, 0.25, 0.25, 0.25],
    ];
    const expected = t.reduce((s, row, b) => s - row.reduce((a, v, k) => a + v * Math.log(softmax(logits[b] as number[])[k] as number), 0), 0) / 3;
    const got = tf.tidy(() => crossEntropy(tf.tensor2d(t), tf.tensor2d(logits)).dataSync()[0] as number);
    expect(Math.abs(got - expected)).toBeLessThan(1e-5);
  });

  describe('gradients with respect to the logits', () => {
    const logits = randomLogits(4, 5, 21);
    const yi = [0, 3, 2, 4];
    const B = 4;
    const onehot = (y: number, k: number): number => (y === k ? 1 : 0);

    it('int labels: (softmax − onehot)/B, and finite differences agree', () => {
      const f = (x: tf.Tensor2D): tf.Scalar => crossEntropy(tf.tensor1d(yi, 'int32'), x);
      const g = tf.tidy(() => tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D))(tf.tensor2d(logits)).arraySync() as number[][]);
      const analytic = logits.map((row, b) => softmax(row).map((p, k) => (p - onehot(yi[b]!, k)) / B));
      expectAllClose(g, analytic, 1e-6);
      expectAllClose(g, finiteDiff(f, logits), 2e-3);
    });

    it('soft targets: (softmax − t)/B, and finite differences agree', () => {
      const soft = logits.map((_, b) => [0.1, 0.2, 0.3, 0.2, 0.2].map((v, k) => (k === b ? v + 0.5 : v) / 1.5));
      const f = (x: tf.Tensor2D): tf.Scalar => crossEntropy(tf.tensor2d(soft), x);
      const g = tf.tidy(() => tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D))(tf.tensor2d(logits)).arraySync() as number[][]);
      const analytic = logits.map((row, b) => softmax(row).map((p, k) => (p - soft[b]![k]!) / B));
      expectAllClose(g, analytic, 1e-6);
      expectAllClose(g, finiteDiff(f, logits), 2e-3);
    });
  });

  it('rejects class indices outside [0, K) instead of silently scoring them 0 (PyTorch raises too)', () => {
    tf.tidy(() => {
      const logits = tf.zeros([2, 3]);
      expect(() => crossEntropy(tf.tensor1d([0, 3], 'int32'), logits)).toThrow(/^crossEntropy: targets must hold class indices in \[0, 2\], got 3 at index 1\.$/);
      expect(() => crossEntropy(tf.tensor1d([-1, 0], 'int32'), logits)).toThrow(/^crossEntropy: targets must hold class indices in \[0, 2\], got -1 at index 0\.$/);
      expect(() => accuracy(tf.tensor1d([5, 0], 'int32'), logits)).toThrow(/^accuracy: targets must hold class indices in \[0, 2\], got 5 at index 0\.$/);
    });
  });

  it('rejects bad input, objects of targets included, with messages naming the argument', () => {
    tf.tidy(() => {
      const logits = tf.zeros([2, 3]);
      expect(() => crossEntropy(tf.tensor1d([0, 1]), logits)).toThrow(
        /^crossEntropy: targets must be int32 class indices of shape \[2\] or float32 soft targets of shape \[2, 3\], got a float32 tensor of shape \[2\]\.$/,
      );
      expect(() => crossEntropy(tf.tensor1d([0, 1], 'int32'), tf.zeros([3]))).toThrow(/^crossEntropy: logits must be a float32 tensor of shape \[B, K\], got a float32 tensor of shape \[3\]\.$/);
      expect(() => crossEntropy(tf.zeros([2, 4]), logits)).toThrow(/crossEntropy: targets must be int32 class indices of shape \[2\] or float32 soft targets of shape \[2, 3\], got a float32 tensor of shape \[2, 4\]/);
      // Targets objects belong to the losses that understand them.
      const y = tf.tensor1d([0, 1], 'int32');
      expect(() => crossEntropy({ first: y, second: y, weight: 0.5 } as unknown as tf.Tensor, logits)).toThrow(/^crossEntropy: targets must be int32 class indices .*, got an object\.$/);
      expect(() => accuracy({ first: y } as unknown as tf.Tensor, logits)).toThrow(/^accuracy: targets must be int32 class indices .*, got an object\.$/);
    });
  });
});

describe('accuracy', () => {
  const logits = randomLogits(6, 3, 33);
  const pred = logits.map((r) => argmax(r));
  const yi = [0, 1, 2, 0, 1, 2];
  const hit = (y: number[], b: number): number => (pred[b] === y[b] ? 1 : 0);

  it('is the fraction of arg-max hits on int labels and soft targets', () => {
    const start = tf.memory().numTensors;
    const expected = yi.reduce((s, _, b) => s + hit(yi, b), 0) / 6;
    const p = tf.tensor2d(logits);
    const y = tf.tensor1d(yi, 'int32');
    expect(accuracy(y, p)).toBeCloseTo(expected, 6);
    const soft = tf.tidy(() => tf.oneHot(y, 3).mul(0.8).add(0.05));
    expect(accuracy(soft, p)).toBeCloseTo(expected, 6);
    tf.dispose([p, y, soft]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('counts the arg-max class of soft targets (not the first or smallest entry)', () => {
    // Targets built from the predictions, so the hit count is known: 4 of 6.
    const yi2 = pred.map((p, b) => (b < 4 ? p : (p + 1) % 3));
    tf.tidy(() => {
      const p = tf.tensor2d(logits);
      expect(accuracy(tf.tensor1d(yi2, 'int32'), p)).toBeCloseTo(4 / 6, 6);
      const soft = tf.tensor2d(yi2.map((c) => [0, 1, 2].map((k) => (k === c ? 0.6 : k === (c + 1) % 3 ? 0.3 : 0.1))));
      expect(accuracy(soft, p)).toBeCloseTo(4 / 6, 6);
    });
  });

  it('rejects bad input', () => {
    tf.tidy(() => {
      expect(() => accuracy(tf.tensor1d([0], 'int32'), tf.zeros([3]))).toThrow(/^accuracy: predictions must be a tensor of shape \[B, K\] with B >= 1, got a float32 tensor of shape \[3\]\.$/);
      expect(() => accuracy(tf.tensor1d([0, 1], 'int32'), tf.zeros([3, 2]))).toThrow(/accuracy: targets must be int32 class indices of shape \[3\] or soft targets of shape \[3, 2\], got an int32 tensor of shape \[2\]/);
    });
  });
});
