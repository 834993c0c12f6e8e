import betaDist from '@stdlib/random-base-beta';
import mt19937 from '@stdlib/random-base-mt19937';
import { assertAlpha, assertPositiveInt, assertRng, assertSeed, describe } from './validate';

/**
 * The randomness MixUp needs: uniforms for permutations, boxes and boundaries, and Beta variates for λ.
 * Pass your own object to drive the functions deterministically (e.g. a fixed λ in tests).
 */
export interface Rng {
  /** A uniform number in [0, 1). */
  uniform(): number;
  /** A Beta(a, b) variate in [0, 1], for a, b > 0. */
  beta(a: number, b: number): number;
}

// stdlib's d.ts omits `normalized`, which the runtime object has (it yields doubles in [0, 1)).
type Mt19937 = ((() => number) & { normalized?: () => number });

// Second seed word: the array form of mt19937's seed accepts 0, the scalar form does not.
const SEED_SALT = 0x6d697875;

/**
 * A seedable generator: Mersenne Twister (stdlib's `mt19937`) for uniforms and stdlib's
 * `random-base-beta` (Jöhnk for a, b < 1, Cheng for a, b > 1, gamma ratio otherwise) driven by the same stream.
 * The same seed gives the same sequence of λs, permutations and boxes.
 *
 * @param seed integer in [0, 2^32 - 1]; omitted = seeded from `Math.random`.
 */
export function createRng(seed?: number): Rng {
  const s = seed ?? Math.floor(Math.random() * 0x100000000);
  assertSeed('createRng', s);
  const mt = mt19937.factory({ seed: new Uint32Array([s, SEED_SALT]) }) as unknown as Mt19937;
  const uniform = mt.normalized;
  if (typeof uniform !== 'function') {
    throw new Error('createRng: @stdlib/random-base-mt19937 has no normalized() generator; install a 0.2.x version.');
  }
  // One stream for everything: the Beta sampler draws its uniforms (and normals) from `uniform`.
  const beta = betaDist.factory({ prng: uniform });
  return { uniform: () => uniform(), beta: (a: number, b: number) => beta(a, b) };
}

/**
 * An {@link Rng} on top of a uniform generator you already have, e.g. the train loop's checkpointed `ctx.random`,
 * so λs, permutations and boundaries come from (and resume with) that stream. Beta variates use stdlib's sampler
 * driven by `uniform`.
 *
 * @param uniform returns numbers in [0, 1); anything else is an error when it is drawn
 */
export function rngFromUniform(uniform: () => number): Rng {
  const fn = 'rngFromUniform';
  if (typeof uniform !== 'function') {
    throw new Error(`${fn}: uniform must be a function returning numbers in [0, 1), got ${describe(uniform)}.`);
  }
  const checked = (): number => {
    const u = uniform();
    if (!(typeof u === 'number' && u >= 0 && u < 1)) throw new Error(`${fn}: uniform() returned ${describe(u)}, expected a number in [0, 1).`);
    return u;
  };
  const beta = betaDist.factory({ prng: checked });
  return { uniform: checked, beta: (a: number, b: number) => beta(a, b) };
}

/** One uniform from `rng`, checked: a custom generator returning NaN or numbers outside [0, 1] would index out of range. */
export function drawUniform(fn: string, rng: Rng): number {
  const u = rng.uniform();
  if (!(typeof u === 'number' && u >= 0 && u <= 1)) throw new Error(`${fn}: rng.uniform() returned ${describe(u)}, expected a number in [0, 1).`);
  return u;
}

let sharedRng: Rng | undefined;

/** The generator used when a function is called without `rng`: created lazily, randomly seeded. */
export function defaultRng(): Rng {
  sharedRng ??= createRng();
  return sharedRng;
}

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
    // min() guards against an rng that returns exactly 1.
    const j = Math.min(i, Math.floor(drawUniform('randomPermutation', rng) * (i + 1)));
    const t = perm[i] as number;
    perm[i] = perm[j] as number;
    perm[j] = t;
  }
  return perm;
}

/**
 * `count` MixUp weights λ ~ Beta(α, α); α = 0 gives λ = 1 (no mixing) without drawing.
 *
 * @param alpha >= 0
 * @param count >= 1
 */
export function sampleLambdas(alpha: number, count: number, rng: Rng = defaultRng()): number[] {
  assertAlpha('sampleLambdas', alpha);
  assertPositiveInt('sampleLambdas', 'count', count);
  assertRng('sampleLambdas', rng);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(alpha === 0 ? 1 : checkLambda(rng.beta(alpha, alpha)));
  return out;
}

function checkLambda(lam: number): number {
  if (!(lam >= 0 && lam <= 1)) throw new Error(`sampleLambdas: rng.beta returned ${lam}, expected a number in [0, 1].`);
  return lam;
}

/**
 * The generator a stateful helper (collator, dataset transform) keeps: `rng` if given, else a new one from `seed`
 * (random when both are omitted).
 */
export function resolveRng(fn: string, rng: Rng | undefined, seed: number | undefined): Rng {
  if (rng !== undefined) {
    assertRng(fn, rng);
    return rng;
  }
  if (seed !== undefined) assertSeed(fn, seed);
  return createRng(seed);
}
