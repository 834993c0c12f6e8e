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

  it.each([0, -1, 2.5, NaN, '3'])('rejects size %p with a message naming the argument', (bad) => {
    expect(() => binomialFilter(bad as number)).toThrow(/binomialFilter: size must be a positive integer/);
  });
});
