import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, crossEntropy, mixupBatch, mixupLoss, mixupSoftTargets } from '../src/index';
import type { MixupTargets } from '../src/index';
import { expectClose, expectNoLeak, fixtures, flat, seededTensor, values } from './helpers';

/** PyTorch's F.cross_entropy golden values (test/fixtures/make_loss_fixtures.py). */
const ce64 = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'crossEntropy.json'), 'utf8')) as {
  elemSmoothedNone: { logits: number[][]; yi: number[]; yj: number[]; lam: number[]; labelSmoothing: number; weights: number[]; loss: number[]; grad: number[][] };
  softSmoothed: { logits: number[][]; targets: number[][]; labelSmoothing: number; loss: number; grad: number[][] };
  mixedSoftElemSmoothed: { logits: number[][]; yi: number[][]; yj: number[][]; lam: number[]; labelSmoothing: number; loss: number; grad: number[][] };
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Softmax cross-entropy of one row of logits against a class, in float64. */
function ce(row: number[], label: number): number {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((a, z) => a + Math.exp(z - m), 0)) - (row[label] as number);
}

function targetsOf(c: { yi: number[]; yj: number[] }, lambda: number | tf.Tensor1D): MixupTargets {
  return { yi: tf.tensor1d(c.yi, 'int32'), yj: tf.tensor1d(c.yj, 'int32'), lambda };
}

function disposeTargets(t: MixupTargets): void {
  tf.dispose([t.yi, t.yj]);
  if (typeof t.lambda !== 'number') t.lambda.dispose();
}

describe('mixupLoss against the PyTorch golden values', () => {
  test.each(fixtures.mixupLoss.map((c, i) => [i, c] as const))('case %i: λ·CE(ŷ, yi) + (1−λ)·CE(ŷ, yj) and its gradient', (_, c) => {
    const logits = tf.tensor2d(c.logits);
    const targets = targetsOf(c, c.lam);
    const loss = mixupLoss();
    const value = loss(targets, logits);
    expect(value.shape).toEqual([]);
    expectClose(values(value), [c.loss], 1e-5, 1e-6);
    const g = tf.grad((z: tf.Tensor) => loss(targets, z))(logits);
    expectClose(values(g), flat(c.grad), 1e-4, 1e-6);
    tf.dispose([logits, value, g]);
    disposeTargets(targets);
  });

  test("per-sample λ ('elem' mode) and its gradient", () => {
    const c = fixtures.mixupLossElem;
    const logits = tf.tensor2d(c.logits);
    const targets = targetsOf(c, tf.tensor1d(c.lam));
    const value = mixupLoss()(targets, logits);
    expectClose(values(value), [c.loss], 1e-5, 1e-6);
    const g = tf.grad((z: tf.Tensor) => mixupLoss()(targets, z))(logits);
    expectClose(values(g), flat(c.grad), 1e-4, 1e-6);
    tf.dispose([logits, value, g]);
    disposeTargets(targets);
  });

  test("with PyTorch's label_smoothing in the base loss", () => {
    const c = fixtures.mixupLossSmoothed;
    const logits = tf.tensor2d(c.logits);
    const targets = targetsOf(c, c.lam);
    const loss = mixupLoss((t, z) => crossEntropy(t, z, { reduction: 'none', labelSmoothing: c.labelSmoothing }));
    const value = loss(targets, logits);
    expectClose(values(value), [c.loss], 1e-5, 1e-6);
    const g = tf.grad((z: tf.Tensor) => loss(targets, z))(logits);
    expectClose(values(g), flat(c.grad), 1e-4, 1e-6);
    // The same through soft targets: smoothed one-hot rows, mixed, then one cross-entropy.
    const soft = mixupSoftTargets(targets, { numClasses: 6, labelSmoothing: c.labelSmoothing });
    const viaSoft = crossEntropy(soft, logits);
    expectClose(values(viaSoft), [c.loss], 1e-5, 1e-6);
    tf.dispose([logits, value, g, soft, viaSoft]);
    disposeTargets(targets);
  });
});

