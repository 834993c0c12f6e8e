import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRng, dataLoader, shuffleInPlace } from '../src/index';
import type { Rng } from '../src/index';
import { deriveSeed, randomInt } from '../src/random';

interface Reference {
  u32: Record<string, number[]>;
  state: Record<string, number[]>;
  shuffle10Seed7: number[];
  loaderSeed123: Record<string, number[]>;
}
/** Written by scripts/make-rng-fixture.py from the algorithms' definitions, not from this package. */
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'rng-reference.json'), 'utf8')) as Reference;

const u32s = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.random() * 4294967296);

beforeAll(() => tf.setBackend('cpu'));

describe('createRng: sfc32 seeded through splitmix32', () => {
  it.each(Object.keys(ref.u32))('matches the reference state and outputs for seed %s', (seed) => {
    const rng = createRng(Number(seed));
    expect(rng.getState()).toEqual(ref.state[seed]);
    expect(u32s(rng, 5)).toEqual(ref.u32[seed]);
  });

  it('gives the same sequence for the same seed and different ones for different seeds, all in [0, 1)', () => {
    const a = u32s(createRng(7), 20);
    expect(u32s(createRng(7), 20)).toEqual(a);
    expect(u32s(createRng(8), 20)).not.toEqual(a);
    const rng = createRng(9);
    for (let i = 0; i < 1000; i++) {
      const v = rng.random();
      expect(v >= 0 && v < 1).toBe(true);
    }
  });

  it('getState/setState resume the sequence exactly, and the state is a copy', () => {
    const rng = createRng(3);
    u32s(rng, 10);
    const state = rng.getState();
    const next = u32s(rng, 10);
    state.push(0); // mutating the returned array must not touch the generator
    rng.setState(state.slice(0, 4));
    expect(u32s(rng, 10)).toEqual(next);
    const other = createRng(99);
    other.setState(state.slice(0, 4));
    expect(u32s(other, 10)).toEqual(next);
  });

  it('rejects bad seeds and states with the standard message', () => {
    expect(() => createRng(1.5)).toThrow(/^createRng: seed must be an integer, got 1\.5\.$/);
    expect(() => createRng('1' as unknown as number)).toThrow(/^createRng: seed must be an integer, got '1'\.$/);
    const rng = createRng(1);
    expect(() => rng.setState([1, 2, 3])).toThrow(/^Rng\.setState: state must be an array of four uint32 numbers \(from getState\), got an array of length 3\.$/);
    expect(() => rng.setState([1, 2, 3, 2 ** 32])).toThrow(/Rng\.setState: state must be an array of four uint32 numbers/);
  });
});

describe('randomInt and shuffleInPlace', () => {
  it('randomInt(n) is uniform on 0..n-1', () => {
    const rng = createRng(3);
    const n = 9;
    const counts = new Array<number>(n).fill(0);
    const draws = 90000;
    for (let i = 0; i < draws; i++) counts[randomInt(rng, n)]!++;
    // Chi-square with 8 degrees of freedom: 26.1 is the 0.999 quantile.
    const chi2 = counts.reduce((s, c) => s + (c - draws / n) ** 2 / (draws / n), 0);
    expect(chi2).toBeLessThan(26.1);
  });

  it('shuffles as the reference Fisher-Yates does', () => {
    expect(shuffleInPlace(Array.from({ length: 10 }, (_, i) => i), createRng(7))).toEqual(ref.shuffle10Seed7);
  });

  it('Fisher-Yates gives a permutation, every one of 3! about equally often', () => {
    const rng = createRng(11);
    const seen = new Map<string, number>();
    const trials = 60000;
    for (let t = 0; t < trials; t++) {
      const key = shuffleInPlace([0, 1, 2], rng).join('');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(['012', '021', '102', '120', '201', '210']);
    const chi2 = [...seen.values()].reduce((s, c) => s + (c - trials / 6) ** 2 / (trials / 6), 0);
    expect(chi2).toBeLessThan(20.5); // 5 d.o.f., 0.999 quantile
    const big = shuffleInPlace(Int32Array.from({ length: 1000 }, (_, i) => i), createRng(1));
    expect(Array.from(big).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('takes any Rng, and rejects what is not one', () => {
    const fixed: Rng = { random: () => 0, getState: () => [], setState: () => undefined };
    expect(shuffleInPlace([0, 1, 2, 3], fixed)).toEqual([1, 2, 3, 0]); // j = 0 at every step
    expect(() => shuffleInPlace([1, 2], {} as Rng)).toThrow(/^shuffleInPlace: rng must be an Rng with a random\(\) method \(see createRng\), got an object/);
    expect(() => shuffleInPlace(null as unknown as number[], createRng(1))).toThrow(/^shuffleInPlace: array must be an array or typed array, got null\.$/);
  });

  it('derives distinct per-epoch seeds', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, e) => deriveSeed(5, e)));
    expect(seeds.size).toBe(1000);
    expect(deriveSeed(5, 3)).toBe(deriveSeed(5, 3));
    expect(deriveSeed(5, 3)).not.toBe(deriveSeed(6, 3));
  });
});

describe("the loaders' seed option", () => {
  const ten = { images: new Uint8Array(10 * 2 * 2 * 3), labels: Uint8Array.from({ length: 10 }, (_, i) => i), count: 10, height: 2, width: 2, channels: 3 };
  const epochLabels = (seed: number, epoch: number): number[] => {
    const loader = dataLoader(ten, { batchSize: 10, shuffle: true, seed });
    const [batch] = [...loader.epochIterator(epoch)];
    const labels = Array.from(batch!.ys.dataSync());
    tf.dispose([batch!.xs, batch!.ys]);
    return labels;
  };

  it('shuffles each epoch in the reference order for its seed: same seed, same order', () => {
    const start = tf.memory().numTensors;
    for (const epoch of ['0', '1', '2']) {
      expect(epochLabels(123, Number(epoch))).toEqual(ref.loaderSeed123[epoch]);
      expect(epochLabels(123, Number(epoch))).toEqual(ref.loaderSeed123[epoch]);
    }
    expect(epochLabels(124, 0)).not.toEqual(ref.loaderSeed123['0']);
    expect(tf.memory().numTensors).toBe(start);
  });
});
