/**
 * The few significance tests the chapter's claims need, in plain numbers: paired tests on the same test images.
 * Checked against scipy (test/fixtures/stats.json, made by scripts/stats-fixtures.py).
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; about 15 significant digits). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * erfc(x) for x >= 0: a positive-term series of erf below 3 (no cancellation there, since erfc(3) ≈ 2e-5), a
 * continued fraction above, so that tiny p-values keep their relative precision.
 */
function erfcNonNegative(x: number): number {
  if (x < 3) {
    // erf(x) = 2/√π · e^{-x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated bottom-up.
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** P(Z > z) for a standard normal Z. */
export function normalSurvival(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return z >= 0 ? 0.5 * erfcNonNegative(z / Math.SQRT2) : 1 - 0.5 * erfcNonNegative(-z / Math.SQRT2);
}

function logBinomialPmf(k: number, n: number, p: number): number {
  const logChoose = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  const logP = k === 0 ? 0 : k * Math.log(p);
  const logQ = n - k === 0 ? 0 : (n - k) * Math.log(1 - p);
  return logChoose + logP + logQ;
}

/** P(X >= k) for X ~ Binomial(n, p), summed in log space from the far tail inwards. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  let sum = 0;
  for (let i = n; i >= k; i--) sum += Math.exp(logBinomialPmf(i, n, p));
  return Math.min(1, sum);
}

/**
 * McNemar's exact test on paired right/wrong outcomes: `onlyA` pairs where only A was right, `onlyB` where only B
 * was. Two-sided p-value `min(1, 2·P(X ≤ min(onlyA, onlyB)))`, X ~ Binomial(onlyA + onlyB, ½) (as statsmodels'
 * `mcnemar(exact=True)` and scipy's `binomtest(onlyA, n, 0.5)`).
 */
export function mcnemarExact(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  const low = Math.min(onlyA, onlyB);
  // P(X <= low) = P(X >= n - low) by symmetry.
  return Math.min(1, 2 * binomialUpperTail(n - low, n, 0.5));
}

/** What {@link wilcoxonSignedRank} returns. */
export interface WilcoxonResult {
  /** Sum of the ranks of the positive differences (scipy's statistic is the smaller of the two sums). */
  rPlus: number;
  /** Sum of the ranks of the negative differences. */
  rMinus: number;
  /** Non-zero differences ranked. */
  n: number;
  /** Standard normal statistic (tie-corrected, no continuity correction). */
  z: number;
  /** Two-sided p-value. */
  pValue: number;
}

/**
 * Wilcoxon's signed-rank test of the paired differences `x[i] − y[i]`: zero differences dropped, ties given average
 * ranks, normal approximation with the tie correction and without continuity correction (scipy's
 * `wilcoxon(x, y, zero_method='wilcox', correction=False, method='approx')`). Meant for hundreds of pairs or more.
 */
export function wilcoxonSignedRank(x: readonly number[], y: readonly number[]): WilcoxonResult {
  if (x.length !== y.length) throw new Error(`wilcoxonSignedRank: x and y must have the same length, got ${x.length} and ${y.length}.`);
  const d = x.map((v, i) => v - (y[i] as number)).filter((v) => v !== 0);
  const n = d.length;
  if (n === 0) return { rPlus: 0, rMinus: 0, n: 0, z: 0, pValue: 1 };
  const order = d.map((v, i) => [Math.abs(v), i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(n);
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && (order[j + 1] as readonly [number, number])[0] === (order[i] as readonly [number, number])[0]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[(order[k] as readonly [number, number])[1]] = rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  let rPlus = 0;
  let rMinus = 0;
  d.forEach((v, i) => (v > 0 ? (rPlus += ranks[i] as number) : (rMinus += ranks[i] as number)));
  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  const z = variance > 0 ? (Math.min(rPlus, rMinus) - mean) / Math.sqrt(variance) : 0;
  return { rPlus, rMinus, n, z, pValue: Math.min(1, 2 * normalSurvival(Math.abs(z))) };
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Mean and sample standard deviation (0 for a single value). */
export function meanAndSpread(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}
