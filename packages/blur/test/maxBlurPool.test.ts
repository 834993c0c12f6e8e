import * as tf from '@tensorflow/tfjs';

import { maxBlurPool2d, type MaxBlurPoolOptions } from '../src';
import cases from './fixtures/maxBlurPool2d.json';
import { expectClose, expectNoLeak, flat, naiveBlur, naiveMaxPoolStride1, seededTensor } from './helpers';

interface PoolCase {
  input_shape: [number, number, number, number];
  input: unknown;
  poolSize: number;
  ratio: number;
  output_shape: number[];
  output: unknown;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('maxBlurPool2d', () => {
  it.each((cases as PoolCase[]).map((c) => [`[${c.input_shape}] p=${c.poolSize} ratio=${c.ratio}`, c] as const))(
    'matches the PyTorch MaxPool2dAA reference for %s',
    (_name, c) => {
      const x = tf.tensor4d(flat(c.input), c.input_shape);
      const y = maxBlurPool2d(x, { poolSize: c.poolSize, ratio: c.ratio });
      expect(y.shape).toEqual(c.output_shape);
      expectClose(y.dataSync(), flat(c.output));
      tf.dispose([x, y]);
    },
  );

  // The fixtures cover only the 'valid' blur and ratios whose floor and round agree; these cases
  // check the other paddings and `floor(ratio * poolSize)` against a naive reference (max pool with
  // never-winning padding, then the definition of the blur) and against sizes worked out by hand.
  it.each([
    // poolSize 2, ratio 1.9: kernel floor(3.8) = 3 (rounding would give 4); 9 -> 10 -> floor((10 - 3) / 2) + 1 = 4
    [{ poolSize: 2, ratio: 1.9 }, [1, 9, 8, 2], [1, 4, 4, 2]],
    // kernel floor(1.7 * 3) = 5, 'same' pads 2 + 2: 7 -> 7 -> floor((7 + 4 - 5) / 3) + 1 = 3; 10 -> 10 -> 4
    [{ poolSize: 3, padding: 'same' }, [2, 7, 10, 1], [2, 3, 4, 1]],
    // kernel 4, 'reflect' pads 1 + 2: 7 -> 8 -> floor((8 + 3 - 4) / 2) + 1 = 4; 9 -> 10 -> 5
    [{ poolSize: 2, ratio: 2, padding: 'reflect' }, [1, 7, 9, 3], [1, 4, 5, 3]],
    // kernel floor(1.5 * 4) = 6, 'reflect' pads 2 + 3: 9 -> 10 -> floor((10 + 5 - 6) / 4) + 1 = 3
    [{ poolSize: 4, ratio: 1.5, padding: 'reflect' }, [1, 9, 9, 1], [1, 3, 3, 1]],
  ] as [MaxBlurPoolOptions, number[], number[]][])('matches a naive reference and the hand-worked size for %p on %p', (options, shape, outShape) => {
    const x = seededTensor(shape, 17) as tf.Tensor4D;
    const pooled = naiveMaxPoolStride1(x.dataSync(), shape, options.poolSize as number);
    const kernelSize = Math.floor((options.ratio ?? 1.7) * (options.poolSize as number));
    const expected = naiveBlur(pooled.values, pooled.shape, { kernelSize, stride: options.poolSize as number, padding: options.padding ?? 'valid' });
    const y = maxBlurPool2d(x, options);
    expect(y.shape).toEqual(outShape);
    expect(expected.shape).toEqual(outShape);
    expectClose(y.dataSync(), expected.values, 0, 1e-6);
    tf.dispose([x, y]);
  });

  it('is equivariant to shifts by poolSize: the output moves by one cell (away from the border)', () => {
    const x = seededTensor([1, 16, 14, 2], 21) as tf.Tensor4D;
    const y = maxBlurPool2d(x); // [1, 8, 7, 2]
    const shifted = maxBlurPool2d(tf.slice(x, [0, 2, 2, 0], [1, 14, 12, 2])); // [1, 7, 6, 2]
    // Output cell 0 of the shifted input sees the new border (padding that never wins), so it is left out.
    const a = tf.slice(shifted, [0, 1, 1, 0], [1, 6, 5, 2]);
    const b = tf.slice(y, [0, 2, 2, 0], [1, 6, 5, 2]);
    expectClose(a.dataSync(), b.dataSync(), 0, 1e-6);
    tf.dispose([x, y, shifted, a, b]);
  });

  it('keeps the output size of maxPool(2) with the defaults: 24 -> 12 -> 6', () => {
    const x = tf.zeros([1, 24, 24, 2]) as tf.Tensor4D;
    const once = maxBlurPool2d(x);
    const twice = maxBlurPool2d(once);
    expect(once.shape).toEqual(tf.maxPool(x, 2, 2, 'valid').shape);
    expect(once.shape).toEqual([1, 12, 12, 2]);
    expect(twice.shape).toEqual([1, 6, 6, 2]);
    tf.dispose([x, once, twice]);
  });

  it("tells apart the chapter's three patterns that max pooling maps to one output (figure 14.1)", () => {
    // 1 = black (the max), 0 = white; every row of an 8x8 image repeats the pattern.
    const patterns = {
      alternating: [1, 0, 1, 0, 1, 0, 1, 0],
      pairs: [0, 1, 1, 0, 0, 1, 1, 0],
      whitePair: [1, 0, 0, 1, 0, 1, 0, 1],
    };
    const image = (row: number[]) => tf.tensor4d(new Array(8).fill(row).flat(), [1, 8, 8, 1]);
    const plain = Object.values(patterns).map((p) => Array.from(tf.tidy(() => tf.maxPool(image(p), 2, 2, 'valid').dataSync())));
    expect(plain[1]).toEqual(plain[0]);
    expect(plain[2]).toEqual(plain[0]);
    // By hand: stride-1 max pool (one cell of padding each side, never winning), then [1/4, 1/2, 1/4] at stride 2.
    //   alternating -> [1,1,1,1,1,1,1,1,0] -> [1,1,1,.75];  pairs -> [0,1,1,1,0,1,1,1,0] -> 0.75 everywhere;  whitePair -> [1,1,0,1,1,1,1,1,1] -> [.75,.75,1,1]
    const expectedRows = [
      [1, 1, 1, 0.75],
      [0.75, 0.75, 0.75, 0.75],
      [0.75, 0.75, 1, 1],
    ];
    Object.values(patterns).forEach((p, i) => {
      const y = tf.tidy(() => maxBlurPool2d(image(p)).dataSync());
      expectClose(y, new Array(4).fill(expectedRows[i]).flat(), 0, 1e-6);
    });
  });

  it('has exact gradients (finite differences on every input cell)', () => {
    const shape: [number, number, number, number] = [1, 5, 6, 2];
    const n = 60;
    // Distinct values 0.1 apart, shuffled: an eps of 0.01 never changes which cell wins a max.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.sin(a * 12.9898) - Math.sin(b * 12.9898));
    const base = Float32Array.from(order, (v) => v * 0.1);
    for (const options of [{}, { poolSize: 3, ratio: 1.7, padding: 'same' }, { poolSize: 2, ratio: 2, padding: 'reflect' }] as MaxBlurPoolOptions[]) {
      const x = tf.tensor4d(base, shape);
      const y = maxBlurPool2d(x, options);
      const u = tf.tensor(Float32Array.from({ length: y.size }, (_, i) => Math.cos(i + 1)), y.shape);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(maxBlurPool2d(v as tf.Tensor4D, options), u)))(x).dataSync();
      const f = (i: number, delta: number) =>
        tf.tidy(() => {
          const v = Float32Array.from(base);
          v[i] = (v[i] as number) + delta;
          return tf.sum(tf.mul(maxBlurPool2d(tf.tensor4d(v, shape), options), u)).dataSync()[0] as number;
        });
      const eps = 0.01;
      for (let i = 0; i < n; i++) {
        const fd = (f(i, eps) - f(i, -eps)) / (2 * eps);
        expect(Math.abs(fd - (g[i] as number))).toBeLessThan(2e-3);
      }
      tf.dispose([x, y, u]);
    }
  });

