/** Reductions over any axes and the data-movement kernels against the cpu backend. */
import * as tf from '@tensorflow/tfjs';

import { compareBackends, describeNative, expectFallback, expectNative, rand } from './helpers';

const axesCases: Array<[string, number | number[] | undefined]> = [
  ['all axes', undefined],
  ['last axis', -1],
  ['first axis', 0],
  ['all but channels', [0, 1, 2]],
  ['middle axes', [1, 2]],
  ['alternating', [0, 2]],
  ['first and last', [0, 3]],
];

const reductions: Array<[string, string, (x: tf.Tensor, axis: number | number[] | undefined, keep: boolean) => tf.Tensor]> = [
  ['sum', 'Sum', tf.sum],
  ['mean', 'Mean', tf.mean],
  ['max', 'Max', tf.max],
  ['min', 'Min', tf.min],
  ['prod', 'Prod', tf.prod],
];

describeNative('reductions', () => {
  test.each(reductions.flatMap(([n, k, f]) => axesCases.map(([an, ax]) => [`${n} over ${an}`, k, f, ax] as const)))(
    '%s (keepDims both ways) with gradient',
    async (_n, kernel, f, axis) => {
      const stats = await compareBackends(() => {
        const x = kernel === 'Prod' ? rand([3, 4, 5, 2], 1, 0.8, 1.2) : rand([3, 4, 5, 2], 1);
        const kept = f(x, axis, true);
        const g = kernel === 'Prod' ? [] : [tf.grad((a: tf.Tensor) => f(a, axis, false))(x, rand(f(x, axis, false).shape, 2))];
        return [f(x, axis, false), kept, ...g];
      });
      expectNative(stats, kernel);
    },
  );

  test('max keeps NaN like the cpu kernel; int32 sums fall back', async () => {
    const stats = await compareBackends(() => [tf.max(tf.tensor([[1, NaN, 3], [4, 5, 6]]), 1), tf.cast(tf.sum(tf.tensor([1, 2, 3], [3], 'int32')), 'float32')]);
    expectNative(stats, 'Max');
    expectFallback(stats, 'Sum');
  });
});

describeNative('layout kernels', () => {
  test.each([
    [[0, 2, 1, 3]],
    [[3, 0, 1, 2]],
    [[1, 0, 3, 2]],
    [[0, 1, 2, 3]],
  ])('transpose %j with gradient', async (perm) => {
    const stats = await compareBackends(() => {
      const x = rand([2, 3, 4, 5], 3);
      const f = (a: tf.Tensor) => tf.transpose(a, perm);
      return [f(x), tf.grad(f)(x, rand(f(x).shape, 4))];
    });
    expectNative(stats, 'Transpose');
  });

  test('tile of a whole block (leading size-1 axes), as reduction gradients use it', async () => {
    const stats = await compareBackends(() => [tf.tile(rand([1, 1, 7], 13), [3, 5, 1]), tf.tile(rand([1, 2, 3], 14), [4, 1, 1]), tf.tile(tf.scalar(2).reshape([1]), [6])]);
    expectNative(stats, 'Tile');
  });

  test('tile with gradient', async () => {
    const stats = await compareBackends(() => {
      const x = rand([2, 1, 3], 5);
      const f = (a: tf.Tensor) => tf.tile(a, [2, 4, 3]);
      return [f(x), tf.grad(f)(x, rand([4, 4, 9], 6))];
    });
    expectNative(stats, 'Tile');
  });

  test('constant padding (zero and non-zero) with gradient', async () => {
    const stats = await compareBackends(() => {
      const x = rand([2, 3, 4, 2], 7);
      const p: Array<[number, number]> = [[0, 1], [2, 0], [1, 3], [0, 0]];
      const f = (a: tf.Tensor) => tf.pad(a, p, 0.5);
      return [f(x), tf.pad(x, p), tf.grad(f)(x, rand(f(x).shape, 8))];
    });
    expectNative(stats, 'PadV2');
  });

  test.each(['reflect', 'symmetric'] as const)('mirror padding (%s) with gradient', async (mode) => {
    const stats = await compareBackends(() => {
      const x = rand([2, 4, 5, 3], 9);
      const p: Array<[number, number]> = [[0, 0], [2, 1], [1, 2], [0, 0]];
      const f = (a: tf.Tensor) => tf.mirrorPad(a, p, mode);
      return [f(x), tf.grad(f)(x, rand(f(x).shape, 10))];
    });
    expectNative(stats, 'MirrorPad');
  });

  test('non-contiguous slice natively, contiguous slice as the cpu view', async () => {
    const stats = await compareBackends(() => {
      const x = rand([3, 5, 6, 2], 11);
      const f = (a: tf.Tensor) => tf.slice(a, [1, 1, 2, 0], [2, 3, 3, 2]);
      return [f(x), tf.grad(f)(x, rand([2, 3, 3, 2], 12)), tf.slice(x, [1, 0, 0, 0], [1, 5, 6, 2])];
    });
    // The strided slices (forward, and again inside tf.grad) ran natively; the contiguous one fell back.
    expect(stats.Slice).toEqual({ native: 2, fallback: 1, errors: 0 });
  });

  test.each([0, 1, 2, 3])('concat along axis %i with gradients', async (axis) => {
    const stats = await compareBackends(() => {
      const shapes = [0, 1, 2].map((i) => [2, 3, 4, 5].map((d, j) => (j === axis ? d + i : d)));
      const xs = shapes.map((s, i) => rand(s, 20 + i));
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.mul(tf.concat([a, b, c], axis), 1.5);
      const y = f(...(xs as [tf.Tensor, tf.Tensor, tf.Tensor]));
      return [y, ...tf.grads(f)(xs, rand(y.shape, 30))];
    });
    expectNative(stats, 'Concat');
  });

  test('concat skips empty inputs, but checks their shapes like the cpu kernel', async () => {
    const stats = await compareBackends(() => tf.concat([tf.zeros([2, 0, 4]), rand([2, 3, 4], 31), tf.zeros([2, 0, 4]), rand([2, 2, 4], 32)], 1));
    expectNative(stats, 'Concat');
    const message = async (backend: string) => {
      await tf.setBackend(backend);
      try {
        tf.tidy(() => tf.concat([tf.zeros([0, 5]), tf.ones([2, 3]), tf.ones([2, 3])], 0));
        return 'no error';
      } catch (err) {
        return (err as Error).message;
      }
    };
    const expected = await message('cpu');
    expect(expected).toMatch(/does not match/);
    expect(await message('onednn')).toBe(expected);
    await tf.setBackend('cpu');
  });
});

