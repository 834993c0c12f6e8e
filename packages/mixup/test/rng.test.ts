import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import { createRng, randomPermutation, rngFromUniform, sampleLambdas } from '../src/index';
import { isPermutation, untouchableRng } from './helpers';

const N = 20000;
// Two-sided KS critical value at significance 0.001: sqrt(-ln(0.0005) / 2) / sqrt(N).
const KS_CRITICAL = Math.sqrt(-Math.log(0.0005) / 2) / Math.sqrt(N);

/** Kolmogorov–Smirnov statistic sup |F_n − F| of `samples` against `cdf`. */
function ksStatistic(samples: number[], cdf: (x: number) => number): number {
  const s = [...samples].sort((a, b) => a - b);
  let d = 0;
  s.forEach((x, i) => {
    const f = cdf(x);
    d = Math.max(d, (i + 1) / s.length - f, f - i / s.length);
  });
  return d;
}

function meanVar(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, variance };
}

describe.each([0.1, 0.25, 0.4, 1, 2])('Beta(α, α) sampler, α = %p', (alpha) => {
  const rng = createRng(1000 + Math.round(alpha * 100));
  const samples = Array.from({ length: N }, () => rng.beta(alpha, alpha));
  // Exact moments of Beta(α, α): mean 1/2, variance 1/(4(2α+1)), excess kurtosis −6/(2α+3).
  const variance = 1 / (4 * (2 * alpha + 1));
  const mu4 = variance ** 2 * (3 - 6 / (2 * alpha + 3));

  test('draws lie in [0, 1]', () => {
    expect(samples.every((x) => x >= 0 && x <= 1)).toBe(true);
  });

  test('mean is 1/2 (within 5 standard errors)', () => {
    expect(Math.abs(meanVar(samples).mean - 0.5)).toBeLessThan(5 * Math.sqrt(variance / N));
  });

  test('variance is 1/(4(2α+1)) (within 5 standard errors)', () => {
    expect(Math.abs(meanVar(samples).variance - variance)).toBeLessThan(5 * Math.sqrt((mu4 - variance ** 2) / N));
  });

  test('Kolmogorov–Smirnov against the Beta CDF passes at the 0.001 level', () => {
    expect(ksStatistic(samples, (x) => betaCdf(x, alpha, alpha))).toBeLessThan(KS_CRITICAL);
  });
});

describe('the statistical checks have power', () => {
  test('KS rejects uniform draws and Beta(0.4, 0.4) draws as Beta(0.25, 0.25)', () => {
    const rng = createRng(5);
    const uniform = Array.from({ length: N }, () => rng.uniform());
    const beta04 = Array.from({ length: N }, () => rng.beta(0.4, 0.4));
    const cdf = (x: number) => betaCdf(x, 0.25, 0.25);
    expect(ksStatistic(uniform, cdf)).toBeGreaterThan(KS_CRITICAL);
    expect(ksStatistic(beta04, cdf)).toBeGreaterThan(KS_CRITICAL);
  });
});

describe('sampleLambdas', () => {
  test('draws Beta(α, α) through the given generator', () => {
    const lams = sampleLambdas(0.25, N, createRng(11));
    expect(lams).toHaveLength(N);
    expect(ksStatistic(lams, (x) => betaCdf(x, 0.25, 0.25))).toBeLessThan(KS_CRITICAL);
  });

  test('α = 0 gives λ = 1 without drawing', () => {
    expect(sampleLambdas(0, 3, untouchableRng)).toEqual([1, 1, 1]);
  });

  test('rejects bad α and counts', () => {
    expect(() => sampleLambdas(-0.1, 2)).toThrow(/sampleLambdas: alpha must be a finite number >= 0.*got -0\.1/);
    expect(() => sampleLambdas(Number.NaN, 2)).toThrow(/sampleLambdas: alpha .* got NaN/);
    expect(() => sampleLambdas(0.2, 0)).toThrow(/sampleLambdas: count must be a positive integer, got 0/);
    const broken = { uniform: () => 0.5, beta: () => Number.NaN };
    expect(() => sampleLambdas(0.2, 1, broken)).toThrow(/rng.beta returned NaN/);
    expect(() => sampleLambdas(0.2, 1, {} as never)).toThrow(/sampleLambdas: rng must be an object with uniform\(\) and beta\(a, b\)/);
  });
});

