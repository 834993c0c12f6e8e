/** FusedBatchNorm and the ops of its gradient against the cpu backend. */
import * as tf from '@tensorflow/tfjs';

import { registerOneDnnBackend } from '../src/index';
import { compareBackends, describeNative, expectFallback, expectNative, rand } from './helpers';

describeNative('FusedBatchNorm', () => {
  test('4-D input, [C] statistics, scale and offset: forward and all five gradients', async () => {
    const stats = await compareBackends(() => {
      const x = rand([3, 5, 4, 6], 1);
      const mean = rand([6], 2);
      const variance = rand([6], 3, 0.2, 2);
      const offset = rand([6], 4);
      const scale = rand([6], 5, 0.5, 1.5);
      const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
        tf.batchNorm(a as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3);
      return [f(x, mean, variance, offset, scale), ...tf.grads(f)([x, mean, variance, offset, scale], rand([3, 5, 4, 6], 6))];
    });
    // The gradient ran as one native pass (the fused-gradient dispatcher), not as tfjs-core's ops.
    expectNative(stats, 'FusedBatchNorm', 'OneDnnFusedBatchNormGrad');
    expect(stats.Tile).toBeUndefined();
  });

  test('with fuseGradients: false the gradient is tfjs-core\'s composition of kernels (same values)', async () => {
    registerOneDnnBackend({ fuseGradients: false });
    try {
      const stats = await compareBackends(() => {
        const x = rand([2, 3, 4, 5], 30);
        const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
          tf.batchNorm(a as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3);
        return tf.grads(f)([x, rand([5], 31), rand([5], 32, 0.5, 1.5), rand([5], 29), rand([5], 33)], rand([2, 3, 4, 5], 34));
      });
      expectNative(stats, 'FusedBatchNorm', 'Tile', 'Multiply', 'Sum', 'Rsqrt');
      expect(stats.OneDnnFusedBatchNormGrad).toBeUndefined();
    } finally {
      registerOneDnnBackend({ fuseGradients: true });
    }
  });

  // (tfjs-core itself cannot differentiate tf.batchNorm without offset and scale: it saves `undefined`.)
  test('gradients of a 2-D batch norm (a dense layer\'s)', async () => {
    const stats = await compareBackends(() => {
      const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
        tf.batchNorm(a as tf.Tensor2D, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D);
      return tf.grads(f)([rand([9, 4], 35), rand([4], 36), rand([4], 37, 0.2, 2), rand([4], 41), rand([4], 42)], rand([9, 4], 38));
    });
    expectNative(stats, 'OneDnnFusedBatchNormGrad');
  });

  test('second-order gradients through batch norm and a mean use tfjs-core\'s differentiable gradients', async () => {
    const stats = await compareBackends(() => {
      const gamma = rand([3], 39, 0.5, 1.5);
      const beta = rand([3], 43);
      const f = (a: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1]);
        return tf.mean(tf.square(tf.batchNorm(a as tf.Tensor3D, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-3)));
      };
      const gradNorm = (a: tf.Tensor) => tf.sum(tf.square(tf.grad(f)(a)));
      return tf.grad(gradNorm)(rand([4, 5, 3], 40, -2, 2));
    }, { atol: 1e-3, rtol: 1e-2 });
    // The inner gradient (recorded by the outer tape) used tfjs-core's ops; only the outer backward's
    // first-order gradient of the forward batch norm took a native pass: the training-mode one, since the
    // statistics are tf.moments' of the same input on the same tape.
    expect(stats.OneDnnBatchNormTrainGrad).toEqual({ native: 1, fallback: 0, errors: 0 });
    expect(stats.OneDnnFusedBatchNormGrad).toBeUndefined();
  });

  test('2-D input without scale and offset, and scalar statistics', async () => {
    const stats = await compareBackends(() => [
      tf.batchNorm(rand([7, 5], 7), rand([5], 8), rand([5], 9, 0.1, 1)),
      tf.batchNorm(rand([4, 3], 10), tf.scalar(0.2), tf.scalar(0.7), undefined, tf.scalar(1.5), 1e-5),
    ]);
    expectNative(stats, 'FusedBatchNorm');
  });

  test('statistics of different ranks are rejected with the cpu kernel\'s error', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return () => tf.tidy(() => tf.engine().runKernel('FusedBatchNorm', { x: tf.ones([2, 3]), mean: tf.ones([1, 3]), variance: tf.ones([3]) }, { varianceEpsilon: 1e-3 }));
    };
    expect(await run('cpu')).toThrow(/equal ranks/);
    expect(await run('onednn')).toThrow(/equal ranks/);
    await tf.setBackend('cpu');
  });

  test('statistics of two different lengths (cycled separately by the cpu kernel) fall back', async () => {
    const stats = await compareBackends(() => tf.batchNorm(rand([2, 6], 11), rand([2], 12), rand([3], 13, 0.1, 1)));
    expectFallback(stats, 'FusedBatchNorm');
  });

  test('training-mode batch normalisation (moments + FusedBatchNorm, as tf.layers does) and its gradients', async () => {
    const stats = await compareBackends(() => {
      const x = rand([4, 5, 3, 7], 14, -2, 3);
      const gamma = rand([7], 15, 0.5, 1.5);
      const beta = rand([7], 16);
      const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.batchNorm(a as tf.Tensor4D, mean, variance, b, g, 1e-5);
      };
      return [f(x, gamma, beta), ...tf.grads(f)([x, gamma, beta], rand([4, 5, 3, 7], 17))];
    });
    expectNative(stats, 'FusedBatchNorm', 'Mean', 'Square', 'Sub');
  });
});
