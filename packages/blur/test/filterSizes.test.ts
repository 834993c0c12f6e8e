import * as tf from '@tensorflow/tfjs';

import { binomialFilter, blur, BLUR_PADDINGS, maxBlurPool2d, type BlurPadding } from '../src';
import fixtures from './fixtures/filterSizes.json';
import { expectClose, expectNoLeak, flat, naiveBlur, seededTensor } from './helpers';

interface SizeCase {
  rank: number;
  kernelSize: number;
  stride: number;
  padding: BlurPadding;
  output_shape: number[];
  output: unknown;
  upstream: unknown;
  grad: unknown;
}

type AnyRank = tf.Tensor3D | tf.Tensor4D | tf.Tensor5D;
const inputs = fixtures.inputs as Record<string, { shape: number[]; values: unknown }>;
const cases = fixtures.cases as SizeCase[];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe("filter sizes 1-7 (antialiased-cnns' table)", () => {
  // The rows of antialiased-cnns' filter table, as its README and BlurPool print them.
  const ADOBE_TABLE: Record<number, number[]> = {
    1: [1],
    2: [1, 1],
    3: [1, 2, 1],
    4: [1, 3, 3, 1],
    5: [1, 4, 6, 4, 1],
    6: [1, 5, 10, 10, 5, 1],
    7: [1, 6, 15, 20, 15, 6, 1],
  };

  it.each(Object.entries(ADOBE_TABLE))('binomialFilter(%s) is the table row divided by its sum, exactly', (size, row) => {
    const total = row.reduce((a, b) => a + b, 0);
    expect(binomialFilter(Number(size))).toEqual(row.map((v) => v / total));
    // The fixtures were made from the same table (a second, independent copy of it).
    expect((fixtures.adobe_taps as Record<string, number[]>)[size]).toEqual(row);
  });

  it('covers every size, rank and padding', () => {
    const seen = new Set(cases.map((c) => `${c.rank}/${c.kernelSize}/${c.padding}`));
    expect(seen.size).toBe(3 * 7 * BLUR_PADDINGS.length);
  });

  it.each(cases.map((c) => [`${c.rank}-D k=${c.kernelSize} s=${c.stride} ${c.padding}`, c] as const))(
    '%s: forward and gradient match PyTorch',
    (_name, c) => {
      const input = inputs[String(c.rank)]!;
      const x = tf.tensor(flat(input.values), input.shape) as tf.Tensor as AnyRank;
      const options = { kernelSize: c.kernelSize, stride: c.stride, padding: c.padding };
      const upstream = tf.tensor(flat(c.upstream), c.output_shape);
      const y = blur(x, options);
      expect(y.shape).toEqual(c.output_shape);
      expectClose(y.dataSync(), flat(c.output));
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(blur(v as AnyRank, options), upstream)))(x);
      expectClose(g.dataSync(), flat(c.grad));
      tf.dispose([x, y, upstream, g]);
    },
  );
});

describe("'replicate' padding", () => {
  it.each([
    [[1, 1, 1], { kernelSize: 5, stride: 1 }],
    [[2, 2, 3, 1], { kernelSize: 4, stride: 2 }],
    [[1, 1, 2, 3, 2], { kernelSize: 3, stride: 1 }],
    [[1, 3, 2, 1], { kernelSize: 7, stride: 3 }],
  ] as [number[], { kernelSize: number; stride: number }][])(
    'accepts axes shorter than the border and matches the naive reference on %p with %p (value and gradient)',
    (shape, o) => {
      const options = { ...o, padding: 'replicate' as const };
      const x = seededTensor(shape, 41) as AnyRank;
      const xs = Array.from(x.dataSync());
      const expected = naiveBlur(xs, shape, options);
      const y = blur(x, options);
      expect(y.shape).toEqual(expected.shape);
      expectClose(y.dataSync(), expected.values, 0, 1e-6);
      const u = seededTensor(y.shape, 43);
      const us = u.dataSync();
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(blur(v as AnyRank, options), u)))(x);
      // blur is linear: the gradient of <blur(x), u> at cell i is <blur(e_i), u>.
      const expectedGrad = xs.map((_, i) => naiveBlur(xs.map((__, j) => (i === j ? 1 : 0)), shape, options).values.reduce((acc, v, k) => acc + v * (us[k] as number), 0));
      expectClose(g.dataSync(), expectedGrad, 0, 1e-6);
      tf.dispose([x, y, u, g]);
    },
  );

  it('keeps a constant image constant and a ramp a ramp away from its ends', () => {
    const constant = tf.fill([1, 5, 6, 2], -1.5) as tf.Tensor4D;
    const c = blur(constant, { kernelSize: 6, stride: 1, padding: 'replicate' });
    expectClose(c.dataSync(), new Array(c.size).fill(-1.5), 0, 1e-6);
    const ramp = tf.tensor3d([0, 1, 2, 3, 4, 5, 6, 7], [1, 8, 1]);
    const r = blur(ramp, { kernelSize: 3, stride: 1, padding: 'replicate' });
    // Edge cells average [0, 0, 1] and [6, 7, 7]; inside, a symmetric filter keeps a linear ramp.
    expectClose(r.dataSync(), [0.25, 1, 2, 3, 4, 5, 6, 6.75], 0, 1e-6);
    tf.dispose([constant, c, ramp, r]);
  });

  it('works inside maxBlurPool2d and leaves no tensor behind', async () => {
    const x = seededTensor([1, 6, 5, 2], 47) as tf.Tensor4D;
    await expectNoLeak(() => {
      const y = maxBlurPool2d(x, { poolSize: 2, padding: 'replicate' });
      // 6 -> 7 -> floor((7 + 2 - 3) / 2) + 1 = 4 and 5 -> 6 -> 3, as under 'same' and 'reflect'.
      expect(y.shape).toEqual([1, 4, 3, 2]);
      y.dispose();
      tf.grad((v: tf.Tensor) => tf.sum(blur(v as tf.Tensor4D, { padding: 'replicate', kernelSize: 5 })))(x).dispose();
    });
    x.dispose();
  });

  it('is named among the allowed paddings when a padding is unknown', () => {
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => blur(x, { padding: 'repl' as never })).toThrow(
      /blur: padding must be one of 'valid', 'same', 'reflect', 'replicate', got 'repl'\./,
    );
    x.dispose();
  });
});
