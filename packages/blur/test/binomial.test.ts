import { binomialFilter } from '../src';
import fixtures from './fixtures/binomial.json';

describe('binomialFilter', () => {
  it.each(Object.entries(fixtures as Record<string, number[]>))('matches the PyTorch reference for size %s', (size, expected) => {
    const got = binomialFilter(Number(size));
    expect(got).toHaveLength(expected.length);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 12));
  });

  it('is symmetric, sums to 1 and equals Pascal row / 2^(k-1) for large sizes', () => {
    const k = 12;
    const f = binomialFilter(k);
    expect(f.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (let i = 0; i < k; i++) expect(f[i]).toBeCloseTo(f[k - 1 - i] as number, 15);
    // C(11, 5) = 462
    expect(f[5]).toBeCloseTo(462 / 2048, 15);
  });

  it('is exact (bit for bit C(k-1, i) / 2^(k-1)) for every size up to 53', () => {
    for (let k = 1; k <= 53; k++) {
      const n = BigInt(k - 1);
      let c = 1n;
      const got = binomialFilter(k);
      for (let i = 0n; i <= n; i++) {
        if (i > 0n) c = (c * (n - i + 1n)) / i;
        expect(got[Number(i)]).toBe(Number(c) / 2 ** (k - 1));
      }
    }
  });

  it.each([60, 200, 1000])('matches exact big-integer binomials at size %d (no overflow to NaN)', (k) => {
    // C(k-1, i) / 2^(k-1) from BigInt, keeping 64 significant bits of each quotient.
    const n = BigInt(k - 1);
    const bits = (v: bigint) => v.toString(2).length;
    const expected: number[] = [];
    let c = 1n;
    for (let i = 0n; i <= n; i++) {
      if (i > 0n) c = (c * (n - i + 1n)) / i;
      const shift = Number(n) - bits(c) + 64;
      expected.push(Number((c << BigInt(shift)) >> n) * 2 ** -Math.min(shift, 1000) * 2 ** -Math.max(shift - 1000, 0));
    }
    const got = binomialFilter(k);
    expect(got.every(Number.isFinite)).toBe(true);
    expect(got.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Relative error where the tap is a normal double; the far tails (< 1e-290) only have to be tiny.
    got.forEach((v, i) => {
      const e = expected[i] as number;
      expect(Math.abs(v - e)).toBeLessThanOrEqual(e > 1e-290 ? 1e-12 * e : 1e-290);
    });
  });

  it('rejects sizes past the double range, naming the limit', () => {
    expect(() => binomialFilter(1001)).toThrow(/binomialFilter: size must be at most 1000.*got 1001/);
  });

  it.each([0, -1, 2.5, NaN, '3'])('rejects size %p with a message naming the argument', (bad) => {
    expect(() => binomialFilter(bad as number)).toThrow(/binomialFilter: size must be a positive integer/);
  });
});
