import * as tf from '@tensorflow/tfjs';
import { accuracy, mixupAccuracy } from '../src/index';
import { expectNoLeak } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Predicted classes 0, 1, 2, 3 (one-hot-ish scores).
const scores = () =>
  tf.tensor2d([
    [5, 1, 0, 0],
    [0, 4, 1, 0],
    [0, 0, 3, 1],
    [1, 0, 0, 2],
  ]);

describe('accuracy (also exported as mixupAccuracy)', () => {
  test('mixupAccuracy is accuracy', () => {
    expect(mixupAccuracy).toBe(accuracy);
  });

  test('plain labels: ordinary accuracy; soft targets use their argmax', () => {
    const p = scores();
    const y = tf.tensor1d([0, 1, 0, 0], 'int32');
    expect(mixupAccuracy(y, p)).toBeCloseTo(0.5, 7);
    const soft = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 4).toFloat();
    expect(mixupAccuracy(soft, p)).toBeCloseTo(0.75, 7);
    tf.dispose([p, y, soft]);
  });

  test('MixUp targets: λ for matching yi, 1−λ for matching yj', () => {
    const p = scores();
    const yi = tf.tensor1d([0, 1, 0, 0], 'int32');
    const yj = tf.tensor1d([1, 1, 2, 0], 'int32');
    // Hits: yi [1, 1, 0, 0], yj [0, 1, 1, 0] → per sample 0.7, 1, 0.3, 0.
    expect(mixupAccuracy({ yi, yj, lambda: 0.7 }, p)).toBeCloseTo((0.7 + 1 + 0.3 + 0) / 4, 6);
    const lambda = tf.tensor1d([0.2, 0.9, 0.6, 0.5]);
    // Per sample 0.2, 1, 0.4, 0.
    expect(mixupAccuracy({ yi, yj, lambda }, p)).toBeCloseTo((0.2 + 1 + 0.4 + 0) / 4, 6);
    tf.dispose([p, yi, yj, lambda]);
  });

  test('leaves no tensors behind and reports bad input', async () => {
    const p = scores();
    const yi = tf.tensor1d([0, 1, 0, 0], 'int32');
    const lambda = tf.tensor1d([0.2, 0.9, 0.6, 0.5]);
    await expectNoLeak(() => mixupAccuracy({ yi, yj: yi, lambda }, p));
    await expectNoLeak(() => mixupAccuracy(yi, p));
    const flatP = tf.tensor1d([1, 2, 3, 4]);
    expect(() => mixupAccuracy(yi, flatP)).toThrow(/^accuracy: predictions must be a tf.Tensor \[B, K\] with B >= 1, got a float32 tensor of shape \[4\]\.$/);
    const short = tf.tensor1d([0, 1], 'int32');
    expect(() => mixupAccuracy(short, p)).toThrow(/accuracy: targets must be int32 labels \[4\] or float32 soft targets \[4, K\], got an int32 tensor of shape \[2\]\./);
    expect(() => mixupAccuracy({ yi, yj: yi, lambda: -0.1 }, p)).toThrow(/accuracy: targets.lambda must be a number in \[0, 1\]/);
    // Soft targets with another number of classes would give a meaningless argmax.
    const soft5 = tf.ones([4, 5]);
    expect(() => mixupAccuracy(soft5, p)).toThrow(/^accuracy: targets must be \[B, 4\], as many columns as the predictions, got a float32 tensor of shape \[4, 5\]\.$/);
    expect(() => mixupAccuracy({ yi: soft5, yj: soft5, lambda: 0.5 }, p)).toThrow(/accuracy: targets.yi must be \[B, 4\], as many columns/);
    // Out-of-range class indices would never be a hit, silently.
    const bad = tf.tensor1d([0, 1, 4, 0], 'int32');
    expect(() => accuracy(bad, p)).toThrow(/^accuracy: targets\[2\] must be a class index in \[0, 3\], got 4\.$/);
    expect(() => accuracy({ yi, yj: bad, lambda: 0.5 }, p)).toThrow(/^accuracy: targets\.yj\[2\] must be a class index in \[0, 3\], got 4\.$/);
    tf.dispose([p, yi, lambda, flatP, short, soft5, bad]);
  });
});
