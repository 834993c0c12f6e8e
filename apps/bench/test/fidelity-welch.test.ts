import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { studentTCdf, studentTQuantile, welchInterval } from '../src/welch';

/** scipy's values (scripts/welch-fixtures.py): t quantiles, and Welch intervals with their test's p-values. */
const fixtures = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'welch.json'), 'utf8')) as {
  quantiles: { p: number; df: number; t: number; cdf: number }[];
  intervals: { name: string; a: number[]; b: number[]; difference: number; low: number; high: number; df: number; pValue: number }[];
};

describe("Student's t", () => {
  it.each(fixtures.quantiles.map((q) => [q.p, q.df, q.t, q.cdf]))("quantile %p at %p degrees of freedom is scipy's %p", (p, df, t, cdf) => {
    // scipy's ppf is good to about 1e-9; its CDF at that point is exact to double precision.
    expect(studentTQuantile(p, df)).toBeCloseTo(t, 7);
    expect(studentTCdf(t, df)).toBeCloseTo(cdf, 14);
  });

  it('rejects a p outside (0, 1) and a non-positive df', () => {
    expect(() => studentTQuantile(1, 3)).toThrow('studentTQuantile: p must be in (0, 1), got 1.');
    expect(() => studentTQuantile(0.9, 0)).toThrow('studentTQuantile: df must be a positive number, got 0.');
  });
});

describe('welchInterval', () => {
  it.each(fixtures.intervals.map((c) => [c.name, c] as const))('matches scipy (%s)', (_, c) => {
    const w = welchInterval(c.a, c.b);
    expect(w).not.toBeNull();
    expect(w?.difference).toBeCloseTo(c.difference, 10);
    expect(w?.df).toBeCloseTo(c.df, 9);
    expect(w?.low).toBeCloseTo(c.low, 7);
    expect(w?.high).toBeCloseTo(c.high, 7);
    // The interval excludes 0 exactly when Welch's two-sided test rejects at 5%; the p-value checks the t CDF at Welch's df.
    const t = (w?.difference ?? 0) / (w?.standardError ?? 1);
    expect(2 * (1 - studentTCdf(Math.abs(t), w?.df ?? 1))).toBeCloseTo(c.pValue, 9);
    expect((w?.low ?? 0) > 0 || (w?.high ?? 0) < 0).toBe(c.pValue < 0.05);
  });

  it('gives no interval with one seed a side, a point when neither side varies, and rejects bad input', () => {
    expect(welchInterval([0.5], [0.4, 0.6])).toBeNull();
    expect(welchInterval([0.5, 0.6], [0.4])).toBeNull();
    expect(welchInterval([0.5, 0.5], [0.4, 0.4])).toMatchObject({ low: 0.09999999999999998, high: 0.09999999999999998, standardError: 0 });
    expect(() => welchInterval([0.5, Number.NaN], [0.4, 0.5])).toThrow('welchInterval: a must hold finite numbers, got [0.5, NaN].');
    expect(() => welchInterval([0.5, 0.6], [0.4, 0.5], 1.5)).toThrow('welchInterval: level must be in (0, 1), got 1.5.');
  });
});
