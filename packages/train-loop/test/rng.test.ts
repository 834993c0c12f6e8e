import { createRng } from '../src/index';

describe('createRng (the loop generator saved in checkpoints)', () => {
  it('is deterministic per seed, uniform-looking, and resumes from a saved state', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 2000 }, () => a.random());
    expect(Array.from({ length: 2000 }, () => b.random())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.03); // sd of the mean ≈ 0.0065
    expect(createRng(43).random()).not.toBe(createRng(42).random());
    const state = a.getState();
    const next = [a.random(), a.random()];
    const c = createRng(0);
    c.setState(JSON.parse(JSON.stringify(state)) as number[]);
    expect([c.random(), c.random()]).toEqual(next);
  });

  it('is sfc32 seeded by splitmix32 (the design of every @aa package): checked against a BigInt transcription', () => {
    // splitmix32 fills the four words, 12 outputs are discarded; the next outputs are uint32 / 2^32.
    const r = createRng(0);
    const first = [r.random(), r.random(), r.random()].map((v) => Math.round(v * 2 ** 32));
    const reference = (seed: number): number[] => {
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
      return [next(), next(), next()].map(Number);
    };
    expect(first).toEqual(reference(0));
  });

  it('rejects bad seeds and a malformed state', () => {
    expect(() => createRng(-1)).toThrow(/^createRng: seed must be an integer in \[0, 4294967295\], got -1\.$/);
    expect(() => createRng(0.5)).toThrow(/createRng: seed .* got 0\.5/);
    expect(() => createRng(1).setState([1, 2, 3])).toThrow(/^rng\.setState: state must be an array of four uint32 numbers \(from getState\), got an array of length 3\.$/);
  });
});
