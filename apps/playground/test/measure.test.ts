import * as tf from '@tensorflow/tfjs';

import { shrinkAndScore } from '../src/aliasing/measure';
import { zonePlate } from '../src/aliasing/zonePlate';
import fixture from './fixtures/aliasing.json';

interface AliasingCase {
  name: string;
  size: number;
  channels: number;
  factor: number;
  image: number[];
  maxPool: number[];
  antiAliased: number[];
  error: { maxPool: number; antiAliased: number };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectClose(what: string, actual: ArrayLike<number>, expected: number[], rtol: number, atol: number): void {
  expect(actual.length).toBe(expected.length);
  const bad = expected.findIndex((e, i) => !(Math.abs((actual[i] as number) - e) <= atol + rtol * Math.abs(e)));
  if (bad >= 0) throw new Error(`${what}: element ${bad} is ${actual[bad]}, expected ${expected[bad]}`);
}

describe('shrinkAndScore against numpy (test/fixtures/make_aliasing.py)', () => {
  it.each((fixture.cases as AliasingCase[]).map((c) => [c.name, c] as const))('%s: both shrunk images and both aliasing errors', (_name, c) => {
    if (c.name.startsWith('zone plate')) expectClose('zone plate', zonePlate(c.size), c.image, 0, 1e-6);
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(c.image, [1, c.size, c.size, c.channels]);
    const r = shrinkAndScore(x, c.factor);
    expectClose('max pooling', r.maxPool.dataSync(), c.maxPool, 1e-5, 1e-6);
    expectClose('max-blur pooling', r.antiAliased.dataSync(), c.antiAliased, 1e-5, 1e-6);
    expectClose('errors', [r.error.maxPool, r.error.antiAliased], [c.error.maxPool, c.error.antiAliased], 1e-4, 1e-6);
    expect(r.reduction).toBeCloseTo(1 - c.error.antiAliased / c.error.maxPool, 4);
    expect(r.blurKernelSize).toBe(Math.floor(1.5 * c.factor));
    tf.dispose([x, r.maxPool, r.antiAliased]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a flat image has no aliasing either way', () => {
    const x = tf.fill([1, 32, 32, 1], 0.3) as tf.Tensor4D;
    const r = shrinkAndScore(x, 4);
    expect(r.error.maxPool).toBeLessThan(1e-6);
    expect(r.error.antiAliased).toBeLessThan(1e-6);
    tf.dispose([x, r.maxPool, r.antiAliased]);
  });
});