describe('crossEntropy on MixUp targets against PyTorch', () => {
  test.each(fixtures.mixupLoss.map((c, i) => [i, c] as const))('case %i: the chapter MixupLoss value and gradient, directly', (_, c) => {
    const logits = tf.tensor2d(c.logits);
    const targets = targetsOf(c, c.lam);
    const value = crossEntropy(targets, logits);
    expect(value.shape).toEqual([]);
    expectClose(values(value), [c.loss], 1e-5, 1e-6);
    const g = tf.grad((z: tf.Tensor) => crossEntropy(targets, z))(logits);
    expectClose(values(g), flat(c.grad), 1e-4, 1e-6);
    tf.dispose([logits, value, g]);
    disposeTargets(targets);
  });

  test('label smoothing on MixUp targets is CrossEntropyLoss(label_smoothing=ε) on both sides', () => {
    const c = fixtures.mixupLossSmoothed;
    const logits = tf.tensor2d(c.logits);
    const targets = targetsOf(c, c.lam);
    const value = crossEntropy(targets, logits, { labelSmoothing: c.labelSmoothing });
    expectClose(values(value), [c.loss], 1e-5, 1e-6);
    const g = tf.grad((z: tf.Tensor) => crossEntropy(targets, z, { labelSmoothing: c.labelSmoothing }))(logits);
    expectClose(values(g), flat(c.grad), 1e-4, 1e-6);
    // Control: without smoothing the value differs.
    const plain = crossEntropy(targets, logits);
    expect(Math.abs((values(plain)[0] as number) - c.loss)).toBeGreaterThan(1e-3);
    tf.dispose([logits, value, g, plain]);
    disposeTargets(targets);
  });

  test("per-sample λ, label smoothing and reduction 'none': one loss per sample, and the gradient of Σ w·loss", () => {
    const c = ce64.elemSmoothedNone;
    const logits = tf.tensor2d(c.logits);
    const targets = targetsOf(c, tf.tensor1d(c.lam));
    const opts = { reduction: 'none', labelSmoothing: c.labelSmoothing } as const;
    const value = crossEntropy(targets, logits, opts);
    expect(value.shape).toEqual([5]);
    expectClose(values(value), c.loss, 1e-5, 1e-6);
    const w = tf.tensor1d(c.weights);
    const g = tf.grad((z: tf.Tensor) => crossEntropy(targets, z, opts).mul(w).sum())(logits);
    expectClose(values(g), flat(c.grad), 1e-4, 1e-6);
    // 'mean' is the mean of these.
    const mean = crossEntropy(targets, logits, { labelSmoothing: c.labelSmoothing });
    expectClose(values(mean), [c.loss.reduce((a, b) => a + b, 0) / 5], 1e-5, 1e-6);
    tf.dispose([logits, value, w, g, mean]);
    disposeTargets(targets);
  });

  test('class-probability targets with label smoothing', () => {
    const c = ce64.softSmoothed;
    const logits = tf.tensor2d(c.logits);
    const t = tf.tensor2d(c.targets);
    const value = crossEntropy(t, logits, { labelSmoothing: c.labelSmoothing });
    expectClose(values(value), [c.loss], 1e-5, 1e-6);
    const g = tf.grad((z: tf.Tensor) => crossEntropy(t, z, { labelSmoothing: c.labelSmoothing }))(logits);
    expectClose(values(g), flat(c.grad), 1e-4, 1e-6);
    tf.dispose([logits, t, value, g]);
  });

  test('MixUp of class-probability targets with per-sample λ and label smoothing', () => {
    const c = ce64.mixedSoftElemSmoothed;
    const logits = tf.tensor2d(c.logits);
    const targets: MixupTargets = { yi: tf.tensor2d(c.yi), yj: tf.tensor2d(c.yj), lambda: tf.tensor1d(c.lam) };
    const value = crossEntropy(targets, logits, { labelSmoothing: c.labelSmoothing });
    expectClose(values(value), [c.loss], 1e-5, 1e-6);
    const g = tf.grad((z: tf.Tensor) => crossEntropy(targets, z, { labelSmoothing: c.labelSmoothing }))(logits);
    expectClose(values(g), flat(c.grad), 1e-4, 1e-6);
    tf.dispose([logits, value, g]);
    disposeTargets(targets);
  });

  test("reduction 'none' with one λ: λ·CE(yi) + (1−λ)·CE(yj) per sample, in float64 by hand", () => {
    const c = fixtures.mixupLoss[2]!;
    const logits = tf.tensor2d(c.logits);
    const targets = targetsOf(c, c.lam);
    const value = crossEntropy(targets, logits, { reduction: 'none' });
    const expected = c.logits.map((row, i) => c.lam * ce(row, c.yi[i] as number) + (1 - c.lam) * ce(row, c.yj[i] as number));
    expectClose(values(value), expected, 1e-5, 1e-6);
    tf.dispose([logits, value]);
    disposeTargets(targets);
  });

  test('leaves no tensors behind, with or without gradients', async () => {
    const c = ce64.elemSmoothedNone;
    const logits = tf.tensor2d(c.logits);
    const targets = targetsOf(c, tf.tensor1d(c.lam));
    await expectNoLeak(() => crossEntropy(targets, logits, { labelSmoothing: 0.1 }).dispose());
    await expectNoLeak(() => crossEntropy(targets, logits, { reduction: 'none' }).dispose());
    await expectNoLeak(() => tf.grad((z: tf.Tensor) => crossEntropy(targets, z, { labelSmoothing: 0.1 }))(logits).dispose());
    tf.dispose(logits);
    disposeTargets(targets);
  });
});

