import { Rng } from '../src/rng';

describe('Rng (the loop generator saved in checkpoints)', () => {
  it('is deterministic per seed, uniform-looking, and resumes from a saved state', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 2000 }, () => a.random());
    expect(Array.from({ length: 2000 }, () => b.random())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.03); // sd of the mean ≈ 0.0065
    expect(new Rng(43).random()).not.toBe(new Rng(42).random());
    const state = a.getState();
    const next = [a.random(), a.random()];
    const c = new Rng(0);
    c.setState(JSON.parse(JSON.stringify(state)));
    expect([c.random(), c.random()]).toEqual(next);
  });

  it('rejects a malformed state', () => {
    expect(() => new Rng(1).setState([1, 2, 3])).toThrow(/Rng.setState: state must be an array of four uint32 numbers, got an array of length 3/);
  });
});
