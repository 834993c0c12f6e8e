import * as tf from '@tensorflow/tfjs';

import { blur, type BlurOptions } from '../src';
import { blur2dOnePass, blurSeparable } from '../src/blur';
import blurCases from './fixtures/blur.json';
import gradCases from './fixtures/blurGrad.json';
import { expectClose, expectNoLeak, flat, naiveBlur, seededTensor } from './helpers';

interface BlurCase {
  input_shape: number[];
  input: unknown;
  kernelSize: number;
  stride: number;
  padding: 'valid' | 'same' | 'reflect';
  output_shape: number[];
  output: unknown;
}
interface GradCase extends Omit<BlurCase, 'output' | 'output_shape'> {
  upstream: unknown;
  grad: unknown;
}

type AnyRank = tf.Tensor3D | tf.Tensor4D | tf.Tensor5D;
const label = (c: { input_shape: number[]; kernelSize: number; stride: number; padding: string }) =>
  `[${c.input_shape}] k=${c.kernelSize} s=${c.stride} ${c.padding}`;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('blur: PyTorch golden values', () => {
  it.each((blurCases as BlurCase[]).map((c) => [label(c), c] as const))('forward %s', (_name, c) => {
    const x = tf.tensor(flat(c.input), c.input_shape) as tf.Tensor as AnyRank;
    const y = blur(x, { kernelSize: c.kernelSize, stride: c.stride, padding: c.padding });
    expect(y.shape).toEqual(c.output_shape);
    expectClose(y.dataSync(), flat(c.output));
    tf.dispose([x, y]);
  });

  it.each((gradCases as GradCase[]).map((c) => [label(c), c] as const))('gradient %s', (_name, c) => {
    const x = tf.tensor(flat(c.input), c.input_shape) as tf.Tensor as AnyRank;
    const options = { kernelSize: c.kernelSize, stride: c.stride, padding: c.padding };
    const probe = blur(x, options);
    const upstream = tf.tensor(flat(c.upstream), probe.shape);
    probe.dispose();
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(blur(v as AnyRank, options), upstream)))(x);
    expect(g.shape).toEqual(c.input_shape);
    expectClose(g.dataSync(), flat(c.grad));
    tf.dispose([x, upstream, g]);
  });

  it('both 2-D implementations (one k x k pass, two 1-D passes) match every 2-D case, whichever blur picks', () => {
    for (const c of (blurCases as BlurCase[]).filter((c) => c.input_shape.length === 4)) {
      const x = tf.tensor4d(flat(c.input), c.input_shape as [number, number, number, number]);
      const options = { kernelSize: c.kernelSize, stride: c.stride, padding: c.padding };
      const onePass = blur2dOnePass(x, options);
      const separable = blurSeparable(x, options);
      expectClose(onePass.dataSync(), flat(c.output));
      expectClose(separable.dataSync(), flat(c.output));
      tf.dispose([x, onePass, separable]);
    }
  });
});

