import { logGamma } from './claims/stats';

/**
 * Welch's t interval for a difference of two means with unequal variances: what `aa-bench compare` puts on the
 * difference between aa-bench's and PyTorch's mean accuracies over seeds. Checked against scipy
 * (test/fixtures/welch.json, made by scripts/welch-fixtures.py).
 */

/** The regularised incomplete beta I_x(a, b), by its continued fraction (modified Lentz), on the side where it converges fast. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - (logGamma(a) + logGamma(b) - logGamma(a + b)));
  if (x > (a + 1) / (a + b + 2)) return 1 - (front * betaFraction(1 - x, b, a)) / b;
  return (front * betaFraction(x, a, b)) / a;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    // Even then odd step of the fraction's terms.
    for (const num of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + num * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      f *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-16) break;
  }
  return f;
}

/** P(T <= t) for Student's t with `df` degrees of freedom (any positive real df, as Welch's are). */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The `p` quantile of Student's t with `df` degrees of freedom, p in (0, 1), by bisection on the CDF. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`studentTQuantile: p must be in (0, 1), got ${String(p)}.`);
  if (!(df > 0)) throw new Error(`studentTQuantile: df must be a positive number, got ${String(df)}.`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A confidence interval for mean(a) − mean(b). */
export interface WelchInterval {
  /** mean(a) − mean(b). */
  difference: number;
  low: number;
  high: number;
  /** Welch–Satterthwaite degrees of freedom; NaN when neither side varies (the interval is then the point). */
  df: number;
  /** √(s²a/na + s²b/nb). */
  standardError: number;
  /** The confidence level, e.g. 0.95. */
  level: number;
}

function meanAndVariance(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, variance };
}

/**
 * Welch's t interval for mean(a) − mean(b) at `level` (default 0.95), from the sample variances of each side.
 * `null` when a side has fewer than two values: one seed says nothing about its own spread.
 */
export function welchInterval(a: readonly number[], b: readonly number[], level = 0.95): WelchInterval | null {
  if (!(level > 0 && level < 1)) throw new Error(`welchInterval: level must be in (0, 1), got ${String(level)}.`);
  for (const [name, v] of [['a', a], ['b', b]] as const) {
    if (!v.every((x) => Number.isFinite(x))) throw new Error(`welchInterval: ${name} must hold finite numbers, got [${v.join(', ')}].`);
  }
  if (a.length < 2 || b.length < 2) return null;
  const x = meanAndVariance(a);
  const y = meanAndVariance(b);
  const va = x.variance / a.length;
  const vb = y.variance / b.length;
  const difference = x.mean - y.mean;
  const standardError = Math.sqrt(va + vb);
  if (standardError === 0) return { difference, low: difference, high: difference, df: Number.NaN, standardError, level };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = studentTQuantile(0.5 + level / 2, df) * standardError;
  return { difference, low: difference - half, high: difference + half, df, standardError, level };
}