describe('class indices outside [0, K) are an error naming the argument', () => {
  test('in crossEntropy, mixupLoss, mixupSoftTargets, on plain labels and on either side of MixUp targets', () => {
    const logits = seededTensor([2, 3], 9);
    const ok = tf.tensor1d([0, 2], 'int32');
    const high = tf.tensor1d([0, 3], 'int32');
    const low = tf.tensor1d([-1, 0], 'int32');
    expect(() => crossEntropy(high, logits)).toThrow(/^crossEntropy: targets\[1\] must be a class index in \[0, 2\], got 3\.$/);
    expect(() => crossEntropy({ yi: ok, yj: low, lambda: 0.5 }, logits)).toThrow(/^crossEntropy: targets\.yj\[0\] must be a class index in \[0, 2\], got -1\.$/);
    expect(() => crossEntropy({ yi: high, yj: ok, lambda: 0.5 }, logits, { reduction: 'none' })).toThrow(/crossEntropy: targets\.yi\[1\] must be a class index/);
    expect(() => mixupLoss()({ yi: ok, yj: high, lambda: 0.5 }, logits)).toThrow(/crossEntropy: targets\[1\] must be a class index in \[0, 2\], got 3/);
    expect(() => mixupSoftTargets(high, { numClasses: 3 })).toThrow(/^mixupSoftTargets: targets\[1\] must be a class index in \[0, 2\], got 3\.$/);
    expect(() => mixupSoftTargets({ yi: ok, yj: low, lambda: 0.5 }, { numClasses: 3 })).toThrow(/mixupSoftTargets: targets\.yj\[0\] must be a class index in \[0, 2\], got -1/);
    tf.dispose([logits, ok, high, low]);
  });
});