describe('blur: independent math', () => {
  const paddings = ['valid', 'same', 'reflect'] as const;
  const shapes: number[][] = [
    [2, 9, 3],
    [2, 7, 6, 2],
    [1, 5, 6, 5, 2],
  ];
  const configs: BlurOptions[] = [
    { kernelSize: 3, stride: 2 },
    { kernelSize: 4, stride: 2 },
    { kernelSize: 5, stride: 3 },
    { kernelSize: 2, stride: 1 },
  ];

  it.each(shapes.flatMap((shape) => paddings.flatMap((padding) => configs.map((cfg) => [`[${shape}] ${padding} k=${cfg.kernelSize} s=${cfg.stride}`, shape, { ...cfg, padding }] as const))))(
    'gradient is the adjoint of the forward map and matches finite differences: %s',
    (_name, shape, options) => {
      const x = seededTensor(shape, 11) as AnyRank;
      const y = blur(x, options);
      const u = seededTensor(y.shape, 23);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(blur(v as AnyRank, options), u)))(x);
      // blur is linear: <blur(x), u> must equal <x, grad_x <blur(x), u>> (the adjoint identity).
      const lhs = dot64(y.dataSync(), u.dataSync());
      const rhs = dot64(x.dataSync(), g.dataSync());
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
      // Central differences on the first, last and a middle element (border cells are where padding bugs live).
      const xs = Float64Array.from(x.dataSync());
      const gs = g.dataSync();
      const eps = 1e-2;
      for (const i of [0, Math.floor(xs.length / 2), xs.length - 1]) {
        const f = (delta: number) => {
          const v = Float32Array.from(xs);
          v[i] = (v[i] as number) + delta;
          return tf.tidy(() => dot64(blur(tf.tensor(v, shape) as tf.Tensor as AnyRank, options).dataSync(), u.dataSync()));
        };
        const fd = (f(eps) - f(-eps)) / (2 * eps);
        expect(Math.abs(fd - (gs[i] as number))).toBeLessThan(2e-3 * (1 + Math.abs(fd)));
      }
      tf.dispose([x, y, u, g]);
    },
  );

  it('keeps a constant image constant under reflect padding (the filter sums to 1)', () => {
    const x = tf.fill([1, 6, 7, 2], 0.75) as tf.Tensor4D;
    const y = blur(x, { kernelSize: 5, stride: 2, padding: 'reflect' });
    expectClose(y.dataSync(), new Array(y.size).fill(0.75), 0, 1e-6);
    tf.dispose([x, y]);
  });

  it('equals a direct 1-D convolution with the binomial row (rank 3, zero padding)', () => {
    const values = [3, -1, 4, 1, -5, 9, 2, -6];
    const x = tf.tensor3d(values, [1, 8, 1]);
    const y = blur(x, { kernelSize: 3, stride: 1, padding: 'same' });
    const padded = [0, ...values, 0];
    const expected = values.map((_, i) => 0.25 * (padded[i] as number) + 0.5 * (padded[i + 1] as number) + 0.25 * (padded[i + 2] as number));
    expectClose(y.dataSync(), expected, 0, 1e-6);
    tf.dispose([x, y]);
  });

  it('is shift-equivariant at stride 1 and shifts by one cell per `stride` cells at stride 2', () => {
    const x = seededTensor([1, 14, 12, 3], 5) as tf.Tensor4D;
    const y = blur(x, { kernelSize: 3, stride: 1, padding: 'valid' });
    const shifted = blur(tf.slice(x, [0, 2, 1, 0], [1, 12, 11, 3]), { kernelSize: 3, stride: 1, padding: 'valid' });
    expectClose(shifted.dataSync(), tf.slice(y, [0, 2, 1, 0], shifted.shape).dataSync(), 0, 1e-6);
    const y2 = blur(x, { kernelSize: 3, stride: 2, padding: 'valid' });
    const shifted2 = blur(tf.slice(x, [0, 2, 0, 0], [1, 12, 12, 3]), { kernelSize: 3, stride: 2, padding: 'valid' });
    expectClose(shifted2.dataSync(), tf.slice(y2, [0, 1, 0, 0], shifted2.shape).dataSync(), 0, 1e-6);
    tf.dispose([x, y, shifted, y2, shifted2]);
  });
});

describe('blur: a naive reference at the size limits', () => {
  // The smallest inputs each padding accepts: n = k under 'valid', n = after + 1 under 'reflect'
  // (torch's reflect needs pad < n), a single cell under 'same'. Values and gradients come from
  // naiveBlur, written from the definition; the gradient of <blur(x), u> is, blur being linear,
  // sum_o u[o] * blur(e_i)[o] for each basis input e_i.
  const cases: [number[], { kernelSize: number; stride: number; padding: 'valid' | 'same' | 'reflect' }][] = [
    [[2, 5, 2], { kernelSize: 5, stride: 2, padding: 'valid' }],
    [[1, 4, 6, 1], { kernelSize: 4, stride: 1, padding: 'valid' }],
    [[2, 3, 1], { kernelSize: 4, stride: 1, padding: 'reflect' }],
    [[1, 3, 4, 2], { kernelSize: 5, stride: 2, padding: 'reflect' }],
    [[1, 4, 5, 1], { kernelSize: 6, stride: 3, padding: 'reflect' }],
    [[1, 2, 3, 2, 1], { kernelSize: 3, stride: 1, padding: 'reflect' }],
    [[1, 1, 3, 1], { kernelSize: 4, stride: 2, padding: 'same' }],
    [[1, 2, 2, 3, 1], { kernelSize: 2, stride: 2, padding: 'same' }],
  ];
  it.each(cases.map(([shape, o]) => [`[${shape}] k=${o.kernelSize} s=${o.stride} ${o.padding}`, shape, o] as const))(
    '%s: forward and gradient',
    (_name, shape, options) => {
      const x = seededTensor(shape, 31) as AnyRank;
      const xs = Array.from(x.dataSync());
      const expected = naiveBlur(xs, shape, options);
      const y = blur(x, options);
      expect(y.shape).toEqual(expected.shape);
      expectClose(y.dataSync(), expected.values, 0, 1e-6);
      const u = seededTensor(y.shape, 37);
      const us = u.dataSync();
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(blur(v as AnyRank, options), u)))(x);
      const expectedGrad = xs.map((_, i) => {
        const basis = xs.map((__, j) => (i === j ? 1 : 0));
        return naiveBlur(basis, shape, options).values.reduce((acc, v, o) => acc + v * (us[o] as number), 0);
      });
      expectClose(g.dataSync(), expectedGrad, 0, 1e-6);
      tf.dispose([x, y, u, g]);
    },
  );

  it.each([
    [[1, 4, 1], { kernelSize: 5, padding: 'valid' }, /blur: x is too small for kernelSize 5 under padding 'valid'.*has 4 cells, needs at least 5/],
    [[1, 6, 4, 1], { kernelSize: 5, padding: 'valid' }, /blur: x is too small for kernelSize 5 under padding 'valid': spatial axis 2 of shape \[1, 6, 4, 1\]/],
    [[1, 2, 1], { kernelSize: 4, padding: 'reflect' }, /blur: x is too small for kernelSize 4 under padding 'reflect'.*has 2 cells, needs more than 2/],
    [[1, 5, 3, 5, 1], { kernelSize: 6, padding: 'reflect' }, /blur: x is too small for kernelSize 6 under padding 'reflect': spatial axis 2 .*has 3 cells, needs more than 3/],
  ] as [number[], BlurOptions, RegExp][])('rejects %p with %p, one cell below the limit', (shape, options, message) => {
    const x: tf.Tensor = tf.zeros(shape);
    expect(() => blur(x as AnyRank, options)).toThrow(message);
    x.dispose();
  });
});

