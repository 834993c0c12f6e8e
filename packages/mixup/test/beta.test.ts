import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, sampleBeta, sampleGamma, sampleLambdas } from '../src/index';
import type { Rng } from '../src/index';
import { scriptedRng, untouchableRng } from './helpers';

/** scipy's Beta(α, α) quantiles x_i = F⁻¹(i/M), i = 1..M−1 (test/fixtures/make_beta_fixtures.py). */
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'beta.json'), 'utf8')) as {
  quantileCount: number;
  cases: { alpha: number; x: number[] }[];
};
const M = fixture.quantileCount;
const quantiles = (alpha: number): number[] => {
  const c = fixture.cases.find((k) => k.alpha === alpha);
  if (c === undefined) throw new Error(`no scipy quantiles for alpha ${alpha}`);
  return c.x;
};

const N = 20000;
// Two-sided Kolmogorov–Smirnov critical value at significance 0.001 (asymptotic Kolmogorov distribution):
// sqrt(−ln(0.0005) / 2) / sqrt(N) = 0.01378 for N = 20000.
const KS_CRITICAL = Math.sqrt(-Math.log(0.0005) / 2) / Math.sqrt(N);

/** Number of sorted values `< x` (strict) or `<= x`. */
function countBelow(sorted: number[], x: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x || (inclusive && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The Kolmogorov–Smirnov distance sup |F_n − F| of `samples` from the distribution with quantiles `x_i = F⁻¹(i/M)`,
 * measured at the quantiles (on both sides of each, F_n jumps there): a lower bound of the sup over all x, and at most
 * 1/M below it (F rises by 1/M between neighbouring quantiles). Quantiles within 1e-12 of 1 are skipped: float64 cannot
 * tell them from 1 (Beta(0.1, 0.1) puts 3 % of its mass there), so neither scipy's ppf nor any float64 sampler resolves them.
 */
function ksAtQuantiles(samples: number[], x: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  let d = 0;
  x.forEach((xi, i) => {
    if (xi >= 1 - 1e-12) return;
    const q = (i + 1) / M;
    d = Math.max(d, Math.abs(countBelow(sorted, xi, true) / N - q), Math.abs(countBelow(sorted, xi, false) / N - q));
  });
  return d;
}

function meanVar(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, variance };
}

describe.each([0.1, 0.25, 1, 2])('sampleBeta(α, α) against scipy, α = %p', (alpha) => {
  const rng = createRng(1000 + Math.round(alpha * 100));
  const samples = Array.from({ length: N }, () => sampleBeta(alpha, alpha, rng));

  test('draws lie in [0, 1]', () => {
    expect(samples.every((x) => x >= 0 && x <= 1)).toBe(true);
  });

  test('Kolmogorov–Smirnov against scipy.stats.beta passes at the 0.001 level (bound of the exact statistic)', () => {
    // ksAtQuantiles is within 1/M of the exact statistic: require the upper bound to pass.
    expect(ksAtQuantiles(samples, quantiles(alpha)) + 1 / M).toBeLessThan(KS_CRITICAL);
  });

  test('mean 1/2 and variance 1/(4(2α+1)) within 5 standard errors', () => {
    // Exact moments of Beta(α, α): excess kurtosis −6/(2α+3) gives the standard error of the variance.
    const variance = 1 / (4 * (2 * alpha + 1));
    const mu4 = variance ** 2 * (3 - 6 / (2 * alpha + 3));
    const m = meanVar(samples);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(5 * Math.sqrt(variance / N));
    expect(Math.abs(m.variance - variance)).toBeLessThan(5 * Math.sqrt((mu4 - variance ** 2) / N));
  });
});

describe('the Kolmogorov–Smirnov check has power', () => {
  test('it rejects uniform draws and Beta(0.4, 0.4) draws as Beta(0.25, 0.25)', () => {
    const rng = createRng(5);
    const uniform = Array.from({ length: N }, () => rng.random());
    const beta04 = Array.from({ length: N }, () => sampleBeta(0.4, 0.4, rng));
    // The statistic at the quantiles is a lower bound of the exact one, so exceeding the critical value rejects.
    expect(ksAtQuantiles(uniform, quantiles(0.25))).toBeGreaterThan(KS_CRITICAL);
    expect(ksAtQuantiles(beta04, quantiles(0.25))).toBeGreaterThan(KS_CRITICAL);
  });
});

describe('sampleGamma', () => {
  // Closed-form CDFs: Gamma(1) is Exp(1), Gamma(2) has F(x) = 1 − e^{−x}(1 + x).
  test.each([
    [1, (x: number) => 1 - Math.exp(-x)],
    [2, (x: number) => 1 - Math.exp(-x) * (1 + x)],
  ])('Gamma(%p) passes Kolmogorov–Smirnov against its closed-form CDF', (shape, cdf) => {
    const rng = createRng(77 + shape);
    const s = Array.from({ length: N }, () => sampleGamma(shape, rng)).sort((a, b) => a - b);
    const d = s.reduce((m, x, i) => Math.max(m, (i + 1) / N - cdf(x), cdf(x) - i / N), 0);
    expect(d).toBeLessThan(KS_CRITICAL);
  });

  test('Gamma(0.1) has mean and variance 0.1 (the boost for shapes below 1)', () => {
    const rng = createRng(9);
    const m = meanVar(Array.from({ length: N }, () => sampleGamma(0.1, rng)));
    // Var of the sample mean = 0.1 / N; variance's standard error from the 4th central moment 3k² + 6k = 0.63.
    expect(Math.abs(m.mean - 0.1)).toBeLessThan(5 * Math.sqrt(0.1 / N));
    expect(Math.abs(m.variance - 0.1)).toBeLessThan(5 * Math.sqrt((0.63 - 0.01) / N));
  });
});

describe('the sampler draws only from the given Rng', () => {
  test('the same seed gives the same variates; a restored state repeats them', () => {
    const draw = (r: Rng) => [sampleBeta(0.25, 0.25, r), sampleBeta(2, 2, r), sampleGamma(0.5, r), ...sampleLambdas(0.1, 3, r)];
    expect(draw(createRng(42))).toEqual(draw(createRng(42)));
    expect(draw(createRng(42))).not.toEqual(draw(createRng(43)));
    const r = createRng(3);
    draw(r);
    const state = r.getState();
    const next = draw(r);
    r.setState(state);
    expect(draw(r)).toEqual(next);
  });

  test('Beta(1, 1) is the uniform itself: one draw', () => {
    const rng = scriptedRng([0.375]);
    expect(sampleBeta(1, 1, rng)).toBe(0.375);
    expect(rng.used()).toBe(1);
  });

  test('tiny shapes neither underflow to 0/0 nor leave [0, 1]', () => {
    const rng = createRng(4);
    const s = Array.from({ length: 2000 }, () => sampleBeta(0.005, 0.005, rng));
    expect(s.every((x) => x >= 0 && x <= 1)).toBe(true);
    // Beta(ε, ε) puts almost all its mass next to 0 and 1, half on each side.
    const low = s.filter((x) => x < 0.5).length / s.length;
    expect(Math.abs(low - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / s.length));
    expect(s.filter((x) => x > 1e-6 && x < 1 - 1e-6).length / s.length).toBeLessThan(0.2);
  });

  test('a generator that is not uniform is an error, not a hang', () => {
    const stuck: Rng = { random: () => 0.999999, getState: () => [], setState: () => undefined };
    // cos(2π·0.999999) ≈ 1 and a radius of 5.3 make every proposal v = (1 + c·x)³ fail the exact test.
    expect(() => sampleBeta(0.5, 0.5, stuck)).toThrow(/sampleBeta: rng rejected 1000 Gamma proposals in a row/);
    const bad: Rng = { random: () => 1, getState: () => [], setState: () => undefined };
    expect(() => sampleBeta(2, 2, bad)).toThrow(/^sampleBeta: rng\.random\(\) must be a number in \[0, 1\), got 1\.$/);
  });
});

describe('sampleLambdas', () => {
  test('draws Beta(α, α) through the given generator', () => {
    const lams = sampleLambdas(0.25, N, createRng(11));
    expect(lams).toHaveLength(N);
    expect(ksAtQuantiles(lams, quantiles(0.25)) + 1 / M).toBeLessThan(KS_CRITICAL);
  });

  test('α = 0 gives λ = 1 without drawing', () => {
    expect(sampleLambdas(0, 3, untouchableRng)).toEqual([1, 1, 1]);
  });

  test('rejects bad α, counts and generators, and bad Beta shapes', () => {
    expect(() => sampleLambdas(-0.1, 2)).toThrow(/^sampleLambdas: alpha must be a finite number >= 0 \(0 disables mixing; 0\.1-0\.4 is usual\), got -0\.1\.$/);
    expect(() => sampleLambdas(Number.NaN, 2)).toThrow(/sampleLambdas: alpha .* got NaN/);
    expect(() => sampleLambdas(Number.POSITIVE_INFINITY, 2)).toThrow(/sampleLambdas: alpha .* got Infinity/);
    expect(() => sampleLambdas(0.2, 0)).toThrow(/sampleLambdas: count must be a positive integer, got 0\./);
    expect(() => sampleLambdas(0.2, 1, {} as never)).toThrow(/sampleLambdas: rng must be an Rng/);
    expect(() => sampleBeta(0, 1, createRng(1))).toThrow(/^sampleBeta: a must be a finite number > 0, got 0\.$/);
    expect(() => sampleBeta(1, -2, createRng(1))).toThrow(/^sampleBeta: b must be a finite number > 0, got -2\.$/);
    expect(() => sampleGamma(Number.NaN, createRng(1))).toThrow(/^sampleGamma: shape must be a finite number > 0, got NaN\.$/);
  });
});
