/** BatchMatMul and _FusedMatMul against the cpu backend. */
import * as tf from '@tensorflow/tfjs';

import { compareBackends, describeNative, expectFallback, expectNative, rand } from './helpers';

describeNative('BatchMatMul', () => {
  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ['2-D', [5, 7], [7, 3], false, false],
    ['2-D transposeA', [7, 5], [7, 3], true, false],
    ['2-D transposeB', [5, 7], [3, 7], false, true],
    ['2-D both transposed', [7, 5], [3, 7], true, true],
    ['3-D batch', [4, 3, 6], [4, 6, 5], false, false],
    ['batch broadcast of b', [2, 3, 3, 6], [6, 5], false, false],
    ['batch broadcast of a', [1, 3, 6], [4, 6, 2], false, false],
    ['inner size 1', [5, 1], [1, 4], false, false],
  ];
  test.each(cases)('%s: forward and gradients', async (_n, sa, sb, ta, tb) => {
    const stats = await compareBackends(() => {
      const a = rand(sa, 1);
      const b = rand(sb, 2);
      const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb);
      const out = f(a, b);
      // tfjs's BatchMatMul gradient does not reduce over a broadcast batch: forward only there.
      if (sa.length !== sb.length || sa[0] !== sb[0]) return [out];
      return [out, ...tf.grads(f)([a, b], rand(out.shape, 3))];
    });
    expectNative(stats, 'BatchMatMul');
  });

  test('batch shapes that need a per-dimension broadcast fall back', async () => {
    const stats = await compareBackends(() => tf.matMul(rand([2, 1, 3, 4], 4), rand([1, 3, 4, 2], 5)));
    expectFallback(stats, 'BatchMatMul');
  });
});

describeNative('_FusedMatMul', () => {
  test.each(['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const)('bias + %s', async (activation) => {
    const stats = await compareBackends(() =>
      tf.fused.matMul({ a: rand([6, 5], 6, -2, 2), b: rand([5, 4], 7), bias: rand([4], 8), activation, leakyreluAlpha: 0.25 }),
    );
    expectNative(stats, '_FusedMatMul');
  });

  test('dense layer forward and gradients (bias, transposed product in the backward pass)', async () => {
    const stats = await compareBackends(() => {
      const x = rand([7, 9], 9);
      const w = rand([9, 4], 10);
      const b = rand([4], 11);
      const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.fused.matMul({ a: p as tf.Tensor2D, b: q as tf.Tensor2D, bias: r, activation: 'linear' });
      return [f(x, w, b), ...tf.grads(f)([x, w, b], rand([7, 4], 12))];
    });
    expectNative(stats, '_FusedMatMul', 'BatchMatMul');
  });

  test('a scalar bias broadcasts; a [M, N] bias falls back', async () => {
    const native = await compareBackends(() => tf.fused.matMul({ a: rand([3, 4], 13), b: rand([4, 2], 14), bias: tf.scalar(0.5) }));
    expectNative(native, '_FusedMatMul');
    const fallback = await compareBackends(() => tf.fused.matMul({ a: rand([3, 4], 15), b: rand([4, 2], 16), bias: rand([3, 2], 17) }));
    expectFallback(fallback, '_FusedMatMul');
    // A bias of higher rank than the product: the cpu kernel's broadcast add raises the rank.
    const ranked = await compareBackends(() => tf.engine().runKernel('_FusedMatMul', { a: rand([3, 4], 18), b: rand([4, 2], 19), bias: rand([1, 1, 2], 20) }, { transposeA: false, transposeB: false, activation: 'linear' }) as tf.Tensor);
    expectFallback(ranked, '_FusedMatMul');
  });
});
