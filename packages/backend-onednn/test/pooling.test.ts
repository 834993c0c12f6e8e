/** MaxPool / AvgPool and their gradients against the cpu backend, including ties and padding. */
import * as tf from '@tensorflow/tfjs';

import { compareBackends, describeNative, expectFallback, expectNative, rand } from './helpers';

interface PoolCase {
  x: [number, number, number, number];
  size: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  rounding?: 'floor' | 'round' | 'ceil';
}

const cases: PoolCase[] = [
  { x: [2, 6, 6, 3], size: 2, strides: 2, pad: 'valid' },
  { x: [2, 7, 5, 3], size: 2, strides: 2, pad: 'same' },
  { x: [1, 7, 7, 2], size: 3, strides: 2, pad: 'same' },
  { x: [2, 5, 6, 4], size: [3, 2], strides: [1, 2], pad: 'valid' },
  { x: [2, 6, 6, 3], size: 2, strides: 1, pad: 1 },
  { x: [1, 9, 8, 5], size: 3, strides: 3, pad: 'same' },
  { x: [1, 7, 7, 2], size: 3, strides: 2, pad: 1, rounding: 'ceil' },
  // Here ceil and floor differ (5 rows and columns, not 4): the last windows hang over the edge.
  { x: [2, 8, 8, 3], size: 3, strides: 2, pad: 1, rounding: 'ceil' },
  { x: [1, 9, 6, 2], size: 2, strides: 2, pad: 0, rounding: 'round' },
];

/**
 * Whether dimRoundingMode changes the output size. tfjs's MaxPool and AvgPool gradients drop it, so
 * then dy does not match the geometry the gradient kernels compute: the cpu kernels read it with
 * their own (floor) geometry, and the native kernels defer to them.
 */
const roundingMatters = (c: PoolCase) =>
  c.rounding !== undefined &&
  tf.tidy(() => tf.maxPool(tf.zeros(c.x) as tf.Tensor4D, c.size, c.strides, c.pad, c.rounding).shape.join() !== tf.maxPool(tf.zeros(c.x) as tf.Tensor4D, c.size, c.strides, c.pad).shape.join());

const label = (c: PoolCase) => `x ${c.x.join('x')} window ${JSON.stringify(c.size)} s ${JSON.stringify(c.strides)} ${c.pad}${c.rounding ? ` ${c.rounding}` : ''}`;

describeNative('MaxPool and MaxPoolGrad', () => {
  test.each(cases.map((c) => [label(c), c] as const))('forward and gradient, %s', async (_n, c) => {
    const stats = await compareBackends(() => {
      // relu of a shifted uniform: many exact zeros, so windows have tied maxima (first one wins).
      const x = tf.relu(rand(c.x, 1, -1, 0.6));
      const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad, c.rounding);
      const y = f(x);
      return [y, tf.grad(f)(x, rand(y.shape, 2))];
    });
    expectNative(stats, 'MaxPool');
    if (roundingMatters(c)) expectFallback(stats, 'MaxPoolGrad');
    else expectNative(stats, 'MaxPoolGrad');
  });

  test('NaN is skipped like the cpu kernel, empty windows (padding only) give -Infinity and no gradient', async () => {
    const stats = await compareBackends(() => {
      const x = tf.tensor4d([NaN, 1, -2, NaN, NaN, NaN, -Infinity, NaN, 3, 0, 0, -1], [1, 3, 4, 1]);
      // An explicit padding of 3 rows around 2x2 windows: the outer windows see no input at all.
      const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, [[0, 0], [3, 3], [1, 0], [0, 0]] as never);
      const y = f(x);
      return [y, tf.grad(f)(x, rand(y.shape, 7)), tf.maxPool(x as tf.Tensor4D, 2, 1, 'valid')];
    });
    expectNative(stats, 'MaxPool', 'MaxPoolGrad');
  });
});

describeNative('AvgPool and AvgPoolGrad', () => {
  test.each(cases.map((c) => [label(c), c] as const))('forward and gradient, %s', async (_n, c) => {
    const stats = await compareBackends(() => {
      const x = rand(c.x, 3);
      const f = (a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, c.size, c.strides, c.pad, c.rounding);
      const y = f(x);
      return [y, tf.grad(f)(x, rand(y.shape, 4))];
    });
    expectNative(stats, 'AvgPool');
    if (roundingMatters(c)) expectFallback(stats, 'AvgPoolGrad');
    else expectNative(stats, 'AvgPoolGrad');
  });

  test('a gradient whose dy does not match the floor geometry falls back', async () => {
    const stats = await compareBackends(() => {
      const x = rand([1, 8, 8, 2], 8);
      return tf.engine().runKernel('AvgPoolGrad', { dy: rand([1, 5, 5, 2], 9), input: x }, { filterSize: 3, strides: 2, pad: 1 }) as tf.Tensor;
    });
    expectFallback(stats, 'AvgPoolGrad');
  });

  test('empty windows (padding only) give NaN like the cpu kernel (0 / 0 valid pixels)', async () => {
    const stats = await compareBackends(() => {
      const x = rand([1, 3, 3, 2], 10);
      const f = (a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, 2, 2, 2 as never);
      const y = f(x);
      // Padding wider than the window: some windows start beyond the input's last row / column.
      const wide = (a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, 2, 1, 3 as never);
      const explicit = tf.avgPool(x as tf.Tensor4D, 1, 1, [[0, 0], [0, 3], [2, 1], [0, 0]] as never);
      return [y, tf.grad(f)(x, rand(y.shape, 11)), wide(x), tf.grad(wide)(x, rand(wide(x).shape, 12)), explicit];
    });
    expectNative(stats, 'AvgPool', 'AvgPoolGrad');
  });

  test('global average pooling layer (Mean over H, W) and its gradient', async () => {
    const stats = await compareBackends(() => {
      const x = rand([3, 5, 4, 6], 5);
      const layer = tf.layers.globalAveragePooling2d({});
      const f = (a: tf.Tensor) => layer.apply(a) as tf.Tensor;
      return [f(x), tf.grad(f)(x, rand([3, 6], 6))];
    });
    expectNative(stats, 'Mean');
  });
});
