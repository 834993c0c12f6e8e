/** Unary and binary maps (with broadcasting), AddN and Softmax against the cpu backend. */
import * as tf from '@tensorflow/tfjs';

import { compareBackends, describeNative, expectFallback, expectNative, rand } from './helpers';

type Unary = (x: tf.Tensor) => tf.Tensor;

const unaries: Array<[string, string, Unary, number, number]> = [
  ['relu', 'Relu', tf.relu, -2, 2],
  ['relu6', 'Relu6', tf.relu6, -3, 9],
  ['exp', 'Exp', tf.exp, -3, 3],
  ['log', 'Log', tf.log, 0.1, 5],
  ['neg', 'Neg', tf.neg, -2, 2],
  ['sqrt', 'Sqrt', tf.sqrt, 0.1, 4],
  ['rsqrt', 'Rsqrt', tf.rsqrt, 0.2, 4],
  ['square', 'Square', tf.square, -2, 2],
  ['abs', 'Abs', tf.abs, -2, 2],
  ['sigmoid', 'Sigmoid', tf.sigmoid, -6, 6],
  ['tanh', 'Tanh', tf.tanh, -3, 3],
  ['step(0.3)', 'Step', (x) => tf.step(x, 0.3), -2, 2],
  ['reciprocal', 'Reciprocal', tf.reciprocal, 0.5, 3],
  ['elu', 'Elu', tf.elu, -3, 3],
  ['leakyRelu(0.1)', 'LeakyRelu', (x) => tf.leakyRelu(x, 0.1), -2, 2],
  ['softplus', 'Softplus', tf.softplus, -20, 20],
  ['log1p', 'Log1p', tf.log1p, -0.5, 3],
  ['clipByValue(-0.5, 0.7)', 'ClipByValue', (x) => tf.clipByValue(x, -0.5, 0.7), -2, 2],
];

describeNative('unary kernels', () => {
  test.each(unaries)('%s: forward and gradient', async (_n, kernel, f, lo, hi) => {
    const stats = await compareBackends(() => {
      const x = rand([3, 17, 5], 1, lo, hi);
      return [f(x), tf.grad(f)(x, rand([3, 17, 5], 2))];
    });
    expectNative(stats, kernel);
  });

  test('NaN propagates like the cpu kernels (relu, step, max)', async () => {
    const stats = await compareBackends(() => {
      const x = tf.tensor([NaN, -1, 0, 2, NaN, 3]);
      return [tf.relu(x), tf.step(x), tf.maximum(x, tf.scalar(1)), tf.minimum(x, tf.scalar(1))];
    });
    expectNative(stats, 'Relu', 'Step', 'Maximum', 'Minimum');
  });

  test('special values follow JavaScript\'s Math functions (Math.pow, Math.max(0, -0) = +0)', async () => {
    const stats = await compareBackends(() => {
      const base = tf.tensor([1, 1, -1, -1, 2, NaN, 0, -0, -8, Infinity, -Infinity, 0.5]);
      const exponent = tf.tensor([NaN, Infinity, Infinity, -Infinity, NaN, 0, -1, -1, 1 / 3, -0.5, 3, -Infinity]);
      const signed = tf.tensor([-0, 0, -1, NaN, 7, 6.5]);
      // 1 / y tells +0 from -0.
      return [tf.pow(base, exponent), tf.div(1, tf.relu(signed)), tf.div(1, tf.relu6(signed)), tf.clipByValue(signed, -0.5, 6)];
    });
    expectNative(stats, 'Pow', 'Relu', 'Relu6', 'ClipByValue');
  });

  test('int32 inputs fall back to the cpu kernels', async () => {
    const stats = await compareBackends(() => tf.cast(tf.abs(tf.tensor([-3, 2, -1], [3], 'int32')), 'float32'));
    expectFallback(stats, 'Abs');
  });
});

const binaries: Array<[string, string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  ['add', 'Add', tf.add],
  ['sub', 'Sub', tf.sub],
  ['mul', 'Multiply', tf.mul],
  ['div', 'RealDiv', tf.div],
  ['maximum', 'Maximum', tf.maximum],
  ['minimum', 'Minimum', tf.minimum],
  ['squaredDifference', 'SquaredDifference', tf.squaredDifference],
  ['pow', 'Pow', tf.pow],
];