describe('soft-target cross-entropy equals the two-term loss', () => {
  test.each(['batch', 'elem'] as const)("for mixed batches in '%s' mode", (mode) => {
    const xs = seededTensor([6, 3], 1);
    const ys = tf.tensor1d([0, 1, 2, 3, 4, 1], 'int32');
    const logits = seededTensor([6, 5], 2, 3);
    const mixed = mixupBatch(xs, ys, { mode, alpha: 0.4, rng: createRng(17) });
    const soft = mixupSoftTargets(mixed.ys, { numClasses: 5 });
    expect(soft.shape).toEqual([6, 5]);
    expectClose(values(soft.sum(-1)), [1, 1, 1, 1, 1, 1], 1e-6, 1e-6);
    const twoTerm = mixupLoss()(mixed.ys, logits);
    const oneTerm = crossEntropy(soft, logits);
    expectClose(values(oneTerm), values(twoTerm), 1e-5, 1e-6);
    // Gradients agree too (cross-entropy is linear in the targets).
    const g1 = tf.grad((z: tf.Tensor) => crossEntropy(soft, z))(logits);
    const g2 = tf.grad((z: tf.Tensor) => mixupLoss()(mixed.ys, z))(logits);
    expectClose(values(g1), values(g2), 1e-5, 1e-6);
    tf.dispose([xs, ys, logits, mixed.xs, soft, twoTerm, oneTerm, g1, g2]);
    disposeTargets(mixed.ys);
  });
});

describe('crossEntropy', () => {
  test('plain labels: the mean of −log softmax at the label, like nn.CrossEntropyLoss', () => {
    const logits = seededTensor([4, 3], 3, 4);
    const labels = [2, 0, 1, 2];
    const y = tf.tensor1d(labels, 'int32');
    const rows = logits.arraySync() as number[][];
    const perSample = rows.map((r, i) => ce(r, labels[i] as number));
    const none = crossEntropy(y, logits, { reduction: 'none' });
    expectClose(values(none), perSample, 1e-5, 1e-6);
    const mean = crossEntropy(y, logits);
    expectClose(values(mean), [perSample.reduce((a, b) => a + b, 0) / 4], 1e-5, 1e-6);
    // mixupLoss with plain labels is the base loss.
    const plain = mixupLoss()(y, logits);
    expectClose(values(plain), values(mean), 1e-6, 1e-7);
    tf.dispose([logits, y, none, mean, plain]);
  });

  test('gradient of soft-target cross-entropy is (softmax(z) − t) / B, and matches finite differences', () => {
    const logits = seededTensor([3, 4], 4, 2);
    const t = tf.tensor2d([[0.7, 0.3, 0, 0], [0, 0, 1, 0], [0.25, 0.25, 0.25, 0.25]]);
    const g = tf.grad((z: tf.Tensor) => crossEntropy(t, z))(logits);
    const rows = logits.arraySync() as number[][];
    const tr = t.arraySync();
    const expected = rows.flatMap((r, i) => {
      const m = Math.max(...r);
      const s = r.reduce((a, z) => a + Math.exp(z - m), 0);
      return r.map((z, k) => (Math.exp(z - m) / s - (tr[i]![k] as number)) / 3);
    });
    expectClose(values(g), expected, 1e-4, 1e-6);
    // Central differences in float64 on the float64 formula of the loss.
    const lossAt = (zs: number[][]) => zs.reduce((a, r, i) => a + r.reduce((b, _, k) => b + (tr[i]![k] as number) * ce(r, k), 0), 0) / 3;
    const eps = 1e-4;
    const fd = rows.flatMap((r, i) =>
      r.map((_, k) => {
        const plus = rows.map((rr, ii) => rr.map((v, kk) => (ii === i && kk === k ? v + eps : v)));
        const minus = rows.map((rr, ii) => rr.map((v, kk) => (ii === i && kk === k ? v - eps : v)));
        return (lossAt(plus) - lossAt(minus)) / (2 * eps);
      }),
    );
    expectClose(values(g), fd, 1e-3, 1e-5);
    tf.dispose([logits, t, g]);
  });

  test('reports bad logits, targets and options', () => {
    const z = seededTensor([2, 3], 5);
    const y = tf.tensor1d([0, 1], 'int32');
    const z1 = seededTensor([3], 5);
    expect(() => crossEntropy(y, z1)).toThrow(/^crossEntropy: logits must be a float32 tensor \[B, K\], got a float32 tensor of shape \[3\]\.$/);
    const soft = tf.ones([2, 4]);
    expect(() => crossEntropy(soft, z)).toThrow(/^crossEntropy: targets must be \[B, 3\], as many columns as the logits, got a float32 tensor of shape \[2, 4\]\.$/);
    expect(() => crossEntropy({ yi: y, yj: soft, lambda: 0.5 }, z)).toThrow(/crossEntropy: targets.yj must be shaped like targets.yi, an int32 tensor of shape \[2\], got a float32 tensor of shape \[2, 4\]\./);
    expect(() => crossEntropy({ yi: soft, yj: soft, lambda: 0.5 }, z)).toThrow(/^crossEntropy: targets.yi must be \[B, 3\], as many columns as the logits/);
    expect(() => crossEntropy(y, z, { reduction: 'sum' as 'mean' })).toThrow(/crossEntropy: reduction must be one of 'mean', 'none', got 'sum'/);
    expect(() => crossEntropy(y, z, { labelSmoothing: 1 })).toThrow(/crossEntropy: labelSmoothing must be a number in \[0, 1\), got 1/);
    tf.dispose([z, y, z1, soft]);
  });
});

