import { createRng, randomPermutation } from '../src/index';
import type { Rng } from '../src/index';
import { isPermutation } from './helpers';

const N = 20000;
// Two-sided Kolmogorov–Smirnov critical value at significance 0.001 (asymptotic): sqrt(−ln(0.0005) / 2) / sqrt(N).
const KS_CRITICAL = Math.sqrt(-Math.log(0.0005) / 2) / Math.sqrt(N);

describe('createRng', () => {
  test('the same seed gives the same stream; another seed another one', () => {
    const draw = (seed: number) => {
      const r = createRng(seed);
      return [r.random(), r.random(), ...randomPermutation(10, r)];
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(0)).toEqual(draw(0));
    expect(draw(42)).not.toEqual(draw(43));
  });

  test('is sfc32 seeded by splitmix32: the first outputs of seed 0 and 42, computed independently', () => {
    // A BigInt transcription of the reference algorithms (splitmix32 into four words, 12 discarded sfc32 outputs).
    const reference = (seed: number, count: number): number[] => {
      const M = 0xffffffffn;
      let x = BigInt(seed);
      const mix = (): bigint => {
        x = (x + 0x9e3779b9n) & M;
        let z = x;
        z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M;
        z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M;
        return z ^ (z >> 16n);
      };
      let [a, b, c, d] = [mix(), mix(), mix(), mix()] as [bigint, bigint, bigint, bigint];
      const next = (): bigint => {
        const t = (a + b + d) & M;
        d = (d + 1n) & M;
        a = b ^ (b >> 9n);
        b = (c + (c << 3n)) & M;
        c = ((((c << 21n) | (c >> 11n)) & M) + t) & M;
        return t;
      };
      for (let i = 0; i < 12; i++) next();
      return Array.from({ length: count }, () => Number(next()) / 2 ** 32);
    };
    for (const seed of [0, 42, 4294967295]) {
      const r = createRng(seed);
      expect(Array.from({ length: 5 }, () => r.random())).toEqual(reference(seed, 5));
    }
  });

  test('uniforms lie in [0, 1) and pass Kolmogorov–Smirnov against U(0, 1)', () => {
    const r = createRng(3);
    const u = Array.from({ length: N }, () => r.random()).sort((a, b) => a - b);
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
    const d = u.reduce((m, x, i) => Math.max(m, (i + 1) / N - x, x - i / N), 0);
    expect(d).toBeLessThan(KS_CRITICAL);
  });

  test('getState / setState: a JSON round trip of the state resumes the stream', () => {
    const a = createRng(7);
    a.random();
    const state = a.getState();
    expect(state).toHaveLength(4);
    const next = [a.random(), a.random(), a.random()];
    const b = createRng(123);
    b.setState(JSON.parse(JSON.stringify(state)) as number[]);
    expect([b.random(), b.random(), b.random()]).toEqual(next);
    // getState is a copy, not a view of the live state.
    const snapshot = a.getState();
    a.random();
    expect(a.getState()).not.toEqual(snapshot);
  });

  test('rejects bad seeds and states', () => {
    expect(() => createRng(-1)).toThrow(/^createRng: seed must be an integer in \[0, 4294967295\], got -1\.$/);
    expect(() => createRng(1.5)).toThrow(/createRng: seed .* got 1\.5/);
    expect(() => createRng(2 ** 32)).toThrow(/createRng: seed/);
    expect(() => createRng(undefined as unknown as number)).toThrow(/createRng: seed .* got undefined/);
    const r: Rng = createRng(1);
    expect(() => r.setState([1, 2, 3])).toThrow(/^rng\.setState: state must be an array of four uint32 numbers \(from getState\), got \[1,2,3\]\.$/);
    expect(() => r.setState([1, 2, 3, -4])).toThrow(/rng\.setState: state/);
  });
});

describe('randomPermutation', () => {
  test('returns permutations for odd and even sizes', () => {
    const r = createRng(8);
    for (const n of [1, 2, 3, 5, 7, 128, 129]) {
      for (let k = 0; k < 5; k++) expect(isPermutation(randomPermutation(n, r), n)).toBe(true);
    }
  });

  test('all 6 orders of 3 items are equally likely (chi-square, 5 dof, 0.001 level)', () => {
    const r = createRng(21);
    const counts = new Map<string, number>();
    const trials = 6000;
    for (let k = 0; k < trials; k++) {
      const key = randomPermutation(3, r).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const expected = trials / 6;
    const chi2 = [...counts.values()].reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(20.52);
  });

  test('each position receives each item equally often (n = 5)', () => {
    const r = createRng(22);
    const n = 5;
    const trials = 5000;
    const hits = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let k = 0; k < trials; k++) randomPermutation(n, r).forEach((v, i) => (hits[i]![v]! += 1));
    for (const row of hits) for (const c of row) expect(Math.abs(c - trials / n)).toBeLessThan(5 * Math.sqrt(trials * (1 / n) * (1 - 1 / n)));
  });

  test('rejects bad sizes and generators', () => {
    expect(() => randomPermutation(0)).toThrow(/randomPermutation: n must be a positive integer, got 0\./);
    expect(() => randomPermutation(3, {} as never)).toThrow(/randomPermutation: rng must be an Rng \{random, getState, setState\} \(see createRng\), got \{\}\./);
    // NaN would index out of range and silently duplicate entries.
    const nan: Rng = { random: () => Number.NaN, getState: () => [], setState: () => undefined };
    expect(() => randomPermutation(3, nan)).toThrow(/^randomPermutation: rng\.random\(\) must be a number in \[0, 1\), got NaN\.$/);
  });
});
