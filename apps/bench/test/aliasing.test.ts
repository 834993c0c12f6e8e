import * as tf from '@tensorflow/tfjs';

import { aliasingError, bandLimited, runAliasing } from '../src/aliasing/measure';
import { resizeAndCenterCrop, zonePlate } from '../src/aliasing/images';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('zone plate', () => {
  it('is 0.5 + 0.5 cos(pi r^2 / n): 1 at the centre, in [0, 1], with the chirp phase at known points', () => {
    const n = 64;
    const z = zonePlate(n);
    expect(z.data[(n / 2) * n + n / 2]).toBeCloseTo(1, 6);
    // r^2 = 32 -> cos(pi/2) = 0 -> 0.5 (4 cells right, 4 down of the centre)
    expect(z.data[(n / 2 + 4) * n + n / 2 + 4]).toBeCloseTo(0.5, 5);
    // r^2 = 64 -> cos(pi) = -1 -> 0 (8 cells right of the centre)
    expect(z.data[(n / 2) * n + n / 2 + 8]).toBeCloseTo(0, 6);
    expect(Math.min(...z.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...z.data)).toBeLessThanOrEqual(1);
  });
});

describe('aliasing experiment', () => {
  it('measures less aliasing with the blur than with max pooling on a zone plate', () => {
    const before = tf.memory().numTensors;
    const r = runAliasing({ image: zonePlate(160), source: 'zone plate', factor: 4 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.blurKernelSize).toBe(6);
    expect(r.images.maxPool.width).toBe(40);
    expect(r.images.antiAliased.width).toBe(40);
    expect(r.error.maxPool).toBeGreaterThan(0.01);
    expect(r.error.antiAliased).toBeLessThan(r.error.maxPool * 0.8);
    expect(r.reduction).toBeCloseTo(1 - r.error.antiAliased / r.error.maxPool, 10);
  });

  it('the max-pooled image equals tf.maxPool with window and stride = factor', () => {
    const image = zonePlate(48);
    const r = runAliasing({ image, source: 'zone plate', factor: 3 });
    const expected = tf.tidy(() => tf.maxPool(tf.tensor4d(image.data, [1, 48, 48, 1]), 3, 3, 'valid').dataSync());
    expect(Array.from(r.images.maxPool.data)).toEqual(Array.from(expected));
  });

  it('scores a smooth image (no content above the new Nyquist) as almost alias-free either way', () => {
    const n = 96;
    const data = new Float32Array(n * n).map((_, p) => 0.5 + 0.4 * Math.sin((2 * Math.PI * (p % n)) / n));
    const r = runAliasing({ image: { width: n, height: n, channels: 1, data }, source: 'sine', factor: 4 });
    expect(r.error.maxPool).toBeLessThan(0.01);
    expect(r.error.antiAliased).toBeLessThan(0.01);
  });

  it('bandLimited keeps a constant constant, and aliasingError ignores a brightness offset', () => {
    tf.tidy(() => {
      const c = tf.fill([1, 33, 33, 2], 0.3) as tf.Tensor4D;
      const low = bandLimited(c, 4, 0.5, 8);
      expect(low.shape).toEqual([1, 8, 8, 2]);
      expect(Math.max(...Array.from(tf.abs(tf.sub(low, 0.3)).dataSync()))).toBeLessThan(1e-6);
      const y = tf.randomUniform([1, 8, 8, 2]) as tf.Tensor4D;
      expect(aliasingError(tf.add(y, 0.25) as tf.Tensor4D, y)).toBeLessThan(1e-6);
      expect(aliasingError(tf.mul(y, 2) as tf.Tensor4D, y)).toBeGreaterThan(0.05);
    });
  });

  it('resizes the shorter side and crops the centre like the chapter (Resize(1000) + CenterCrop)', () => {
    // 4 x 8 image whose value is its column index: shorter side 4 -> 2 halves both sides; centre 2 x 2 crop.
    const data = new Float32Array(32).map((_, p) => p % 8);
    const out = resizeAndCenterCrop({ width: 8, height: 4, channels: 1, data }, 2);
    expect(out.width).toBe(2);
    expect(out.height).toBe(2);
    // Columns 0..7 -> 4 columns (align corners): values 0, 7/3, 14/3, 7; the centre two are 7/3 and 14/3.
    expect(out.data[0]).toBeCloseTo(7 / 3, 4);
    expect(out.data[1]).toBeCloseTo(14 / 3, 4);
  });
});
