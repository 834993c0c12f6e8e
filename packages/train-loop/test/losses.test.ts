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
  it.each(mixCases.map((c, i) => [i, c] as const))('matches the PyTorch MixupLoss fixture %i', (_i, c) => {
    const start = tf.memory().numTensors;
    const logits = tf.tensor2d(c.logits);
    const yi = tf.tensor1d(c.yi, 'int32');
    const yj = tf.tensor1d(c.yj, 'int32');
    const loss = crossEntropy({ yi, yj, lambda: c.lam }, logits);
    expect(loss.rank).toBe(0);
    expect(Math.abs((loss.dataSync()[0] as number) - c.loss)).toBeLessThan(1e-5 * Math.abs(c.loss));
    tf.dispose([logits, yi, yj, loss]);
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

  it('weights per-sample lambdas [B] before the batch mean', () => {
    const logits = randomLogits(4, 5, 9);
    const yi = [0, 1, 2, 3];
    const yj = [4, 4, 0, 1];
    const lam = [1, 0, 0.25, 0.6];
    const expected = logits.reduce((s, row, b) => s + lam[b]! * ce(row, yi[b]!) + (1 - lam[b]!) * ce(row, yj[b]!), 0) / 4;
    const got = tf.tidy(
      () => crossEntropy({ yi: tf.tensor1d(yi, 'int32'), yj: tf.tensor1d(yj, 'int32'), lambda: tf.tensor1d(lam) }, tf.tensor2d(logits)).dataSync()[0] as number,
    );
    expect(Math.abs(got - expected)).toBeLessThan(1e-5);
  });

  describe('gradients with respect to the logits', () => {
    const logits = randomLogits(4, 5, 21);
    const yi = [0, 3, 2, 4];
    const yj = [1, 3, 0, 2];
    const B = 4;
    const onehot = (y: number, k: number): number => (y === k ? 1 : 0);

    it('int labels: (softmax − onehot)/B, and finite differences agree', () => {
      const f = (x: tf.Tensor2D): tf.Scalar => crossEntropy(tf.tensor1d(yi, 'int32'), x);
      const g = tf.tidy(() => tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D))(tf.tensor2d(logits)).arraySync() as number[][]);
      const analytic = logits.map((row, b) => softmax(row).map((p, k) => (p - onehot(yi[b]!, k)) / B));
      expectAllClose(g, analytic, 1e-6);
      expectAllClose(g, finiteDiff(f, logits), 2e-3);
    });

    it('MixUp, one λ: (softmax − λ·onehot_i − (1−λ)·onehot_j)/B, and finite differences agree', () => {
      const lam = 0.3;
      const f = (x: tf.Tensor2D): tf.Scalar => crossEntropy({ yi: tf.tensor1d(yi, 'int32'), yj: tf.tensor1d(yj, 'int32'), lambda: lam }, x);
      const g = tf.tidy(() => tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D))(tf.tensor2d(logits)).arraySync() as number[][]);
      const analytic = logits.map((row, b) => softmax(row).map((p, k) => (p - lam * onehot(yi[b]!, k) - (1 - lam) * onehot(yj[b]!, k)) / B));
      expectAllClose(g, analytic, 1e-6);
      expectAllClose(g, finiteDiff(f, logits), 2e-3);
    });

    it('MixUp, per-sample λ and soft targets: finite differences agree', () => {
      const lam = [0.9, 0.1, 0.5, 0.0];
      const soft = logits.map((_, b) => [0.1, 0.2, 0.3, 0.2, 0.2].map((v, k) => (k === b ? v + 0.5 : v) / 1.5));
      const f = (x: tf.Tensor2D): tf.Scalar => crossEntropy({ yi: tf.tensor1d(yi, 'int32'), yj: tf.tensor2d(soft), lambda: tf.tensor1d(lam) }, x);
      const g = tf.tidy(() => tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D))(tf.tensor2d(logits)).arraySync() as number[][]);
      const analytic = logits.map((row, b) => softmax(row).map((p, k) => (p - lam[b]! * onehot(yi[b]!, k) - (1 - lam[b]!) * soft[b]![k]!) / B));
      expectAllClose(g, analytic, 1e-6);
      expectAllClose(g, finiteDiff(f, logits), 2e-3);
    });
  });

  it('rejects class indices outside [0, K) instead of silently scoring them 0 (PyTorch raises too)', () => {
    tf.tidy(() => {
      const logits = tf.zeros([2, 3]);
      const ok = tf.tensor1d([0, 2], 'int32');
      expect(() => crossEntropy(tf.tensor1d([0, 3], 'int32'), logits)).toThrow(/crossEntropy: targets must hold class indices in \[0, 2\], got 3 at index 1/);
      expect(() => crossEntropy({ yi: ok, yj: tf.tensor1d([-1, 0], 'int32'), lambda: 0.5 }, logits)).toThrow(
        /crossEntropy: targets.yj must hold class indices in \[0, 2\], got -1 at index 0/,
      );
      expect(() => accuracy(tf.tensor1d([5, 0], 'int32'), logits)).toThrow(/accuracy: targets must hold class indices in \[0, 2\], got 5 at index 0/);
      expect(() => accuracy({ yi: tf.tensor1d([0, 3], 'int32'), yj: ok, lambda: 0.5 }, logits)).toThrow(/accuracy: targets.yi must hold class indices/);
    });
  });

  it('rejects bad input with messages naming the argument', () => {
    tf.tidy(() => {
      const logits = tf.zeros([2, 3]);
      expect(() => crossEntropy(tf.tensor1d([0, 1]), logits)).toThrow(/crossEntropy: targets must be int32 class indices of shape \[2\] or float32 soft targets of shape \[2, 3\], got a float32 tensor of shape \[2\]/);
      expect(() => crossEntropy(tf.tensor1d([0, 1], 'int32'), tf.zeros([3]))).toThrow(/crossEntropy: logits must be a float32 tensor of shape \[B, K\], got a float32 tensor of shape \[3\]/);
      const y = tf.tensor1d([0, 1], 'int32');
      expect(() => crossEntropy({ yi: y, yj: y, lambda: 1.5 }, logits)).toThrow(/crossEntropy: targets.lambda must be a finite number >= 0 <= 1, got 1.5/);
      expect(() => crossEntropy({ yi: y, yj: y, lambda: tf.ones([3]) as tf.Tensor1D }, logits)).toThrow(/crossEntropy: targets.lambda must be a number in \[0, 1\] or a float32 tensor of shape \[2\], got a float32 tensor of shape \[3\]/);
      expect(() => crossEntropy({ yi: y, yj: tf.zeros([2, 4]), lambda: 0.5 }, logits)).toThrow(/crossEntropy: targets.yj must be/);
      expect(() => crossEntropy({} as tf.Tensor, logits)).toThrow(/crossEntropy: targets must be a tensor of labels/);
    });
  });
});

