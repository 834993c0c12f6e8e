import { sampleBeta } from './beta';
import { assertRng, defaultRng, drawUniform } from './rng';
import type { Rng } from './rng';
import { assertAlpha, assertPositiveInt } from './validate';

/**
 * A uniformly random permutation of `0..n-1` (Fisher–Yates), like `torch.randperm(n)`.
 *
 * @param n length >= 1
 */
export function randomPermutation(n: number, rng: Rng = defaultRng()): Int32Array {
  assertPositiveInt('randomPermutation', 'n', n);
  assertRng('randomPermutation', rng);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(drawUniform('randomPermutation', rng) * (i + 1));
    const t = perm[i] as number;
    perm[i] = perm[j] as number;
    perm[j] = t;
  }
  return perm;
}

/**
 * `count` MixUp weights λ ~ Beta(α, α) (see {@link sampleBeta}); α = 0 gives λ = 1 (no mixing) without drawing.
 *
 * @param alpha >= 0
 * @param count >= 1
 */
export function sampleLambdas(alpha: number, count: number, rng: Rng = defaultRng()): number[] {
  assertAlpha('sampleLambdas', alpha);
  assertPositiveInt('sampleLambdas', 'count', count);
  assertRng('sampleLambdas', rng);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(alpha === 0 ? 1 : sampleBeta(alpha, alpha, rng));
  return out;
}