describe('createRng', () => {
  test('the same seed gives the same stream; another seed another one', () => {
    const draw = (seed: number) => {
      const r = createRng(seed);
      return [r.uniform(), r.beta(0.25, 0.25), r.uniform(), r.beta(2, 2), ...randomPermutation(10, r)];
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(0)).toEqual(draw(0));
    expect(draw(42)).not.toEqual(draw(43));
  });

  test('uniforms lie in [0, 1) and look uniform', () => {
    const r = createRng(3);
    const u = Array.from({ length: N }, () => r.uniform());
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(ksStatistic(u, (x) => x)).toBeLessThan(KS_CRITICAL);
  });

  test('unseeded generators differ', () => {
    expect(createRng().uniform()).not.toBe(createRng().uniform());
  });

  test('rejects bad seeds', () => {
    expect(() => createRng(-1)).toThrow(/createRng: seed must be an integer in \[0, 4294967295\], got -1/);
    expect(() => createRng(1.5)).toThrow(/createRng: seed .* got 1\.5/);
    expect(() => createRng(2 ** 32)).toThrow(/createRng: seed/);
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
    for (const row of hits) for (const c of row) expect(Math.abs(c - trials / n)).toBeLessThan(5 * Math.sqrt((trials * (1 / n) * (1 - 1 / n))));
  });

  test('rejects bad sizes and generators', () => {
    expect(() => randomPermutation(0)).toThrow(/randomPermutation: n must be a positive integer, got 0/);
    expect(() => randomPermutation(3, {} as never)).toThrow(/randomPermutation: rng must be an object with uniform\(\) and beta\(a, b\)/);
    // NaN would index out of range and silently duplicate entries.
    const nan = { uniform: () => Number.NaN, beta: () => 0.5 };
    expect(() => randomPermutation(3, nan)).toThrow(/randomPermutation: rng.uniform\(\) returned NaN, expected a number in \[0, 1\)/);
  });
});

describe('rngFromUniform', () => {
  /** A uniform stream to wrap, e.g. a train loop's checkpointed generator; counts its draws. */
  function stream(seed: number): { next: () => number; calls: () => number } {
    const r = createRng(seed);
    let calls = 0;
    return {
      next: () => {
        calls++;
        return r.uniform();
      },
      calls: () => calls,
    };
  }

  test('draws only from the given stream: the same stream gives the same λs and permutations', () => {
    const draw = (seed: number) => {
      const s = stream(seed);
      const r = rngFromUniform(s.next);
      const out = [...sampleLambdas(0.25, 3, r), ...randomPermutation(6, r), r.uniform()];
      expect(s.calls()).toBeGreaterThanOrEqual(5 + 1 + 3 * 2);
      return out;
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  test('its Beta(α, α) passes the Kolmogorov–Smirnov test (α = 0.25 and 2)', () => {
    for (const alpha of [0.25, 2]) {
      const r = rngFromUniform(stream(40 + alpha * 4).next);
      const samples = Array.from({ length: N }, () => r.beta(alpha, alpha));
      expect(ksStatistic(samples, (x) => betaCdf(x, alpha, alpha))).toBeLessThan(KS_CRITICAL);
    }
  });

  test('rejects non-functions and uniforms outside [0, 1)', () => {
    expect(() => rngFromUniform(42 as unknown as () => number)).toThrow(/rngFromUniform: uniform must be a function returning numbers in \[0, 1\), got 42/);
    expect(() => rngFromUniform(() => 1).uniform()).toThrow(/rngFromUniform: uniform\(\) returned 1, expected a number in \[0, 1\)/);
    expect(() => rngFromUniform(() => Number.NaN).beta(0.25, 0.25)).toThrow(/rngFromUniform: uniform\(\) returned NaN/);
  });
});