describe('accuracy', () => {
  const logits = randomLogits(6, 3, 33);
  const pred = logits.map((r) => argmax(r));
  const yi = [0, 1, 2, 0, 1, 2];
  const yj = [2, 2, 1, 1, 0, 0];
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

  it('is λ-weighted on MixUp targets (one λ and per-sample λ)', () => {
    const lam = [0.2, 0.9, 0.5, 1, 0, 0.4];
    tf.tidy(() => {
      const p = tf.tensor2d(logits);
      const targets = { yi: tf.tensor1d(yi, 'int32'), yj: tf.tensor1d(yj, 'int32') };
      const one = yi.reduce((s, _, b) => s + 0.7 * hit(yi, b) + 0.3 * hit(yj, b), 0) / 6;
      expect(accuracy({ ...targets, lambda: 0.7 }, p)).toBeCloseTo(one, 6);
      const per = yi.reduce((s, _, b) => s + lam[b]! * hit(yi, b) + (1 - lam[b]!) * hit(yj, b), 0) / 6;
      expect(accuracy({ ...targets, lambda: tf.tensor1d(lam) }, p)).toBeCloseTo(per, 6);
    });
  });

  it('weights each side by its own λ when the two sides score differently', () => {
    // Targets built from the predictions, so the hit counts differ (yi: 4 of 6, yj: 1 of 6) and a swapped λ shows.
    const yi2 = pred.map((p, b) => (b < 4 ? p : (p + 1) % 3));
    const yj2 = pred.map((p, b) => (b === 0 ? p : (p + 2) % 3));
    tf.tidy(() => {
      const p = tf.tensor2d(logits);
      const targets = { yi: tf.tensor1d(yi2, 'int32'), yj: tf.tensor1d(yj2, 'int32') };
      expect(accuracy(targets.yi, p)).toBeCloseTo(4 / 6, 6);
      expect(accuracy(targets.yj, p)).toBeCloseTo(1 / 6, 6);
      expect(accuracy({ ...targets, lambda: 0.7 }, p)).toBeCloseTo(0.7 * (4 / 6) + 0.3 * (1 / 6), 6);
      // Soft targets: the arg-max class counts (here the 0.6 entry, not the row's smallest or first entry).
      const soft = tf.tensor2d(yi2.map((c) => [0, 1, 2].map((k) => (k === c ? 0.6 : k === (c + 1) % 3 ? 0.3 : 0.1))));
      expect(accuracy(soft, p)).toBeCloseTo(4 / 6, 6);
    });
  });

  it('rejects bad input', () => {
    tf.tidy(() => {
      expect(() => accuracy(tf.tensor1d([0], 'int32'), tf.zeros([3]))).toThrow(/accuracy: predictions must be a tensor of shape \[B, K\], got a float32 tensor of shape \[3\]/);
      expect(() => accuracy(tf.tensor1d([0, 1], 'int32'), tf.zeros([3, 2]))).toThrow(/accuracy: targets must be int32 class indices of shape \[3\] or soft targets of shape \[3, 2\], got an int32 tensor of shape \[2\]/);
    });
  });
});