describe('mixupLoss', () => {
  test('a base loss that returns a scalar works with one λ per batch', () => {
    const c = fixtures.mixupLoss[0]!;
    const logits = tf.tensor2d(c.logits);
    const targets = targetsOf(c, c.lam);
    const meanBase = (t: tf.Tensor, z: tf.Tensor) => crossEntropy(t, z);
    const value = mixupLoss(meanBase)(targets, logits);
    expectClose(values(value), [c.loss], 1e-5, 1e-6);
    tf.dispose([logits, value]);
    disposeTargets(targets);
  });

  test('reports a scalar base loss with per-sample λ, malformed targets and bad arguments', () => {
    const logits = seededTensor([2, 3], 6);
    const elem = targetsOf({ yi: [0, 1], yj: [1, 2] }, tf.tensor1d([0.2, 0.9]));
    expect(() => mixupLoss((t, z) => crossEntropy(t, z))(elem, logits)).toThrow(
      /mixupLoss: baseLoss\(yi, predictions\) must be per-sample losses \[2\] for a per-sample lambda \(use reduction 'none'\), got a float32 tensor of shape \[\]\./,
    );
    const badLambda = targetsOf({ yi: [0, 1], yj: [1, 2] }, 1.5);
    expect(() => mixupLoss()(badLambda, logits)).toThrow(/mixupLoss: targets.lambda must be a number in \[0, 1\] or a float32 tensor \[2\], got 1\.5\./);
    const floatYi = { yi: tf.tensor1d([0, 1]), yj: tf.tensor1d([1, 2], 'int32'), lambda: 0.5 };
    expect(() => mixupLoss()(floatYi, logits)).toThrow(/mixupLoss: targets.yi must be int32 labels \[2\] or float32 soft targets \[2, K\]/);
    const wrongRows = targetsOf({ yi: [0, 1, 2], yj: [1, 2, 0] }, 0.5);
    expect(() => mixupLoss()(wrongRows, logits)).toThrow(/mixupLoss: targets.yi must be int32 labels \[2\] or float32 soft targets \[2, K\], got an int32 tensor of shape \[3\]\./);
    expect(() => mixupLoss()([0, 1] as unknown as tf.Tensor, logits)).toThrow(/mixupLoss: targets must be a tf.Tensor of labels or MixUp targets/);
    expect(() => mixupLoss('ce' as never)).toThrow(/^mixupLoss: baseLoss must be a function \(targets, predictions\) => Tensor, got 'ce'\.$/);
    tf.dispose([logits, floatYi.yi, floatYi.yj]);
    [elem, badLambda, wrongRows].forEach(disposeTargets);
  });

  test('no leaks from the loss, its gradient, soft targets, or a training step', async () => {
    const c = fixtures.mixupLoss[1]!;
    const logits = tf.tensor2d(c.logits);
    const targets = targetsOf(c, c.lam);
    const elem = targetsOf(c, tf.tensor1d(c.yi.map(() => 0.3)));
    await expectNoLeak(() => mixupLoss()(targets, logits).dispose());
    await expectNoLeak(() => mixupLoss()(elem, logits).dispose());
    await expectNoLeak(() => tf.grad((z: tf.Tensor) => mixupLoss()(elem, z))(logits).dispose());
    await expectNoLeak(() => mixupSoftTargets(elem, { numClasses: 3, labelSmoothing: 0.1 }).dispose());
    await expectNoLeak(() => mixupSoftTargets(targets.yi, { numClasses: 3 }).dispose());

    const w = tf.variable(seededTensor([4, 3], 7));
    const xs = seededTensor([6, 4], 8);
    const optimizer = tf.train.sgd(0.1);
    const loss = mixupLoss();
    const ys = tf.tensor1d(c.yi, 'int32');
    const step = () => {
      const batch = mixupBatch(xs, ys, { rng: createRng(2) });
      const value = optimizer.minimize(() => loss(batch.ys, batch.xs.matMul(w)), true) as tf.Scalar;
      const out = value.dataSync()[0] as number;
      tf.dispose([value, batch.xs, batch.ys.yi, batch.ys.yj]);
      return out;
    };
    const before = values(w);
    step(); // the optimizer may create its bookkeeping on the first step
    await expectNoLeak(() => {
      const first = step();
      expect(Number.isFinite(first)).toBe(true);
    });
    expect(values(w)).not.toEqual(before);
    tf.dispose([logits, w, xs, ys]);
    optimizer.dispose();
    [targets, elem].forEach(disposeTargets);
  });
});

