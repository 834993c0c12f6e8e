/** MaxPool / AvgPool and their gradients against the cpu backend, including ties and padding. */
import * as tf from '@tensorflow/tfjs';

import { compareBackends, describeNative, expectNative, rand } from './helpers';

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
];

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
