import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createRng } from '../src/rng';
import { seedSequence } from '../src/seeds';

/** First outputs per seed from an independent Python implementation (test/fixtures/make_rng_vectors.py). */
const vectors = (JSON.parse(readFileSync(join(__dirname, 'fixtures', 'rng.json'), 'utf8')) as { rng: Record<string, number[]> }).rng;

describe('createRng (sfc32 seeded by splitmix32)', () => {
  it.each(Object.entries(vectors))('seed %s gives the reference sequence', (seed, expected) => {
    const rng = createRng(Number(seed));
    expect(expected.map(() => rng.random())).toEqual(expected);
  });

  it('resumes from a saved state and rejects a malformed one by name', () => {
    const rng = createRng(5);
    rng.random();
    const state = rng.getState();
    const next = [rng.random(), rng.random()];
    const other = createRng(99);
    other.setState(JSON.parse(JSON.stringify(state)) as number[]);
    expect([other.random(), other.random()]).toEqual(next);
    expect(() => rng.setState([1, 2, 3])).toThrow(/Rng\.setState: state must be an array of four uint32 numbers, got \[1, 2, 3\]\./);
    expect(() => createRng(NaN)).toThrow(/createRng: seed must be a finite number, got NaN\./);
  });
});

describe('seedSequence', () => {
  it('derives distinct uint32 seeds >= 1 deterministically, and none without a seed', () => {
    const take = (seed: number | undefined) => {
      const next = seedSequence(seed);
      return Array.from({ length: 50 }, () => next());
    };
    const a = take(0);
    expect(take(0)).toEqual(a);
    expect(new Set(a).size).toBe(50);
    expect(a.every((s) => Number.isInteger(s) && (s as number) >= 1 && (s as number) < 2 ** 32)).toBe(true);
    // Seed 1's sequence is not seed 0's shifted by one (as seed + index would be).
    expect(take(1).slice(0, 49)).not.toEqual(a.slice(1));
    expect(take(undefined).every((s) => s === undefined)).toBe(true);
  });
});
