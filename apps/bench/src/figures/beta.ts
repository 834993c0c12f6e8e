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

/** The Beta(α, α) density at `x` in (0, 1): the distribution MixUp draws λ from. */
export function betaDensity(x: number, alpha: number): number {
  const logB = 2 * logGamma(alpha) - logGamma(2 * alpha);
  return Math.exp((alpha - 1) * (Math.log(x) + Math.log(1 - x)) - logB);
}

/** The chapter's figure 14.6: Beta(α, α) densities on a grid of `points` values of λ in (0, 1). */
export function betaCurves(alphas: readonly number[] = [0.1, 0.2, 0.3, 0.4], points = 199): { alpha: number; points: [number, number][] }[] {
  return alphas.map((alpha) => ({
    alpha,
    points: Array.from({ length: points }, (_, i) => {
      const x = (i + 1) / (points + 1);
      return [x, betaDensity(x, alpha)] as [number, number];
    }),
  }));
}