describeNative('gradient dispatchers', () => {
  test('Mean and Sum gradients on onednn are bit-identical to tfjs-core\'s on cpu', async () => {
    const f = () => {
      const x = rand([4, 6, 5, 3], 50);
      return [
        tf.grad((a: tf.Tensor) => tf.mean(a, [0, 1, 2]))(x, rand([3], 51)),
        tf.grad((a: tf.Tensor) => tf.sum(a, [1, 2], true))(x, rand([4, 1, 1, 3], 52)),
        tf.grad((a: tf.Tensor) => tf.mean(a))(x, rand([], 53)),
      ];
    };
    const stats = await compareBackends(f, { atol: 0, rtol: 0 });
    expectNative(stats, 'Tile');
  });

  test('they leave other backends alone: the cpu backend still runs tfjs-core\'s own gradient', async () => {
    await tf.setBackend('cpu');
    const x = rand([3, 4], 54);
    const before = tf.memory().numTensors;
    // tfjs-core's Mean gradient multiplies dy by a ones tensor; the onednn dispatcher would tile instead.
    const info = await tf.profile(() => tf.tidy(() => tf.grad((a: tf.Tensor) => tf.mean(a, 0))(x, tf.ones([4]))));
    const names = info.kernels.map((k) => k.name);
    expect(names).toContain('Multiply');
    expect(names).not.toContain('Tile');
    const g = info.result as tf.Tensor;
    expect(Array.from(g.dataSync()).every((v) => Math.abs(v - 1 / 3) < 1e-7)).toBe(true);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describeNative('gather gradient (UnsortedSegmentSum)', () => {
  test('matches the cpu kernel for permutations, repeats, out-of-range ids and gather along inner axes', async () => {
    const stats = await compareBackends(() => {
      const x = rand([5, 3, 4, 2], 7);
      const perm = tf.tensor1d([3, 0, 4, 1, 2], 'int32');
      const repeats = tf.tensor1d([2, 2, 0, 4, 2, 1], 'int32');
      const reflect = tf.tensor1d([2, 1, 0, 1, 2, 3, 2], 'int32');
      const gPerm = tf.grad((a: tf.Tensor) => tf.mul(tf.gather(a, perm, 0), rand([5, 3, 4, 2], 8)).sum())(x);
      const gRepeat = tf.grad((a: tf.Tensor) => tf.mul(tf.gather(a, repeats, 0), rand([6, 3, 4, 2], 9)).sum())(x);
      const gInner = tf.grad((a: tf.Tensor) => tf.mul(tf.gather(a, reflect, 2), rand([5, 3, 7, 2], 10)).sum())(x);
      const direct = tf.unsortedSegmentSum(rand([6, 3], 11), tf.tensor1d([1, -1, 3, 1, 7, 0], 'int32'), 4);
      return [gPerm, gRepeat, gInner, direct];
    });
    expectNative(stats, 'UnsortedSegmentSum');
  });
});
