import { logGamma } from '../claims/stats';

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
