import { binomialUpperTail, mcnemarExact, median, meanAndSpread, normalSurvival, wilcoxonSignedRank } from '../src/claims/stats';
import fixtures from './fixtures/stats.json';

// Golden values from scipy 1.10 (scripts/stats-fixtures.py).
const close = (actual: number, expected: number, rel = 1e-7) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-300);

describe('stats against scipy', () => {
  it.each(fixtures.normalSurvival)('normalSurvival($z)', ({ z, p }) => close(normalSurvival(z), p, 1e-9));

  it.each(fixtures.wilcoxon)('wilcoxonSignedRank: $name', ({ x, y, statistic, p }) => {
    const r = wilcoxonSignedRank(x, y);
    expect(Math.min(r.rPlus, r.rMinus)).toBeCloseTo(statistic, 6);
    close(r.pValue, p, 1e-6);
  });

  it.each(fixtures.mcnemar)('mcnemarExact($onlyA, $onlyB)', ({ onlyA, onlyB, p }) => {
    close(mcnemarExact(onlyA, onlyB), p, 1e-8);
    close(mcnemarExact(onlyB, onlyA), p, 1e-8);
  });

  it.each(fixtures.binomialUpper)('binomialUpperTail($k, $n, $p)', ({ k, n, p, tail }) => close(binomialUpperTail(k, n, p), tail, 1e-8));
});

describe('stats by hand', () => {
  it('signed ranks of a small example', () => {
    // d = [1, -2, 3, 0, -3]: zero dropped; |d| ranks 1, 2, 3.5, 3.5 → R+ = 1 + 3.5, R- = 2 + 3.5.
    const r = wilcoxonSignedRank([2, 0, 4, 1, 0], [1, 2, 1, 1, 3]);
    expect([r.rPlus, r.rMinus, r.n]).toEqual([4.5, 5.5, 4]);
  });
  it('all-equal pairs give p = 1', () => expect(wilcoxonSignedRank([1, 2], [1, 2]).pValue).toBe(1));
  it('rejects unequal lengths by name', () => expect(() => wilcoxonSignedRank([1], [1, 2])).toThrow(/x and y must have the same length, got 1 and 2/));
  it('median and spread', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(meanAndSpread([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 });
  });
});