const shapes: Array<[string, number[], number[]]> = [
  ['same shape', [2, 3, 5, 7], [2, 3, 5, 7]],
  ['channel vector', [2, 3, 5, 7], [7]],
  ['keepDims channels', [1, 1, 1, 7], [2, 3, 5, 7]],
  ['scalar', [2, 3, 5, 7], []],
  ['scalar first', [], [4, 9]],
  ['row and column', [5, 1], [1, 6]],
  ['middle axis', [2, 3, 5, 7], [3, 1, 1]],
  ['both broadcast inside', [2, 1, 5, 1], [1, 3, 1, 7]],
];

describeNative('binary kernels with broadcasting', () => {
  test.each(binaries.flatMap(([n, k, f]) => shapes.map(([sn, sa, sb]) => [`${n} ${sn}`, k, f, sa, sb] as const)))(
    '%s: forward and gradients',
    async (_n, kernel, f, sa, sb) => {
      const stats = await compareBackends(() => {
        // Positive bases keep pow real; divisors stay away from 0.
        const a = kernel === 'Pow' ? rand(sa, 3, 0.5, 2) : rand(sa, 3, -2, 2);
        const b = kernel === 'RealDiv' || kernel === 'Pow' ? rand(sb, 4, 0.5, 2) : rand(sb, 4, -2, 2);
        const out = f(a, b);
        // tfjs's Maximum/Minimum/SquaredDifference gradients do not reduce over broadcast axes: same shapes only.
        const noBroadcastGrad = ['Maximum', 'Minimum', 'SquaredDifference'].includes(kernel) && a.shape.join() !== b.shape.join();
        return noBroadcastGrad ? [out] : [out, ...tf.grads(f)([a, b], rand(out.shape, 5))];
      });
      expectNative(stats, kernel);
    },
  );

  test('incompatible shapes throw the cpu kernel error', async () => {
    const { setBackend } = tf;
    await setBackend('onednn');
    expect(() => tf.tidy(() => tf.add(tf.ones([2, 3]), tf.ones([4])))).toThrow(/broadcast/i);
    await setBackend('cpu');
  });
});

describeNative('AddN and Softmax', () => {
  test('addN of four tensors and its gradient', async () => {
    const stats = await compareBackends(() => {
      const xs = [0, 1, 2, 3].map((i) => rand([3, 4, 5], 10 + i));
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.mul(tf.addN([a, b, c, d]), a);
      return [f(...(xs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])), ...tf.grads(f)(xs, rand([3, 4, 5], 20))];
    });
    expectNative(stats, 'AddN');
  });

  test('softmax and logSoftmax over the last axis, with gradients', async () => {
    const stats = await compareBackends(() => {
      const x = rand([6, 11], 21, -4, 4);
      const dy = rand([6, 11], 22);
      return [tf.softmax(x), tf.grad((a: tf.Tensor) => tf.softmax(a))(x, dy), tf.logSoftmax(x), tf.grad((a: tf.Tensor) => tf.logSoftmax(a))(x, dy)];
    });
    expectNative(stats, 'Softmax');
  });

  test('softmax rows with NaN or infinities are NaN, as on cpu', async () => {
    const stats = await compareBackends(() => tf.softmax(tf.tensor2d([[Infinity, 1, 2], [-Infinity, -Infinity, -Infinity], [NaN, 0, 1], [-Infinity, 0, 1]])));
    expectNative(stats, 'Softmax');
  });

  test('softmax cross-entropy loss and its gradient (the training loss)', async () => {
    const stats = await compareBackends(() => {
      const logits = rand([8, 10], 23, -3, 3);
      const labels = tf.oneHot(tf.tensor1d([0, 3, 9, 1, 1, 5, 7, 2], 'int32'), 10);
      const f = (l: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, l);
      return [f(logits), tf.grad(f)(logits)];
    });
    expectNative(stats, 'Exp', 'Sum');
  });
});