describe('mixupSoftTargets', () => {
  test('one-hot rows, smoothed as (1−ε)·onehot + ε/K, mixed with λ', () => {
    const targets = targetsOf({ yi: [0, 2], yj: [1, 2] }, 0.25);
    const soft = mixupSoftTargets(targets, { numClasses: 4, labelSmoothing: 0.2 });
    const on = 0.8 + 0.05;
    const off = 0.05;
    expectClose(values(soft), [0.25 * on + 0.75 * off, 0.25 * off + 0.75 * on, off, off, off, off, on, off], 1e-6, 1e-7);
    const plain = mixupSoftTargets(targets.yi, { numClasses: 4 });
    expect(values(plain)).toEqual([1, 0, 0, 0, 0, 0, 1, 0]);
    tf.dispose([soft, plain]);
    disposeTargets(targets);
  });

  test('reports missing or inconsistent numClasses', () => {
    const y = tf.tensor1d([0, 1], 'int32');
    expect(() => mixupSoftTargets(y)).toThrow(/mixupSoftTargets: numClasses must be given for int32 labels targets \[B\], got undefined\./);
    const soft = tf.ones([2, 3]);
    expect(() => mixupSoftTargets(soft, { numClasses: 4 })).toThrow(/mixupSoftTargets: numClasses must be 3, the columns of targets, got 4\./);
    expect(() => mixupSoftTargets(y, { numClasses: 0 })).toThrow(/mixupSoftTargets: numClasses must be a positive integer, got 0/);
    const wider = tf.ones([2, 4]);
    expect(() => mixupSoftTargets({ yi: soft, yj: wider, lambda: 0.5 })).toThrow(
      /mixupSoftTargets: targets.yj must be shaped like targets.yi, a float32 tensor of shape \[2, 3\], got a float32 tensor of shape \[2, 4\]\./,
    );
    tf.dispose([y, soft, wider]);
  });
});