describe('blur: resources and errors', () => {
  it('leaves no tensor behind, forward or backward, in every padding mode', async () => {
    const x = seededTensor([2, 6, 6, 2], 3) as tf.Tensor4D;
    for (const padding of ['valid', 'same', 'reflect'] as const) {
      await expectNoLeak(() => {
        blur(x, { padding }).dispose();
        tf.grad((v: tf.Tensor) => tf.sum(blur(v as tf.Tensor4D, { padding })))(x).dispose();
      });
    }
    x.dispose();
  });

  const x4 = () => tf.zeros([1, 6, 6, 2]) as tf.Tensor4D;
  it.each([
    [{ kernelSize: 0 }, /blur: kernelSize must be a positive integer/],
    [{ kernelSize: 2.5 }, /blur: kernelSize must be a positive integer.*got 2\.5/],
    [{ stride: -1 }, /blur: stride must be a positive integer/],
    [{ padding: 'zeros' }, /blur: padding must be one of 'valid', 'same', 'reflect', 'replicate', got 'zeros'/],
    [{ kernelSize: 7, padding: 'valid' }, /blur: x is too small for kernelSize 7 under padding 'valid'.*needs at least 7/],
    [{ kernelSize: 14, padding: 'reflect' }, /blur: x is too small for kernelSize 14 under padding 'reflect'/],
  ])('rejects %p', (options, message) => {
    const x = x4();
    expect(() => blur(x, options as BlurOptions)).toThrow(message);
    x.dispose();
  });

  it.each([
    [{ kernelSize: NaN }, /blur: kernelSize must be a positive integer \(1, 2, 3, \.\.\.\), got NaN\./],
    [{ kernelSize: Infinity }, /blur: kernelSize must be a positive integer \(1, 2, 3, \.\.\.\), got Infinity\./],
    [{ stride: -Infinity }, /blur: stride must be a positive integer \(1, 2, 3, \.\.\.\), got -Infinity\./],
  ])('names a non-finite %p as such (JSON would print null)', (options, message) => {
    const x = x4();
    expect(() => blur(x, options as BlurOptions)).toThrow(message);
    x.dispose();
  });

  it.each([
    [5, /blur: options must be an object with some of the keys 'kernelSize', 'stride', 'padding', got 5/],
    [null, /blur: options must be an object.*got null/],
    [{ strides: 1 }, /blur: option names must be one of 'kernelSize', 'stride', 'padding', got 'strides'\./],
    [{ kernel_size: 5, padding: 'same' }, /blur: option names must be one of .*, got 'kernel_size'\./],
  ])('rejects options %p instead of falling back to the defaults', (options, message) => {
    const x = x4();
    expect(() => blur(x, options as unknown as BlurOptions)).toThrow(message);
    x.dispose();
  });

  it('rejects ranks other than 3-5 and non-float input, naming x', () => {
    const bad2 = tf.zeros([4, 4]);
    const bad6 = tf.zeros([1, 2, 2, 2, 2, 1]);
    const ints = tf.zeros([1, 4, 4, 1], 'int32');
    const layouts = '\\[B, W, C\\], \\[B, H, W, C\\] or \\[B, D, H, W, C\\]';
    expect(() => blur(bad2 as tf.Tensor4D)).toThrow(new RegExp(`blur: x must be a float32 tf.Tensor of shape ${layouts} .*, got a float32 tensor of shape \\[4, 4\\]\\.`));
    expect(() => blur(bad6 as tf.Tensor4D)).toThrow(/blur: x must be a float32 tf.Tensor .*, got a float32 tensor of shape \[1, 2, 2, 2, 2, 1\]\./);
    expect(() => blur(ints as tf.Tensor4D)).toThrow(/blur: x must be a float32 tf.Tensor .*tf.cast\(x, 'float32'\).*, got an int32 tensor of shape \[1, 4, 4, 1\]\./);
    expect(() => blur([1, 2, 3] as unknown as tf.Tensor4D)).toThrow(/blur: x must be a float32 tf.Tensor .*, got \[1, 2, 3\]\./);
    tf.dispose([bad2, bad6, ints]);
  });
});

function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}