  it('leaves no tensor behind, forward or backward', async () => {
    const x = tf.randomUniform([2, 8, 8, 3]) as tf.Tensor4D;
    await expectNoLeak(() => {
      maxBlurPool2d(x).dispose();
      tf.grad((v: tf.Tensor) => tf.sum(maxBlurPool2d(v as tf.Tensor4D, { poolSize: 3, padding: 'reflect' })))(x).dispose();
    });
    x.dispose();
  });

  it.each([
    [{ poolSize: 0 }, /maxBlurPool2d: poolSize must be a positive integer/],
    [{ poolSize: 1.5 }, /maxBlurPool2d: poolSize must be a positive integer/],
    [{ ratio: 0 }, /maxBlurPool2d: ratio must be a finite number > 0/],
    [{ ratio: Infinity }, /maxBlurPool2d: ratio must be a finite number > 0/],
    [{ ratio: 0.3 }, /maxBlurPool2d: ratio \* poolSize must be at least 1 .*, got 0\.6\./],
    [{ ratio: NaN }, /maxBlurPool2d: ratio must be a finite number > 0, got NaN\./],
    [{ padding: 'circular' }, /maxBlurPool2d: padding must be one of 'valid', 'same', 'reflect', 'replicate', got 'circular'/],
    [{ poolSize: 4 }, /maxBlurPool2d: x is too small for kernelSize 6 under padding 'valid'/],
  ])('rejects %p', (options, message) => {
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => maxBlurPool2d(x, options as MaxBlurPoolOptions)).toThrow(message);
    x.dispose();
  });

  it.each([
    [3, /maxBlurPool2d: options must be an object with some of the keys 'poolSize', 'ratio', 'padding', got 3/],
    [{ pool_size: 3 }, /maxBlurPool2d: option names must be one of 'poolSize', 'ratio', 'padding', got 'pool_size'\./],
    [{ poolSize: 2, strides: 1 }, /maxBlurPool2d: option names must be one of .*, got 'strides'\./],
  ])('rejects options %p instead of falling back to the defaults', (options, message) => {
    const x = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
    expect(() => maxBlurPool2d(x, options as unknown as MaxBlurPoolOptions)).toThrow(message);
    x.dispose();
  });

  it('names the input shape and the kernel when the input is too small', () => {
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => maxBlurPool2d(x, { poolSize: 4 })).toThrow(
      /stride-1 max pool's output \[1, 5, 5, 1\] \(from x of shape \[1, 4, 4, 1\]; the blur's kernelSize is floor\(ratio \* poolSize\) = floor\(1\.7 \* 4\)\) has 5 cells, needs at least 6/,
    );
    x.dispose();
  });

  it('rejects inputs that are not [B, H, W, C] float32', () => {
    const x3 = tf.zeros([1, 8, 1]);
    const ints = tf.zeros([1, 8, 8, 1], 'int32');
    expect(() => maxBlurPool2d(x3 as tf.Tensor4D)).toThrow(/maxBlurPool2d: x must be a float32 tf.Tensor of shape \[B, H, W, C\] .*, got a float32 tensor of shape \[1, 8, 1\]\./);
    expect(() => maxBlurPool2d(ints as tf.Tensor4D)).toThrow(/maxBlurPool2d: x must be a float32 tf.Tensor .*, got an int32 tensor of shape \[1, 8, 8, 1\]\./);
    tf.dispose([x3, ints]);
  });
});
